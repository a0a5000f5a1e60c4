import { ApiKeyCache } from './api-key-cache';
import { OrganisationPrincipal } from './principal';

const principal = (keyId: string, organisationId = 'h1'): OrganisationPrincipal => ({
  type: 'organisation',
  keyId,
  organisationId,
  organisationKind: 'hospital',
  organisationName: 'H',
  divisionCode: null,
});

describe('ApiKeyCache', () => {
  let now: number;
  const cache = (size = 3, ttl = 5_000) => new ApiKeyCache(size, ttl, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  it('should answer a stored key until the TTL, then forget it', () => {
    const c = cache();
    c.set(c.begin(), 'd1', principal('k1'), null);
    expect(c.get('d1')).toEqual(principal('k1'));
    now += 4_999;
    expect(c.get('d1')).toBeDefined();
    now += 1;
    expect(c.get('d1')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it("should never answer past the key's own expiry, to the millisecond", () => {
    const c = cache();
    c.set(c.begin(), 'd1', principal('k1'), new Date(now + 1_000));
    now += 999;
    expect(c.get('d1')).toBeDefined();
    now += 1;
    expect(c.get('d1')).toBeUndefined();
    // an already expired key is not stored at all
    c.set(c.begin(), 'd2', principal('k2'), new Date(now));
    expect(c.get('d2')).toBeUndefined();
  });

  it('should keep at most its size, dropping the least recently used', () => {
    const c = cache(2);
    c.set(c.begin(), 'd1', principal('k1'), null);
    c.set(c.begin(), 'd2', principal('k2'), null);
    expect(c.get('d1')).toBeDefined(); // d2 is now the least recently used
    c.set(c.begin(), 'd3', principal('k3'), null);
    expect(c.size).toBe(2);
    expect(c.get('d2')).toBeUndefined();
    expect(c.get('d1')).toBeDefined();
    expect(c.get('d3')).toBeDefined();
  });

  it('should drop a revoked key at once and not store a lookup that read it before the revocation', () => {
    const c = cache();
    c.set(c.begin(), 'd1', principal('k1'), null);
    const inFlight = c.begin();
    c.invalidateKey('k1');
    expect(c.get('d1')).toBeUndefined();
    c.set(inFlight, 'd1', principal('k1'), null);
    expect(c.get('d1')).toBeUndefined();
    // nor one that started after it, while the change may not have committed yet (one TTL)
    c.set(c.begin(), 'd1', principal('k1'), null);
    expect(c.get('d1')).toBeUndefined();
    now += 5_000;
    c.set(c.begin(), 'd1', principal('k1'), null);
    expect(c.get('d1')).toBeDefined();
  });

  it("should drop every key of a re-issued organisation and leave others' alone", () => {
    const c = cache(10);
    c.set(c.begin(), 'a1', principal('k1', 'h1'), null);
    c.set(c.begin(), 'a2', principal('k2', 'h1'), null);
    c.set(c.begin(), 'b1', principal('k3', 'h2'), null);
    c.invalidateOrganisation('h1', 'hospital');
    expect(c.get('a1')).toBeUndefined();
    expect(c.get('a2')).toBeUndefined();
    expect(c.get('b1')).toBeDefined();
    c.set(c.begin(), 'a3', principal('k4', 'h1'), null);
    expect(c.get('a3')).toBeUndefined();
  });

  it('should store nothing with a TTL of 0', () => {
    const c = cache(3, 0);
    c.set(c.begin(), 'd1', principal('k1'), null);
    expect(c.get('d1')).toBeUndefined();
  });

  it('should hand out a principal that cannot be changed for later callers', () => {
    const c = cache();
    c.set(c.begin(), 'd1', principal('k1'), null);
    expect(Object.isFrozen(c.get('d1'))).toBe(true);
  });
});
