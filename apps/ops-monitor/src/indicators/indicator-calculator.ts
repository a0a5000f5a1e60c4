import { IndicatorSettings } from '../config/ops-monitor.config';
import { CoverageDenominators } from './coverage';
import { IndicatorFact } from './indicator-facts';
import { Month, Period } from './periods';

export const INDICATOR_CODES = [
  'REGISTERED',
  'STANDARD_SERVICE_RATE',
  'COMMUNITY_REHAB_RATE',
  'LOST_TO_FOLLOW_UP_RATE',
  'RELAPSE_RATE',
  'DECLINE_RATE',
  'REROUTE_RATE',
  'DISCHARGE_TO_SERVICE_MEDIAN_DAYS',
  'EMPLOYMENT_PLACEMENTS',
  'EMPLOYMENT_RETENTION_RATE',
  'COVERAGE_COUNTY',
  'COVERAGE_STREET',
  'COVERAGE_TOWNSHIP',
  'COVERAGE_URBAN_COMMUNITY',
] as const;
export type IndicatorCode = (typeof INDICATOR_CODES)[number];

/** Chinese name and the definition printed in the report. */
export const INDICATOR_DEFINITIONS: Record<IndicatorCode, { name: string; definition: string }> = {
  REGISTERED: { name: '登记康复对象数', definition: '期内登记的康复对象人数（按登记时间，北京时间）' },
  STANDARD_SERVICE_RATE: {
    name: '规范服务率',
    definition: '有康复计划且当月服务次数不少于N次的对象人月数 / 当月在册登记对象人月数（季度为三个月合计）',
  },
  COMMUNITY_REHAB_RATE: {
    name: '登记患者社区康复率',
    definition: '期内接受至少一次社区康复服务的在册对象 / 期内在册登记对象',
  },
  LOST_TO_FOLLOW_UP_RATE: {
    name: '累计失访率',
    definition: '截至期末以失访结案的对象 / 截至期末累计登记对象',
  },
  RELAPSE_RATE: { name: '复发率', definition: '期内经绿色通道报告复发的在册对象 / 期内在册登记对象' },
  DECLINE_RATE: { name: '拒收率', definition: '期内至少被一个站点拒收的转介 / 期内有派单的转介' },
  REROUTE_RATE: { name: '改派率', definition: '期内派往第二个及以后站点的转介 / 期内有派单的转介' },
  DISCHARGE_TO_SERVICE_MEDIAN_DAYS: {
    name: '出院至首次服务中位天数',
    definition: '首次服务在期内的转介，从出院到首次服务的天数中位数（分子为中位数，分母为人数）',
  },
  EMPLOYMENT_PLACEMENTS: { name: '就业安置人数', definition: '期内就业安置（庇护性、辅助性、竞争性）人数' },
  EMPLOYMENT_RETENTION_RATE: {
    name: '就业保持率',
    definition: '期内稳岗回访中仍在岗的次数 / 期内稳岗回访次数',
  },
  COVERAGE_COUNTY: {
    name: '县级康复中心覆盖率',
    definition: '有活跃县级中心的县（区） / 区域内县（区）总数',
  },
  COVERAGE_STREET: {
    name: '街道覆盖率',
    definition: '有活跃站点或其社区有活跃站的街道 / 区域内街道总数',
  },
  COVERAGE_TOWNSHIP: {
    name: '乡镇覆盖率',
    definition: '有活跃站点或其村（社区）有活跃站的乡、镇 / 区域内乡镇总数',
  },
  COVERAGE_URBAN_COMMUNITY: {
    name: '城市社区覆盖率',
    definition: '有活跃社区康复站的城市社区（居委会） / 区域内城市社区总数',
  },
};

/** Sites are active for coverage when they accepted a referral within this many days before the period end. */
export const ACTIVE_SITE_DAYS = 365;

/** A referral, a division or a site behind a number, with the events that put it there. */
export interface DrillDownItem {
  /** Referral id (or, for coverage, the division code). */
  readonly key: string;
  readonly eventIds: string[];
  /** Counted in the numerator (every item is in the denominator, except for count indicators). */
  readonly inNumerator: boolean;
}

