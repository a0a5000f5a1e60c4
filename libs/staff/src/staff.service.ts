import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditEntry, AuditTrail } from '@app/audit';
import {
  ApiKeyService,
  OrganisationKind,
  OrganisationPrincipal,
  Principal,
  StaffAuthenticator,
  staffUserId,
} from '@app/auth';
import { Clock, DomainException } from '@app/core';
import { Actor, organisationActor, systemActor, TransactionHost } from '@app/persistence';
import {
  CreateStaffAccountDto,
  StaffAccountDto,
  StaffIdentityDto,
  StaffSessionDto,
  UpdateStaffAccountDto,
} from './dto/staff.dto';
import { STAFF_CONFIG, StaffConfig } from './staff.config';
import { afterFailure, CLEARED, isLocked } from './staff-lockout';
import { hashPassword, verifyNothing, verifyPassword } from './staff-password';
import { StaffAccountRecord, StaffRepository, StaffSessionRecord } from './staff.repository';

/** The organisation kind whose people hold staff accounts in this service (`site`, `hospital`). */
export const STAFF_ORGANISATION_KIND = Symbol('STAFF_ORGANISATION_KIND');

export const SIGN_IN_FAILED = 'SIGN_IN_FAILED';
export const USERNAME_TAKEN = 'USERNAME_TAKEN';
const SESSION_TOKEN = /^[A-Za-z0-9_-]{43}$/;
/**
 * A session's recorded last use is moved forward at most once a minute, not on every call: the idle time then
 * counts from a use at most a minute before the last one (a session may end up to a minute early, never late).
 */
export const SESSION_SLIDE_AFTER_MS = 60_000;

const signInFailed = () =>
  new DomainException(
    SIGN_IN_FAILED,
    'unauthenticated',
    'Wrong username or password, or the account is locked',
  );
const accountNotFound = () => new DomainException('STAFF_ACCOUNT_NOT_FOUND', 'not-found', 'No such account');

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest();

function accountAudit(subtype: string, action: AuditEntry['action'], accountId: string): AuditEntry {
  return {
    type: 'rest',
    subtype,
    action,
    entityType: 'staff-account',
    entityId: accountId,
    purposeOfUse: 'HOPERAT',
  };
}

/** The audit actor of a person of an organisation. */
const personActor = (account: StaffAccountRecord): Actor =>
  organisationActor(account.organisationId, account.organisationKind, staffUserId(account.id));

/** A signed-in session: the cookie's token (returned once, only its sha256 is kept) and its view. */
export interface SignedIn {
  readonly token: string;
  readonly session: StaffSessionDto;
}

/** Whose people an account call concerns: the caller's own organisation, or the one an ops admin names. */
interface Scope {
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly organisationName: string;
  readonly divisionCode: string | null;
  readonly actor: Actor;
}

/**
 * Staff accounts and sessions: sign-in (scrypt, lockout after repeated failures, every attempt audited), the
 * session lookup of the auth guard (idle and absolute expiry, sliding last use), sign-out, and the account
 * administration of an organisation's coordinators, its API key, or ops admins.
 */
@Injectable()
export class StaffService implements StaffAuthenticator {
  constructor(
    private readonly tx: TransactionHost,
    private readonly repository: StaffRepository,
    private readonly audit: AuditTrail,
    private readonly keys: ApiKeyService,
    private readonly clock: Clock,
    @Inject(STAFF_CONFIG) private readonly config: StaffConfig,
    @Inject(STAFF_ORGANISATION_KIND) private readonly kind: OrganisationKind,
  ) {}

  get organisationKind(): OrganisationKind {
    return this.kind;
  }

