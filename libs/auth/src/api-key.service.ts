import { Inject, Injectable } from '@nestjs/common';
import { DomainException } from '@app/core';
import { organisationActor, systemActor, TransactionHost } from '@app/persistence';

/** The key registry holds no referral or patient data: ops and key issuing act for the service itself. */
const KEY_REGISTRY = systemActor('api-key-registry');
import { AUTH_CONFIG, AuthConfig } from './auth.config';
import { ApiKeyCache } from './api-key-cache';
import { apiKeyPrefix, isPlausibleApiKey, issueApiKey, keyMatches, sha256 } from './api-key';
import { ApiKeyRecord, ApiKeyRepository } from './api-key.repository';
import { OrganisationKind, OrganisationPrincipal } from './principal';

export interface Organisation {
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly organisationName: string;
  readonly divisionCode?: string | null;
}

export interface NewKey {
  /** The key in clear: returned once, never stored. */
  readonly apiKey: string;
  readonly record: ApiKeyRecord;
}

/**
 * Issues, rotates, revokes and checks organisation API keys (sha256 stored, constant-time compare). Verified
 * keys are cached in process for API_KEY_CACHE_TTL_MS (never past the key's own expiry); a revocation,
 * rotation or re-issue here evicts at once, another replica's is seen within the TTL.
 */
@Injectable()
export class ApiKeyService {
  private readonly cache: ApiKeyCache;

  constructor(
    private readonly tx: TransactionHost,
    private readonly keys: ApiKeyRepository,
    @Inject(AUTH_CONFIG) private readonly config: AuthConfig,
  ) {
    this.cache = new ApiKeyCache(config.apiKeyCacheSize, config.apiKeyCacheTtlMs);
  }

  /** The organisation a presented key belongs to; undefined for a malformed, unknown, revoked or expired key. */
  async authenticate(presented: unknown): Promise<OrganisationPrincipal | undefined> {
    if (!isPlausibleApiKey(presented)) return undefined;
    // The cache is keyed by the full sha256 of the presented key: a hit is the same key that was verified.
    const digest = sha256(presented);
    const digestHex = digest.toString('hex');
    const cached = this.cache.get(digestHex);
    if (cached) return cached;
    const ticket = this.cache.begin();
    const stored = await this.keys.findUsableByHash(digest);
    if (!stored || !keyMatches(presented, stored.keySha256)) return undefined;
    const principal: OrganisationPrincipal = {
      type: 'organisation',
      keyId: stored.id,
      organisationId: stored.organisationId,
      organisationKind: stored.organisationKind,
      organisationName: stored.organisationName,
      divisionCode: stored.divisionCode,
    };
    this.cache.set(ticket, digestHex, principal, stored.expiresAt);
    return principal;
  }

  /** A new key for the organisation (other keys untouched). Joins the caller's transaction if any. */
  async issue(organisation: Organisation, rotatedFrom?: string): Promise<NewKey> {
    const issued = issueApiKey();
    const record = await this.tx.run(
      () =>
        this.keys.insert({
          prefix: apiKeyPrefix(issued.key),
          keySha256: issued.sha256,
          organisationId: organisation.organisationId,
          organisationKind: organisation.organisationKind,
          organisationName: organisation.organisationName,
          divisionCode: organisation.divisionCode ?? null,
          rotatedFrom,
        }),
      KEY_REGISTRY,
    );
    return { apiKey: issued.key, record };
  }

  /**
   * The organisation rotates the key it called with: a new key (returned once) and the old one keeps working
   * for the grace period (API_KEY_ROTATION_GRACE_HOURS), then expires. Only a key without an expiry rotates: a
   * key in its grace period (already superseded) answers 409 API_KEY_ALREADY_ROTATED, so a superseded (or
   * leaked) key cannot mint keys that outlive its own expiry, and concurrent rotations of one key mint one.
   */
  async rotate(caller: OrganisationPrincipal): Promise<NewKey & { previousKeyExpiresAt: Date }> {
    if (caller.person) {
      throw new DomainException('API_KEY_REQUIRED', 'forbidden', 'Only an API key rotates itself');
    }
    this.cache.invalidateKey(caller.keyId);
    const rotated = await this.tx.run(
      async () => {
        const graceEnds = new Date(Date.now() + this.config.rotationGraceHours * 3_600_000);
        const previousKeyExpiresAt = await this.keys.supersede(caller.keyId, graceEnds);
        const current = await this.keys.findById(caller.keyId);
        if (!current || current.revokedAt) {
          throw new DomainException(UNAUTHENTICATED_CODE, 'unauthenticated', 'The key was revoked');
        }
        if (!previousKeyExpiresAt) {
          throw new DomainException(
            API_KEY_ALREADY_ROTATED,
            'conflict',
            'This key was already rotated (it only works until its grace period ends): use the key that replaced it',
            { expiresAt: current.expiresAt?.toISOString() ?? null },
          );
        }
        const fresh = await this.issue(current, current.id);
        return { ...fresh, previousKeyExpiresAt };
      },
      organisationActor(caller.organisationId, caller.organisationKind),
    );
    // Its cached entry had no expiry: read again (with the grace expiry) on the next call.
    this.cache.invalidateKey(caller.keyId);
    return rotated;
  }

  /** Ops: revoke everything the organisation holds and issue one new key (e.g. after a leak). */
  async reissue(organisation: Organisation): Promise<NewKey> {
    this.cache.invalidateOrganisation(organisation.organisationId, organisation.organisationKind);
    const issued = await this.tx.run(async () => {
      await this.keys.revokeAllOf(organisation.organisationId, organisation.organisationKind);
      return this.issue(organisation);
    }, KEY_REGISTRY);
    this.cache.invalidateOrganisation(organisation.organisationId, organisation.organisationKind);
    return issued;
  }

  /** Ops: revoke one key at once (404 for an unknown or already revoked key). */
  async revoke(id: string): Promise<ApiKeyRecord> {
    this.cache.invalidateKey(id);
    const revoked = await this.tx.run(async () => {
      if (!(await this.keys.revoke(id))) {
        throw new DomainException('API_KEY_NOT_FOUND', 'not-found', 'No such live API key');
      }
      return (await this.keys.findById(id))!;
    }, KEY_REGISTRY);
    this.cache.invalidateKey(id);
    return revoked;
  }

  list(organisationId: string | undefined, limit: number, afterId?: string): Promise<ApiKeyRecord[]> {
    return this.keys.listOf(organisationId, limit, afterId);
  }
}

const UNAUTHENTICATED_CODE = 'UNAUTHENTICATED';
/** 409: the key presented for rotation is already in its grace period. */
export const API_KEY_ALREADY_ROTATED = 'API_KEY_ALREADY_ROTATED';