export interface IndicatorValue {
  readonly code: IndicatorCode;
  readonly name: string;
  readonly definition: string;
  readonly area: string;
  readonly period: string;
  readonly numerator: number;
  /** Null for counts. */
  readonly denominator: number | null;
  /** A fraction for rates (0.25 = 25 %), the number itself for counts and medians; null when undefined (0/0). */
  readonly value: number | null;
  readonly target: number | null;
  /** value − target (negative: short of it). */
  readonly gap: number | null;
  /** Counts by a code (REGISTERED: by channel — hospital, self, family, village-committee…). */
  readonly breakdown: Record<string, number> | null;
  readonly drillDown: DrillDownItem[];
}

/** Everything known about one referral, from its facts. */
interface Subject {
  readonly referralId: string;
  readonly facts: IndicatorFact[];
  readonly countyCode: string | null;
  readonly registered?: IndicatorFact;
  readonly closed?: IndicatorFact;
  /** The referring hospital withdrew the referral before a site accepted it (the patient died, moved…). */
  readonly cancelled?: IndicatorFact;
  readonly discharged?: IndicatorFact;
}

const byTime = (a: IndicatorFact, b: IndicatorFact) =>
  a.occurredAt.getTime() - b.occurredAt.getTime() || a.eventId.localeCompare(b.eventId);

const within = (f: IndicatorFact, start: Date, end: Date) => f.occurredAt >= start && f.occurredAt < end;

/** The referral's county: the residence of its latest registration, discharge, application or transfer. */
function subjectsOf(facts: IndicatorFact[]): Subject[] {
  const grouped = new Map<string, IndicatorFact[]>();
  for (const f of [...facts].sort(byTime)) {
    const list = grouped.get(f.referralId);
    if (list) list.push(f);
    else grouped.set(f.referralId, [f]);
  }
  return [...grouped].map(([referralId, list]) => {
    const located = list.filter((f) => f.divisionCode);
    return {
      referralId,
      facts: list,
      countyCode: located.length > 0 ? located[located.length - 1].divisionCode!.slice(0, 6) : null,
      registered: list.find((f) => f.kind === 'registered'),
      closed: list.find((f) => f.kind === 'closed'),
      cancelled: list.find((f) => f.kind === 'cancelled'),
      discharged: list.find((f) => f.kind === 'discharged'),
    };
  });
}

/**
 * Registered before `end`, not closed before `start`, and not cancelled before `end` (a referral withdrawn before
 * any site took it never was a patient in community care, not even in the month it was withdrawn).
 */
const activeIn = (s: Subject, start: Date, end: Date) =>
  !!s.registered &&
  s.registered.occurredAt < end &&
  !(s.closed && s.closed.occurredAt < start) &&
  !(s.cancelled && s.cancelled.occurredAt < end);

const ids = (facts: (IndicatorFact | undefined)[]) =>
  facts.filter((f): f is IndicatorFact => !!f).map((f) => f.eventId);

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

export function targetFor(code: IndicatorCode, year: number, settings: IndicatorSettings): number | null {
  const t = settings.targets;
  switch (code) {
    case 'STANDARD_SERVICE_RATE': {
      const years = Object.keys(t.standardServiceRateByYear)
        .map(Number)
        .filter((y) => y <= year)
        .sort((a, b) => a - b);
      return years.length > 0 ? t.standardServiceRateByYear[String(years[years.length - 1])] : null;
    }
    case 'COMMUNITY_REHAB_RATE':
      return t.communityRehabRate;
    case 'COVERAGE_STREET':
      return t.coverageStreet;
    case 'COVERAGE_TOWNSHIP':
      return t.coverageTownship;
    case 'COVERAGE_URBAN_COMMUNITY':
      return t.coverageUrbanCommunity;
    case 'REGISTERED':
    case 'LOST_TO_FOLLOW_UP_RATE':
    case 'RELAPSE_RATE':
    case 'DECLINE_RATE':
    case 'REROUTE_RATE':
    case 'DISCHARGE_TO_SERVICE_MEDIAN_DAYS':
    case 'EMPLOYMENT_PLACEMENTS':
    case 'EMPLOYMENT_RETENTION_RATE':
    case 'COVERAGE_COUNTY':
      return null;
  }
}

export interface CalculationInput {
  /** Every fact of the referrals in the area, and every `accepted` fact (coverage), up to the period end. */
  readonly facts: IndicatorFact[];
  readonly period: Period;
  /** Division code: 2 (province), 4 (prefecture) or 6 (county) digits. */
  readonly area: string;
  readonly settings: IndicatorSettings;
  readonly coverage: CoverageDenominators;
}