  async signIn(username: string, password: string): Promise<SignedIn> {
    const account = await this.repository.findAccountByUsername(username);
    if (!account) {
      // The same work as for a known account: the answer's timing does not tell which usernames exist.
      await verifyNothing(password);
      await this.tx.run(
        () =>
          this.audit.record({
            ...accountAudit(
              'sign-in',
              'E',
              `username-sha256:${sha256(username).toString('hex').slice(0, 32)}`,
            ),
            outcome: 4,
            outcomeCode: 'UNKNOWN_USERNAME',
          }),
        systemActor('staff-sign-in'),
      );
      throw signInFailed();
    }
    const refusal = this.refusal(account);
    const matches = refusal
      ? await verifyNothing(password)
      : await verifyPassword(password, account.passwordHash);
    const signedIn = await this.tx.run(async () => {
      // Attempts on one account queue on its row: the count and the lock see every one of them.
      const current = (await this.repository.lockAccount(account.id)) ?? account;
      const now = this.clock.now();
      const reason = this.refusal(current) ?? (matches ? undefined : 'WRONG_PASSWORD');
      if (reason) {
        if (reason === 'WRONG_PASSWORD') {
          await this.repository.saveLockState(current.id, afterFailure(current, now, this.config.lockout));
        }
        await this.audit.record({
          ...accountAudit('sign-in', 'E', current.id),
          outcome: 4,
          outcomeCode: reason,
        });
        return undefined;
      }
      await this.repository.saveLockState(current.id, CLEARED);
      await this.repository.pruneEndedSessionsOf(
        current.id,
        new Date(now.getTime() - this.config.sessionAbsoluteMs),
      );
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const { id } = await this.repository.insertSession(current.id, sha256(token), csrfToken, now);
      await this.audit.record(accountAudit('sign-in', 'E', current.id));
      const session: StaffSessionRecord = {
        id,
        csrfToken,
        createdAt: now,
        lastSeenAt: now,
        account: current,
      };
      return { token, session: this.toSessionDto(session) };
    }, personActor(account));
    if (!signedIn) throw signInFailed();
    return signedIn;
  }

  /** Why a sign-in is refused whatever the password: disabled, or locked now. */
  private refusal(account: StaffAccountRecord): string | undefined {
    if (account.disabled) return 'ACCOUNT_DISABLED';
    if (isLocked(account, this.clock.now())) return 'ACCOUNT_LOCKED';
    return undefined;
  }

  /** The guard's lookup of a session cookie. */
  async authenticate(
    token: string,
  ): Promise<{ principal: OrganisationPrincipal; csrfToken: string } | undefined> {
    if (!SESSION_TOKEN.test(token)) return undefined;
    const session = await this.repository.touchLiveSession(sha256(token), {
      now: this.clock.now(),
      idleMs: this.config.sessionIdleMs,
      absoluteMs: this.config.sessionAbsoluteMs,
      slideAfterMs: SESSION_SLIDE_AFTER_MS,
    });
    if (!session || session.account.organisationKind !== this.kind) return undefined;
    const a = session.account;
    return {
      csrfToken: session.csrfToken,
      principal: {
        type: 'organisation',
        keyId: '',
        organisationId: a.organisationId,
        organisationKind: a.organisationKind,
        organisationName: a.organisationName,
        divisionCode: a.divisionCode,
        person: { accountId: a.id, username: a.username, role: a.role, sessionId: session.id },
      },
    };
  }

  /** The caller's own session (401 for a caller without one: an API key, an ops JWT). */
  async current(principal: Principal): Promise<StaffSessionDto> {
    const session = await this.sessionOf(principal);
    return this.toSessionDto(session);
  }

  async signOut(principal: Principal): Promise<void> {
    const session = await this.sessionOf(principal);
    await this.tx.run(async () => {
      await this.repository.revokeSession(session.id, this.clock.now());
      await this.audit.record(accountAudit('sign-out', 'E', session.account.id));
    }, personActor(session.account));
  }

  private async sessionOf(principal: Principal): Promise<StaffSessionRecord> {
    const person = principal.type === 'organisation' ? principal.person : undefined;
    const session = person && (await this.repository.findSession(person.sessionId));
    if (!session) {
      throw new DomainException('UNAUTHENTICATED', 'unauthenticated', 'No staff session: sign in first');
    }
    return session;
  }

