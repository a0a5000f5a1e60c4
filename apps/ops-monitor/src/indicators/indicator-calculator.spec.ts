import { randomUUID } from 'node:crypto';
import { EVENTS, referralSealContext } from '@app/contracts';
import { FieldCipher, keyringFromEnv } from '@app/crypto';
import { buildEnvelope } from '@app/messaging';
import { scenarioEvents } from '@apps/ops-monitor/test/indicator-scenario';
import { loadOpsMonitorConfig } from '../config/ops-monitor.config';
import { calculateIndicators, IndicatorCode, IndicatorValue } from './indicator-calculator';
import { indicatorFactOf, IndicatorFact } from './indicator-facts';
import { parsePeriod } from './periods';

const cipher = new FieldCipher(keyringFromEnv());
const ids = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`R${i + 1}`, randomUUID()]));
const byId = Object.fromEntries(Object.entries(ids).map(([r, id]) => [id, r]));

function scenarioFacts(): IndicatorFact[] {
  const seal = (referralId: string) =>
    cipher.sealJson({ name: '张三', phone: '13800138000' }, referralSealContext('siteContact', referralId));
  return scenarioEvents(ids, seal, randomUUID).flatMap((e) => {
    const envelope = buildEnvelope(e.definition, e.definition.producer, e.data, {
      subject: e.referral,
      time: e.time,
    });
    const fact = indicatorFactOf(envelope);
    return fact ? [fact] : [];
  });
}

/** Small made-up denominators (the real ones are checked in coverage.spec.ts). */
const coverage = {
  counties: ['610902', '610926', '610921'],
  streets: ['610902001', '610902002'],
  townships: ['610926100', '610926101', '610921100', '610921101', '610921102'],
  urbanCommunities: ['610902001003', '610926100001'],
};

function compute(
  period: string,
  area = '6109',
  more: IndicatorFact[] = [],
): Record<IndicatorCode, IndicatorValue> {
  const values = calculateIndicators({
    facts: [...scenarioFacts(), ...more],
    period: parsePeriod(period),
    area,
    settings: loadOpsMonitorConfig({}).indicators,
    coverage,
  });
  return Object.fromEntries(values.map((v) => [v.code, v])) as Record<IndicatorCode, IndicatorValue>;
}

const ratio = (v: IndicatorValue) => [v.numerator, v.denominator];
const members = (v: IndicatorValue) =>
  v.drillDown
    .filter((d) => d.inNumerator)
    .map((d) => byId[d.key.split('@')[0]] + (d.key.includes('@') ? `@${d.key.split('@')[1]}` : ''))
    .sort();

describe('calculateIndicators on the hand-computed scenario (see indicators.integration-spec.ts)', () => {
  it('2026-Q3 over 安康市', () => {
    const q = compute('2026-Q3');
    expect(q.REGISTERED.numerator).toBe(7);
    expect(q.REGISTERED.breakdown).toEqual({ hospital: 4, family: 1, self: 2 });
    expect(ratio(q.STANDARD_SERVICE_RATE)).toEqual([12, 24]);
    expect(q.STANDARD_SERVICE_RATE.target).toBe(0.6);
    expect(q.STANDARD_SERVICE_RATE.gap).toBeCloseTo(-0.1, 10);
    expect(members(q.STANDARD_SERVICE_RATE)).toEqual(
      [
        'R1@2026-07',
        'R3@2026-07',
        'R7@2026-07',
        'R8@2026-07',
        'R1@2026-08',
        'R2@2026-08',
        'R3@2026-08',
        'R7@2026-08',
        'R9@2026-08',
        'R3@2026-09',
        'R7@2026-09',
        'R9@2026-09',
      ].sort(),
    );
    expect(ratio(q.COMMUNITY_REHAB_RATE)).toEqual([8, 9]);
    expect(ratio(q.LOST_TO_FOLLOW_UP_RATE)).toEqual([3, 11]);
    expect(members(q.LOST_TO_FOLLOW_UP_RATE)).toEqual(['R11', 'R2', 'R8']);
    expect(ratio(q.RELAPSE_RATE)).toEqual([2, 9]);
    expect(ratio(q.DECLINE_RATE)).toEqual([3, 7]);
    expect(ratio(q.REROUTE_RATE)).toEqual([4, 7]);
    expect(ratio(q.DISCHARGE_TO_SERVICE_MEDIAN_DAYS)).toEqual([11, 6]);
    expect(q.EMPLOYMENT_PLACEMENTS.numerator).toBe(3);
    expect(ratio(q.EMPLOYMENT_RETENTION_RATE)).toEqual([1, 2]);
    expect(ratio(q.COVERAGE_COUNTY)).toEqual([2, 3]);
    expect(ratio(q.COVERAGE_STREET)).toEqual([1, 2]);
    expect(ratio(q.COVERAGE_TOWNSHIP)).toEqual([1, 5]);
    expect(ratio(q.COVERAGE_URBAN_COMMUNITY)).toEqual([1, 2]);
  });

  it('months split at Beijing midnight', () => {
    expect(ratio(compute('2026-07').STANDARD_SERVICE_RATE)).toEqual([4, 7]);
    expect(ratio(compute('2026-08').STANDARD_SERVICE_RATE)).toEqual([5, 8]);
    expect(ratio(compute('2026-09').STANDARD_SERVICE_RATE)).toEqual([3, 9]);
    // R6 registered at 00:30 on 1 October Beijing time (30 September in UTC): Q4.
    expect(compute('2026-Q4').REGISTERED.numerator).toBe(1);
  });

  it('by county', () => {
    const hanbin = compute('2026-Q3', '610902');
    expect(ratio(hanbin.STANDARD_SERVICE_RATE)).toEqual([6, 14]);
    expect(ratio(hanbin.LOST_TO_FOLLOW_UP_RATE)).toEqual([1, 5]);
    const pingli = compute('2026-Q3', '610926');
    expect(ratio(pingli.STANDARD_SERVICE_RATE)).toEqual([6, 10]);
    expect(ratio(pingli.DECLINE_RATE)).toEqual([1, 3]);
  });
  it('should leave out a referral its hospital cancelled, from the month of the cancellation on', () => {
    const cancelledAt = new Date('2026-08-10T02:00:00Z');
    const cancellation = indicatorFactOf(
      buildEnvelope(
        EVENTS.referralCancelled,
        'hospital-intake',
        {
          referralId: ids.R1,
          hospitalId: 'h-1',
          reasonCode: 'patient-died',
          cancelledAt: cancelledAt.toISOString(),
        },
        { subject: ids.R1, time: cancelledAt },
      ),
    )!;
    const has = (v: IndicatorValue) => v.drillDown.some((d) => d.key.startsWith(ids.R1));
    expect(cancellation).toMatchObject({ kind: 'cancelled', detail: 'patient-died' });

    const july = [compute('2026-07'), compute('2026-07', '6109', [cancellation])];
    const august = [compute('2026-08'), compute('2026-08', '6109', [cancellation])];
    // Before it was cancelled it counted; from that month on it is in no denominator.
    expect(has(july[0].STANDARD_SERVICE_RATE) && has(july[1].STANDARD_SERVICE_RATE)).toBe(true);
    expect(has(august[0].STANDARD_SERVICE_RATE)).toBe(true);
    expect(has(august[1].STANDARD_SERVICE_RATE)).toBe(false);
    expect(august[1].STANDARD_SERVICE_RATE.denominator).toBe(
      august[0].STANDARD_SERVICE_RATE.denominator! - 1,
    );
  });
});