/** Subjects meeting 规范服务 in one month: a plan recorded before the month ends and ≥ N sessions in it. */
function standardMonth(s: Subject, month: Month, n: number): DrillDownItem | undefined {
  if (!activeIn(s, month.start, month.end)) return undefined;
  const plan = s.facts.find((f) => f.kind === 'plan' && f.occurredAt < month.end);
  const sessions = s.facts.filter((f) => f.kind === 'session' && within(f, month.start, month.end));
  const met = !!plan && sessions.length >= n;
  return {
    key: `${s.referralId}@${month.label}`,
    eventIds: ids([s.registered, ...(met ? [plan, ...sessions] : [])]),
    inNumerator: met,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Every indicator for one area and period. Pure: the facts in, the numbers (with their events) out. */
export function calculateIndicators(input: CalculationInput): IndicatorValue[] {
  const { period, area, settings } = input;
  const { start, end } = period;
  const inArea = subjectsOf(input.facts).filter((s) => s.countyCode?.startsWith(area));
  const active = inArea.filter((s) => activeIn(s, start, end));
  const results: IndicatorValue[] = [];

  const add = (
    code: IndicatorCode,
    drillDown: DrillDownItem[],
    kind: 'rate' | 'count',
    override?: { numerator: number; denominator: number | null; value: number | null },
    breakdown: Record<string, number> | null = null,
  ) => {
    const numerator = drillDown.filter((d) => d.inNumerator).length;
    const denominator = kind === 'rate' ? drillDown.length : null;
    const computed = override ?? {
      numerator,
      denominator,
      value: kind === 'rate' ? ratio(numerator, drillDown.length) : numerator,
    };
    const target = targetFor(code, period.year, settings);
    results.push({
      code,
      ...INDICATOR_DEFINITIONS[code],
      area,
      period: period.label,
      ...computed,
      target,
      gap: target !== null && computed.value !== null ? computed.value - target : null,
      breakdown,
      drillDown,
    });
  };

  // 登记康复对象数, by channel: the application's channel, else hospital (a discharge)
  const registered = inArea.filter((s) => s.registered && within(s.registered, start, end));
  const channels: Record<string, number> = {};
  const registeredItems = registered.map((s) => {
    const origin =
      s.facts.find((f) => f.kind === 'application') ?? s.facts.find((f) => f.kind === 'discharged');
    const channel = origin?.detail ?? 'unknown';
    channels[channel] = (channels[channel] ?? 0) + 1;
    return { key: s.referralId, eventIds: ids([s.registered, origin]), inNumerator: true };
  });
  add('REGISTERED', registeredItems, 'count', undefined, channels);

  // 规范服务率: subject-months over the period's months
  add(
    'STANDARD_SERVICE_RATE',
    period.months.flatMap((month) =>
      inArea.flatMap((s) => standardMonth(s, month, settings.sessionsPerMonth) ?? []),
    ),
    'rate',
  );

  // 社区康复率
  add(
    'COMMUNITY_REHAB_RATE',
    active.map((s) => {
      const sessions = s.facts.filter((f) => f.kind === 'session' && within(f, start, end));
      return {
        key: s.referralId,
        eventIds: ids([s.registered, ...sessions]),
        inNumerator: sessions.length > 0,
      };
    }),
    'rate',
  );

  // 累计失访率
  add(
    'LOST_TO_FOLLOW_UP_RATE',
    inArea
      .filter((s) => s.registered && s.registered.occurredAt < end)
      .map((s) => {
        const lost = s.closed && s.closed.occurredAt < end && s.closed.detail === 'lost-to-follow-up';
        return {
          key: s.referralId,
          eventIds: ids([s.registered, lost ? s.closed : undefined]),
          inNumerator: !!lost,
        };
      }),
    'rate',
  );

  // 复发率
  add(
    'RELAPSE_RATE',
    active.map((s) => {
      const relapses = s.facts.filter((f) => f.kind === 'relapse' && within(f, start, end));
      return {
        key: s.referralId,
        eventIds: ids([s.registered, ...relapses]),
        inNumerator: relapses.length > 0,
      };
    }),
    'rate',
  );

  // 拒收率 and 改派率: referrals offered to a site in the period
  const offered = inArea
    .map((s) => ({
      s,
      assigned: s.facts.filter((f) => f.kind === 'assigned' && within(f, start, end)),
      declined: s.facts.filter((f) => f.kind === 'declined' && within(f, start, end)),
    }))
    .filter((o) => o.assigned.length > 0);
  add(
    'DECLINE_RATE',
    offered.map((o) => ({
      key: o.s.referralId,
      eventIds: ids([...o.assigned, ...o.declined]),
      inNumerator: o.declined.length > 0,
    })),
    'rate',
  );
  add(
    'REROUTE_RATE',
    offered.map((o) => ({
      key: o.s.referralId,
      eventIds: ids(o.assigned),
      inNumerator: o.assigned.some((f) => Number(f.detail) >= 2),
    })),
    'rate',
  );

  // 出院至首次服务中位天数
  const firstServices = inArea
    .map((s) => ({ s, first: s.facts.find((f) => f.kind === 'session') }))
    .filter((x) => x.s.discharged && x.first && within(x.first, start, end));
  const days = firstServices.map(
    (x) => (x.first!.occurredAt.getTime() - x.s.discharged!.occurredAt.getTime()) / 86_400_000,
  );
  const medianDays = median(days);
  add(
    'DISCHARGE_TO_SERVICE_MEDIAN_DAYS',
    firstServices.map((x) => ({
      key: x.s.referralId,
      eventIds: ids([x.s.discharged, x.first]),
      inNumerator: true,
    })),
    'count',
    {
      numerator: medianDays === null ? 0 : Math.round(medianDays * 10) / 10,
      denominator: firstServices.length,
      value: medianDays === null ? null : Math.round(medianDays * 10) / 10,
    },
  );

  // 就业安置 and 保持率
  add(
    'EMPLOYMENT_PLACEMENTS',
    inArea.flatMap((s) => {
      const placed = s.facts.filter((f) => f.kind === 'placed' && within(f, start, end));
      return placed.length > 0 ? [{ key: s.referralId, eventIds: ids(placed), inNumerator: true }] : [];
    }),
    'count',
  );
  add(
    'EMPLOYMENT_RETENTION_RATE',
    inArea.flatMap((s) =>
      s.facts
        .filter((f) => f.kind === 'retention' && within(f, start, end))
        .map((f) => ({ key: s.referralId, eventIds: [f.eventId], inNumerator: f.detail!.endsWith(':true') })),
    ),
    'rate',
  );

  results.push(...coverageIndicators(input));
  return results;
}

/** Coverage: divisions of the area with an active site of the right level (accepted a referral in the last year). */
function coverageIndicators(input: CalculationInput): IndicatorValue[] {
  const { period, area, settings, coverage } = input;
  const since = new Date(period.end.getTime() - ACTIVE_SITE_DAYS * 86_400_000);
  const accepted = input.facts.filter(
    (f) => f.kind === 'accepted' && f.siteLevel && f.areaCodes && within(f, since, period.end),
  );
  // division code → the acceptance events of active sites serving it (or, for townships, one of its committees)
  const covering = new Map<string, string[]>();
  const mark = (code: string, eventId: string) => {
    const list = covering.get(code);
    if (!list) covering.set(code, [eventId]);
    else if (!list.includes(eventId)) list.push(eventId);
  };
  for (const f of accepted) {
    for (const code of f.areaCodes!) {
      if (!code.startsWith(area) && !area.startsWith(code)) continue;
      if (f.siteLevel === 'county-centre' && code.length === 6) mark(code, f.eventId);
      if (f.siteLevel === 'street-site' && code.length === 9) mark(code, f.eventId);
      if (f.siteLevel === 'community-station' && code.length === 12) {
        mark(code, f.eventId);
        mark(code.slice(0, 9), f.eventId);
      }
    }
  }
  const one = (code: IndicatorCode, divisions: readonly string[]): IndicatorValue => {
    const drillDown = divisions.map((d) => ({
      key: d,
      eventIds: covering.get(d) ?? [],
      inNumerator: covering.has(d),
    }));
    const numerator = drillDown.filter((d) => d.inNumerator).length;
    const value = ratio(numerator, divisions.length);
    const target = targetFor(code, period.year, settings);
    return {
      code,
      ...INDICATOR_DEFINITIONS[code],
      area,
      period: period.label,
      numerator,
      denominator: divisions.length,
      value,
      target,
      gap: target !== null && value !== null ? value - target : null,
      breakdown: null,
      // Only the covered divisions are listed with events; the others are listed by code.
      drillDown,
    };
  };
  return [
    one('COVERAGE_COUNTY', coverage.counties),
    one('COVERAGE_STREET', coverage.streets),
    one('COVERAGE_TOWNSHIP', coverage.townships),
    one('COVERAGE_URBAN_COMMUNITY', coverage.urbanCommunities),
  ];
}