  async createAccount(caller: Principal, dto: CreateStaffAccountDto): Promise<StaffAccountDto> {
    const scope = await this.scopeOf(caller, dto.organisationId);
    const passwordHash = await hashPassword(dto.password);
    return this.tx.run(async () => {
      const created = await this.repository.insertAccount({
        username: dto.username,
        displayName: dto.displayName,
        role: dto.role,
        organisationId: scope.organisationId,
        organisationKind: scope.organisationKind,
        organisationName: scope.organisationName,
        divisionCode: scope.divisionCode,
        passwordHash,
        createdAt: this.clock.now(),
      });
      if (!created) throw new DomainException(USERNAME_TAKEN, 'conflict', 'This username is taken');
      await this.audit.record(accountAudit('create', 'C', created.id));
      return toAccountDto(created);
    }, scope.actor);
  }

  async listAccounts(caller: Principal, organisationId?: string): Promise<StaffAccountDto[]> {
    const scope = await this.scopeOf(caller, organisationId);
    const accounts = await this.repository.listAccountsOf(scope.organisationId, scope.organisationKind);
    return accounts.map(toAccountDto);
  }

  /** Changes an account of the caller's organisation (an ops admin: of any); another's answers 404. */
  async updateAccount(caller: Principal, id: string, dto: UpdateStaffAccountDto): Promise<StaffAccountDto> {
    const passwordHash = dto.password === undefined ? undefined : await hashPassword(dto.password);
    const found = await this.repository.findAccount(id);
    const visible =
      found?.organisationKind === this.kind &&
      (caller.type === 'ops' || found.organisationId === caller.organisationId);
    if (!found || !visible) throw accountNotFound();
    const scope = await this.scopeOf(caller, found.organisationId);
    return this.tx.run(async () => {
      const now = this.clock.now();
      const updated = await this.repository.updateAccount(
        found.id,
        { role: dto.role, displayName: dto.displayName, disabled: dto.disabled, passwordHash },
        now,
      );
      if (passwordHash !== undefined || dto.disabled === true) {
        await this.repository.revokeSessionsOf(found.id, now);
      }
      await this.audit.record(accountAudit('update', 'U', found.id));
      return toAccountDto(updated);
    }, scope.actor);
  }

  private async scopeOf(caller: Principal, organisationId: string | undefined): Promise<Scope> {
    if (caller.type === 'organisation') {
      if (caller.organisationKind !== this.kind) {
        throw new DomainException(
          'ORGANISATION_KIND_NOT_SERVED',
          'forbidden',
          'This organisation has no staff accounts here',
        );
      }
      return {
        organisationId: caller.organisationId,
        organisationKind: caller.organisationKind,
        organisationName: caller.organisationName,
        divisionCode: caller.divisionCode,
        actor: organisationActor(caller.organisationId, caller.organisationKind),
      };
    }
    if (!organisationId) {
      throw new DomainException('ORGANISATION_ID_REQUIRED', 'invalid', 'Ops callers name the organisation', {
        errors: [{ pointer: '#/organisationId', detail: 'required for an ops caller' }],
      });
    }
    // The organisation is known here by its API key (name and division come from it).
    const [key] = (await this.keys.list(organisationId, 50)).filter((k) => k.organisationKind === this.kind);
    if (!key) throw new DomainException('ORGANISATION_NOT_FOUND', 'not-found', 'No such organisation here');
    return {
      organisationId: key.organisationId,
      organisationKind: key.organisationKind,
      organisationName: key.organisationName,
      divisionCode: key.divisionCode,
      actor: systemActor('staff-admin', caller.subject),
    };
  }

  private toSessionDto(session: StaffSessionRecord): StaffSessionDto {
    const a = session.account;
    const idleEnd = session.lastSeenAt.getTime() + this.config.sessionIdleMs;
    const absoluteEnd = session.createdAt.getTime() + this.config.sessionAbsoluteMs;
    return {
      person: { ...identityOf(a), organisationName: a.organisationName },
      csrfToken: session.csrfToken,
      expiresAt: new Date(Math.min(idleEnd, absoluteEnd)).toISOString(),
    };
  }
}

function identityOf(a: StaffAccountRecord): StaffIdentityDto {
  return {
    id: a.id,
    username: a.username,
    displayName: a.displayName,
    role: a.role,
    organisationId: a.organisationId,
    organisationKind: a.organisationKind,
  };
}

export function toAccountDto(a: StaffAccountRecord): StaffAccountDto {
  return {
    ...identityOf(a),
    disabled: a.disabled,
    lockedUntil: a.lockedUntil?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}
