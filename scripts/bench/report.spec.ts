import { LatencyRecorder, sustainedThroughput } from './latency';
import { areaCodesOf } from './raw-baseline';
import {
  BenchReport,
  computeRatios,
  evaluateGoals,
  formatReport,
  GREEN_NOTIFIED_GOAL,
  IsolationResult,
  ProcessUsage,
  ReplicasResult,
  replicasLine,
  RunResult,
  SystemResult,
} from './report';

const summary = (p99: number) => ({ count: 10, p50: p99 / 2, p95: p99, p99, max: p99, mean: p99 / 2 });

function run(system: RunResult['system'], throughput: number | undefined, p99: number): RunResult {
  return {
    label: `${system} run`,
    system,
    offeredRate: 50,
    sent: 100,
    accepted: 100,
    failed: 0,
    assigned: 100,
    throughput,
    stageThroughput: { accepted: throughput, registered: throughput },
    seconds: 2,
    latency: {
      accept: summary(p99 / 4),
      dischargeToRegistered: summary(p99 / 2),
      registeredToAssigned: summary(p99 / 2),
      dischargeToAssigned: summary(p99),
    },
  };
}

function usage(name: string, peakMb: number, cpuMs: number): ProcessUsage {
  const mb = 1024 * 1024;
  return {
    name,
    idleRssBytes: 100 * mb,
    rssBytes: peakMb * mb,
    peakRssBytes: peakMb * mb,
    cpuSeconds: 10,
    cpuMsPerReferral: cpuMs,
  };
}

function isolation(idleP99: number, loadedP99: number): IsolationResult {
  return {
    queued: 10_000,
    backlogAtEnd: 9_000,
    consumers: [{ service: 'registration', idle: summary(10), loaded: summary(20) }],
    notified: { idle: summary(idleP99), loaded: summary(loadedP99) },
  };
}

function system(kind: RunResult['system'], throughput: number, p99: number, cpuMs: number): SystemResult {
  return {
    saturation: run(kind, throughput, p99 * 10),
    latency: run(kind, throughput / 2, p99),
    usage: [usage(`${kind} a`, 150, cpuMs / 2), usage(`${kind} b`, 250, cpuMs / 2)],
    servers: [
      { name: 'postgres', cpuMsPerReferral: cpuMs },
      { name: 'nats-server', cpuMsPerReferral: cpuMs / 4 },
    ],
  };
}

describe('LatencyRecorder', () => {
  it('should report percentiles in ms to three significant digits, never above the maximum', () => {
    const recorder = new LatencyRecorder();
    for (let i = 1; i <= 1000; i++) recorder.record(i / 10); // 0.1 … 100 ms
    const s = recorder.summary();
    expect(s.count).toBe(1000);
    expect(s.p50).toBeCloseTo(50, 0);
    expect(s.p99).toBeCloseTo(99, 0);
    expect(s.max).toBeCloseTo(100, 0);
    expect(s.p99).toBeLessThanOrEqual(s.max);
    expect(s.mean).toBeCloseTo(50.05, 0);
  });

  it('should answer zeros when nothing was recorded and refuse a non-number', () => {
    const recorder = new LatencyRecorder();
    expect(recorder.summary()).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 });
    expect(() => recorder.record(Number.NaN)).toThrow(/not a latency/);
  });
});

describe('sustainedThroughput', () => {
  it('should rate the middle 80 % of completions, ignoring a slow tail', () => {
    const completions = Array.from({ length: 100 }, (_, i) => i * 10); // 100/s
    completions.push(60_000); // one straggler a minute later
    expect(sustainedThroughput(completions)).toBeCloseTo(100, 0);
  });

  it('should not guess from fewer than 20 completions', () => {
    expect(sustainedThroughput([1, 2, 3])).toBeUndefined();
  });
});

