/**
 * Every HTTP route lives under `/v1`. Routes that were served without the prefix before (registration's
 * `applications`, `registrations`, `identity-reviews`, hospital-intake's `fhir` and `hl7`, every app's
 * `audit-events`) still answer at the old path for one release: `@Controller(versioned('applications'))` serves
 * both, the old one marked deprecated in OpenAPI and answered with `Deprecation`, `Sunset` and a `Link` to the
 * successor (RFC 9745, RFC 8594). After LEGACY_SUNSET the old paths are removed.
 */
export const API_VERSION_PREFIX = 'v1';

/** When the unprefixed aliases stop answering (RFC 8594 `Sunset`, an HTTP date). */
export const LEGACY_SUNSET = 'Wed, 30 Jun 2027 00:00:00 GMT';
/** When they were deprecated (RFC 9745 `Deprecation`: `@` + Unix seconds). */
export const LEGACY_DEPRECATED_AT = Date.UTC(2026, 11, 5) / 1000;

const legacyPrefixes = new Set<string>();

/** The `/v1/<path>` route and its deprecated unprefixed alias, for `@Controller(...)`. */
export function versioned(path: string): string[] {
  const bare = path.replace(/^\/+|\/+$/g, '');
  legacyPrefixes.add(`/${bare.toLowerCase()}`);
  return [`${API_VERSION_PREFIX}/${bare}`, bare];
}

/** The lower-case unprefixed paths registered by `versioned` (each with `/` in front). */
export function legacyPathPrefixes(): readonly string[] {
  return [...legacyPrefixes].sort();
}

/** The deprecated alias prefix a path falls under (a lower-case, normalised path), if any. */
export function legacyPrefixOf(normalisedPath: string): string | undefined {
  return [...legacyPrefixes].find((p) => normalisedPath === p || normalisedPath.startsWith(`${p}/`));
}
