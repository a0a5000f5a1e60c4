import { ERROR_KINDS, ErrorKind } from './domain.exception';
import { PROBLEM_TYPE_BASE, problemType, statusOf } from './problem-details';

describe(statusOf.name, () => {
  it.each([
    ['invalid', 400],
    ['unauthenticated', 401],
    ['not-found', 404],
    ['conflict', 409],
    ['unprocessable', 422],
    ['rate-limited', 429],
    ['unavailable', 503],
  ] as const)('should map %s to %i', (kind, status) => {
    expect(statusOf(kind)).toBe(status);
  });

  it('should map every error kind to a distinct status', () => {
    const statuses = ERROR_KINDS.map((kind) => statusOf(kind));

    expect(new Set(statuses).size).toBe(ERROR_KINDS.length);
  });

  it('should throw when the kind is not known', () => {
    expect(() => statusOf('teapot' as ErrorKind)).toThrow('Unhandled case: teapot');
  });
});

describe(problemType.name, () => {
  it('should turn the code into a kebab-case URI under the problem base', () => {
    expect(problemType('CONSENT_NOT_FOUND')).toBe(`${PROBLEM_TYPE_BASE}consent-not-found`);
  });

  it('should produce an absolute https URI', () => {
    expect(new URL(problemType('X')).protocol).toBe('https:');
  });
});