describe('goals', () => {
  it('should judge throughput against 1.0 with the 0.5 floor, p99 against 2x and RSS against 200 MB', () => {
    const baseline = system('baseline', 200, 100, 4);
    const project = system('project', 150, 250, 12);
    const ratios = computeRatios(baseline, project);
    expect(ratios.throughputProjectOverBaseline).toBeCloseTo(0.75);
    expect(ratios.p99ProjectOverBaseline).toBeCloseTo(2.5);
    expect(ratios.cpuPerReferralProjectOverBaseline).toBeCloseTo(3);
    expect(ratios.serverCpuPerReferralProjectOverBaseline).toBeCloseTo(3);
    const goals = evaluateGoals(ratios, project.usage, false);
    const verdict = (prefix: string) => goals.find((g) => g.name.startsWith(prefix))?.verdict;
    expect(verdict('throughput project')).toBe('floor');
    expect(verdict('p99 discharge→assigned project')).toBe('missed');
    expect(verdict('peak RSS project a')).toBe('met');
    expect(verdict('peak RSS project b')).toBe('missed');
    expect(goals.some((g) => g.name.includes('stored history'))).toBe(false);
  });

  it('should say "not measured" rather than pass a goal it has no number for', () => {
    const baseline = system('baseline', 200, 100, 4);
    const project = system('project', 150, 100, 4);
    project.saturation.throughput = undefined;
    const goals = evaluateGoals(computeRatios(baseline, project), [], false);
    expect(goals[0]).toMatchObject({ name: 'throughput project / baseline', verdict: 'not measured' });
  });

  it('should judge growth within 1.5x of the empty case', () => {
    const baseline = system('baseline', 200, 100, 4);
    const project = system('project', 200, 100, 4);
    const grown = {
      ...system('project', 120, 160, 5),
      storedReferrals: 1_000_000,
      sites: 10_000,
      seedSeconds: 60,
    };
    const goals = evaluateGoals(computeRatios(baseline, project, grown), [], true);
    expect(goals.find((g) => g.name === 'throughput with stored history / empty')?.verdict).toBe('missed');
    expect(goals.find((g) => g.name === 'p99 discharge→assigned with stored history / empty')?.verdict).toBe(
      'missed',
    );
  });
});

