import { isolationSamples, parseBenchOptions } from './bench';

describe('npm run bench options', () => {
  it('should use the full sizes by default and shrink them with --quick', () => {
    const full = parseBenchOptions([]);
    expect(full).toMatchObject({ referrals: 3000, history: 1_000_000, growthSites: 10_000, queued: 10_000 });
    expect(full.rate).toBeUndefined();
    const quick = parseBenchOptions(['--quick']);
    expect(quick).toMatchObject({
      quick: true,
      referrals: 400,
      history: 20_000,
      growthSites: 2_000,
      queued: 1_000,
    });
  });

  it('should take explicit sizes, 0 to skip growth or isolation, and extra app environment', () => {
    const options = parseBenchOptions([
      '--referrals',
      '5_000',
      '--rate',
      '120',
      '--history',
      '0',
      '--queued',
      '0',
      '--app-env',
      'CONSUMER_LANES=8',
      '--app-env',
      'OUTBOX_BATCH_SIZE=500',
    ]);
    expect(options).toMatchObject({ referrals: 5000, rate: 120, history: 0, queued: 0 });
    expect(options.appEnv).toEqual({ CONSUMER_LANES: '8', OUTBOX_BATCH_SIZE: '500' });
  });

  it('should run the apps and GREEN isolation alone with --isolation-only', () => {
    expect(parseBenchOptions([])).toMatchObject({ isolationOnly: false });
    const options = parseBenchOptions(['--quick', '--isolation-only', '--queued', '10000', '--history', '5']);
    expect(options).toMatchObject({ isolationOnly: true, queued: 10_000, history: 0 });
    // Isolation without a backlog would measure nothing.
    expect(() => parseBenchOptions(['--isolation-only', '--queued', '0'])).toThrow(/queued/);
  });

  it('should add a replicas phase with --replicas N (1, the default, skips it)', () => {
    expect(parseBenchOptions([]).replicas).toBe(1);
    const options = parseBenchOptions(['--quick', '--replicas', '2', '--app-env', 'CONSUMER_LANES=4']);
    expect(options).toMatchObject({ replicas: 2, appEnv: { CONSUMER_LANES: '4' } });
    expect(() => parseBenchOptions(['--replicas', '0'])).toThrow(/replicas/);
    expect(() => parseBenchOptions(['--replicas', '1.5'])).toThrow(/whole number/);
  });

  it('should refuse what it cannot run', () => {
    expect(() => parseBenchOptions(['--referrals', '0'])).toThrow(/referrals/);
    expect(() => parseBenchOptions(['--rate', 'fast'])).toThrow(/rate/);
    expect(() => parseBenchOptions(['--app-env', 'NOVALUE'])).toThrow(/NAME=value/);
    expect(() => parseBenchOptions(['--unknown'])).toThrow();
  });

  it('should time up to 100 GREEN events a phase, fewer when fewer referrals finished, never under 20', () => {
    expect(isolationSamples(6000)).toBe(100);
    expect(isolationSamples(800)).toBe(100);
    expect(isolationSamples(120)).toBe(60);
    expect(isolationSamples(10)).toBe(20);
  });
});
