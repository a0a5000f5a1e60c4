import { OrganisationPrincipal } from './principal';

interface Entry {
  readonly principal: OrganisationPrincipal;
  /** Epoch ms after which the entry is not used (the cache TTL). */
  readonly cachedUntil: number;
  /** Epoch ms of the key's own expiry (rotation grace), or null. */
  readonly keyExpiresAt: number | null;
}

/** What a lookup must remember to store its answer afterwards (see {@link ApiKeyCache.begin}). */
export interface CacheTicket {
  readonly generation: number;
}

const organisationTag = (organisationId: string, organisationKind: string) =>
  `org:${organisationKind}:${organisationId}`;
const keyTag = (keyId: string) => `key:${keyId}`;

/**
 * Verified API keys of this process, keyed by the key's sha256 (hex): bounded in size (least recently used
 * out) and in time (`ttlMs`, after which the database is asked again, so another replica's revocation is
 * seen within the TTL). An entry is never used past the key's own expiry. Unknown, revoked or expired keys
 * are not cached: a flood of random keys cannot push verified keys out.
 *
 * Invalidation (a revocation, rotation or re-issue in this process) drops the entries at once, and for one
 * TTL after it refuses to store entries of the keys / organisation concerned: a lookup that read the row
 * before the change committed cannot put the old state back.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly suppressed = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0 && this.maxEntries > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached principal of a key, if cached, fresh and the key not expired. */
  get(digestHex: string): OrganisationPrincipal | undefined {
    const entry = this.entries.get(digestHex);
    if (!entry) return undefined;
    const now = this.now();
    if (now >= entry.cachedUntil || (entry.keyExpiresAt !== null && now >= entry.keyExpiresAt)) {
      this.entries.delete(digestHex);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(digestHex);
    this.entries.set(digestHex, entry);
    return entry.principal;
  }

  /** Taken before the database lookup whose answer may be stored. */
  begin(): CacheTicket {
    return { generation: this.generation };
  }

  /** Stores a verified key unless an invalidation of it happened since `ticket` (or still suppresses it). */
  set(
    ticket: CacheTicket,
    digestHex: string,
    principal: OrganisationPrincipal,
    keyExpiresAt: Date | null,
  ): void {
    if (!this.enabled) return;
    const now = this.now();
    // An invalidation while the row was being read: its answer may predate the change.
    if (ticket.generation !== this.generation || this.isSuppressed(principal, now)) return;
    const expiresAt = keyExpiresAt?.getTime() ?? null;
    if (expiresAt !== null && now >= expiresAt) return;
    this.entries.delete(digestHex);
    this.entries.set(digestHex, {
      principal: Object.freeze({ ...principal }),
      cachedUntil: now + this.ttlMs,
      keyExpiresAt: expiresAt,
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  /** Drops one key (revoked, or its expiry changed) and keeps it out for one TTL. */
  invalidateKey(keyId: string): void {
    this.invalidate(keyTag(keyId), (p) => p.keyId === keyId);
  }

  /** Drops every key of an organisation (re-issued) and keeps them out for one TTL. */
  invalidateOrganisation(organisationId: string, organisationKind: string): void {
    this.invalidate(
      organisationTag(organisationId, organisationKind),
      (p) => p.organisationId === organisationId && p.organisationKind === organisationKind,
    );
  }

  private invalidate(tag: string, matches: (p: OrganisationPrincipal) => boolean): void {
    this.generation++;
    const now = this.now();
    for (const [t, until] of this.suppressed) if (until <= now) this.suppressed.delete(t);
    this.suppressed.set(tag, now + this.ttlMs);
    for (const [digest, entry] of this.entries) if (matches(entry.principal)) this.entries.delete(digest);
  }

  private isSuppressed(principal: OrganisationPrincipal, now: number): boolean {
    for (const tag of [
      keyTag(principal.keyId),
      organisationTag(principal.organisationId, principal.organisationKind),
    ]) {
      const until = this.suppressed.get(tag);
      if (until !== undefined && until > now) return true;
    }
    return false;
  }
}