describe('GREEN relapse reported → hospital notified', () => {
  const baseline = system('baseline', 200, 100, 4);
  const project = system('project', 150, 150, 8);
  const goal = (iso: IsolationResult) =>
    evaluateGoals(computeRatios(baseline, project, undefined, iso), [], false, true).find(
      (g) => g.name === GREEN_NOTIFIED_GOAL,
    );

  it('should judge the p99 behind 10,000 queued referral events against 2x idle', () => {
    const ratios = computeRatios(baseline, project, undefined, isolation(40, 70));
    expect(ratios.greenNotifiedP99LoadedOverIdle).toBeCloseTo(1.75);
    expect(goal(isolation(40, 70))).toMatchObject({ value: 1.75, verdict: 'met' });
    expect(goal(isolation(40, 81))).toMatchObject({ verdict: 'missed' });
  });

  it('should say "not measured" when no notification was seen, and leave the goal out without isolation', () => {
    const none = isolation(40, 70);
    none.notified!.loaded = { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    expect(goal(none)).toMatchObject({ verdict: 'not measured' });
    const { notified: _, ...older } = isolation(40, 70);
    expect(goal(older)).toMatchObject({ verdict: 'not measured' });
    const ratios = computeRatios(baseline, project);
    expect(ratios).not.toHaveProperty('greenNotifiedP99LoadedOverIdle');
    expect(evaluateGoals(ratios, [], false).some((g) => g.name === GREEN_NOTIFIED_GOAL)).toBe(false);
  });

  it('should print both phases and the ratio, and report without a baseline (--isolation-only)', () => {
    const iso = isolation(40, 70);
    const ratios = computeRatios(undefined, project, undefined, iso);
    expect(ratios.p99ProjectOverBaseline).toBeUndefined();
    const text = formatReport({
      startedAt: '',
      finishedAt: '',
      machine: { cpus: 2, loadAverage: [1, 1, 1], node: 'v20' },
      options: {},
      method: '',
      project,
      isolation: iso,
      ratios,
      goals: evaluateGoals(ratios, project.usage, false, true),
    });
    expect(text).toContain('relapse reported → hospital notified');
    expect(text).toContain('10000 queued');
    expect(text).toContain('p99 ratio behind the backlog / idle: 1.75');
    expect(text).toContain(GREEN_NOTIFIED_GOAL);
    expect(text).not.toContain('baseline run');
  });
});

describe('formatReport', () => {
  it('should print every run, stage, process, ratio and goal', () => {
    const baseline = system('baseline', 200, 100, 4);
    const project = system('project', 210, 150, 8);
    const ratios = computeRatios(baseline, project);
    const report: BenchReport = {
      startedAt: '',
      finishedAt: '',
      machine: { cpus: 2, loadAverage: [1, 1, 1], node: 'v20' },
      options: {},
      method: '',
      baseline,
      project,
      ratios,
      goals: evaluateGoals(ratios, project.usage, false),
    };
    const text = formatReport(report);
    for (const expected of [
      'baseline run',
      'discharge→assigned',
      'project b',
      'cpuPerReferralProjectOverBaseline',
      'Shared servers',
      'nats-server',
      'throughput project / baseline',
      'missed',
    ]) {
      expect(text).toContain(expected);
    }
  });
});

describe('replicas (--replicas N)', () => {
  const baseline = system('baseline', 200, 100, 4);
  const project = system('project', 120, 150, 8);
  const replicas = (throughput: number): ReplicasResult => {
    const measured = system('project', throughput, 150, 9);
    return {
      replicas: 2,
      saturation: { ...measured.saturation, label: '2 replicas saturation' },
      usage: [
        usage('hospital-intake #1', 150, 3),
        usage('hospital-intake #2', 160, 3),
        usage('rehab-site #1', 120, 3),
      ],
      servers: measured.servers,
    };
  };

  it('should rate N replicas against 1 replica and the raw baseline and judge them against 1.0', () => {
    const ratios = computeRatios(baseline, project, undefined, undefined, replicas(132));
    expect(ratios.throughputReplicasOverOne).toBeCloseTo(1.1);
    expect(ratios.throughputReplicasOverBaseline).toBeCloseTo(0.66);
    expect(ratios.cpuPerReferralReplicasOverOne).toBeCloseTo(9 / 8);
    const goal = (r: ReplicasResult) =>
      evaluateGoals(computeRatios(baseline, project, undefined, undefined, r), [], false, false, 2).find(
        (g) => g.name === 'throughput 2 replicas / 1 replica',
      );
    expect(goal(replicas(132))).toMatchObject({ verdict: 'met' });
    expect(goal(replicas(90))).toMatchObject({ verdict: 'missed' });
    expect(computeRatios(baseline, project)).not.toHaveProperty('throughputReplicasOverOne');
  });

  it('should print the replicas line, their saturation run and each process', () => {
    const r = replicas(132);
    const ratios = computeRatios(baseline, project, undefined, undefined, r);
    const text = formatReport({
      startedAt: '',
      finishedAt: '',
      machine: { cpus: 2, loadAverage: [1, 1, 1], node: 'v20' },
      options: {},
      method: '',
      baseline,
      project,
      replicas: r,
      ratios,
      goals: evaluateGoals(ratios, [...project.usage, ...r.usage], false, false, 2),
    });
    expect(text).toContain('replicas 2: throughput 132.0/s = 1.10× 1 replica, = 0.66× raw baseline');
    expect(text).toContain('2 replicas saturation');
    expect(text).toMatch(/2 replicas\s+\S?\s*hospital-intake #2/);
    expect(replicasLine({ ratios })).toBeUndefined();
  });
});

describe('raw baseline routing', () => {
  it('should offer a residence to its committee, township and county, most local first', () => {
    expect(areaCodesOf('610902001003')).toEqual(['610902001003', '610902001', '610902']);
  });
});
