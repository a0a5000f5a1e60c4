import { SERVICE_CATALOGUE } from '@app/contracts';
import { parseRewindArguments } from './restore-rewind';

describe('restore:rewind arguments', () => {
  const now = new Date('2026-01-31T12:00:00Z');

  it('should rewind every app of the catalogue to the given instant when no app is named', () => {
    const args = parseRewindArguments(['--since', '2026-01-31T02:00:00+08:00'], now);
    expect(args.since.toISOString()).toBe('2026-01-30T18:00:00.000Z');
    expect(args.apps).toEqual(SERVICE_CATALOGUE.map((s) => s.name));
  });

  it('should rewind only the apps named', () => {
    expect(
      parseRewindArguments(['--since', '2026-01-31T02:00:00Z', '--apps', 'registration,rehab-site'], now)
        .apps,
    ).toEqual(['registration', 'rehab-site']);
  });

  it.each([
    [[], /--since is required/],
    [['--since'], /--since needs a value/],
    [['--since', '2026-01-31 02:00'], /not an ISO 8601 time with a zone/],
    [['--since', '2026-01-31T02:00:00'], /not an ISO 8601 time with a zone/],
    [['--since', '2026-02-30T02:00:00Z'], /not a valid time|future/],
    [['--since', '2026-02-01T00:00:00Z'], /in the future/],
    [
      ['--since', '2026-01-31T02:00:00Z', '--apps', 'registration,billing'],
      /not in the service catalogue: billing/,
    ],
  ])('should refuse %j', (argv, message) => {
    expect(() => parseRewindArguments(argv, now)).toThrow(message);
  });
});
