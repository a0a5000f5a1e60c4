import { randomUUID } from 'node:crypto';
import { Workbook } from 'exceljs';
import { EVENTS, referralSealContext } from '@app/contracts';
import { waitFor } from '@app/testing';
import { loadOpsMonitorConfig } from '../src/config/ops-monitor.config';
import { OpsMonitorHarness, startOpsMonitorHarness } from './harness';
import { bj, scenarioEvents } from './indicator-scenario';

/**
 * Must show (issue 18): every indicator against the hand-computed scenario of indicator-scenario.ts (12 subjects
 * over 2026-Q3 in 汉滨区 610902 and 平利县 610926, events on both sides of Beijing month/quarter boundaries),
 * published on the bus as their producers would; the report's CSV and XLSX read back with exceljs; a signed
 * report unchanged by later events (a new version instead); due-date reminders as alerts by the Clock.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON bodies
type Json = any;

describe('ops-monitor statutory indicators', () => {
  let h: OpsMonitorHarness;
  const ids = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`R${i + 1}`, randomUUID()]));
  const eventIds: { referral: string; subject: string; id: string }[] = [];

  const view = async (period: string, area: string): Promise<Record<string, Json>> => {
    const res = await h.http('GET', `/v1/indicators?period=${period}&area=${area}`, h.viewer);
    expect(res.status).toBe(200);
    return Object.fromEntries(res.body.indicators.map((i: Json) => [i.code, i]));
  };
  const nd = (i: Json) => [i.numerator, i.denominator];

  beforeAll(async () => {
    h = await startOpsMonitorHarness({
      indicators: { ...loadOpsMonitorConfig({}).indicators, reportSweepIntervalMs: 100 },
    });
    // Before the reminder window of Q3's report (due by 20 October, reminders from the 15th).
    h.clock.set(bj('2026-10-05T09:00'));
    const seal = (referralId: string) =>
      h.cipher.sealJson(
        { name: '张三', phone: '13800138000' },
        referralSealContext('siteContact', referralId),
      );
    for (const e of scenarioEvents(ids, seal, randomUUID)) {
      const id = await h.publish(e.definition, e.data, e.referral, e.time);
      eventIds.push({ referral: e.referral, subject: e.definition.subject, id });
    }
    // Every stream consumed: the last event of each of REFERRAL, GREEN and EMPLOYMENT is in.
    await waitFor(
      async () => {
        const q = await view('2026-Q3', '6109');
        return (
          q.REGISTERED.numerator === 7 &&
          q.RELAPSE_RATE.numerator === 2 &&
          q.EMPLOYMENT_PLACEMENTS.numerator === 3 &&
          q.EMPLOYMENT_RETENTION_RATE.denominator === 2 &&
          q.STANDARD_SERVICE_RATE.denominator === 24 &&
          q.LOST_TO_FOLLOW_UP_RATE.numerator === 3
        );
      },
      { timeoutMs: 90_000, message: 'scenario projected' },
    );
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('every indicator of 2026-Q3 for 安康市 equals the hand-computed value', async () => {
    const q = await view('2026-Q3', '6109');

    // Registered in Q3 (Beijing): R2 R3 R4 R5 R8 R9 R12 = 7. R5 at 2026-06-30T16:30Z (00:30 on 1 July in
    // Beijing) is in; R6 at 2026-09-30T16:30Z (00:30 on 1 October) is not. Channels: hospital R3 R4 R9 R12,
    // family R2, self R5 R8.
    expect(q.REGISTERED.numerator).toBe(7);
    expect(q.REGISTERED.breakdown).toEqual({ hospital: 4, family: 1, self: 2 });

    // 规范服务率 (plan + ≥4 sessions in the month), subject-months:
    //   July: on the books R1 R2 R3 R5 R7 R8 R9 = 7; met by R1 (incl. 00:30 on 1 July), R3, R7, R8 (its 4th at
    //         23:30 on 31 July Beijing) = 4; R2's 4th "July" session is 2026-07-31T23:30Z = 1 August in Beijing.
    //   August: + R4 = 8; met by R1, R2 (with that session), R3, R7, R9 (its 4th at 23:50 on 31 August) = 5;
    //           R4 has no plan, R8 only 2 sessions.
    //   September: + R12 = 9 (R2 and R8 close in September, so still count); met by R3, R7, R9 (incl. 00:10 on
    //              1 September) = 3; R1 has 3, R3's fifth at 00:30 on 1 October is Q4.
    //   Quarter: (4 + 5 + 3) / (7 + 8 + 9) = 12/24 = 0.5; 2026 keeps 2025's target 60 % → gap −0.10.
    expect(nd(q.STANDARD_SERVICE_RATE)).toEqual([12, 24]);
    expect(q.STANDARD_SERVICE_RATE.value).toBe(0.5);
    expect(q.STANDARD_SERVICE_RATE.target).toBe(0.6);
    expect(q.STANDARD_SERVICE_RATE.gap).toBeCloseTo(-0.1, 10);

    // 社区康复率: on the books in Q3 = R1 R2 R3 R4 R5 R7 R8 R9 R12 = 9 (R10, R11 closed before July; R6 Q4);
    // served at least once: all but R5 = 8 → 8/9, target 90 %.
    expect(nd(q.COMMUNITY_REHAB_RATE)).toEqual([8, 9]);
    expect(q.COMMUNITY_REHAB_RATE.target).toBe(0.9);
    expect(q.COMMUNITY_REHAB_RATE.gap).toBeCloseTo(8 / 9 - 0.9, 10);

    // 累计失访率: registered before 1 October = 11 (all but R6); lost to follow-up R2 (Sep), R8 (Sep), R11 (Jun).
    expect(nd(q.LOST_TO_FOLLOW_UP_RATE)).toEqual([3, 11]);
    // 复发率: relapses of R3 (28 Sep) and R9 (30 Aug) over the 9 on the books.
    expect(nd(q.RELAPSE_RATE)).toEqual([2, 9]);
    // Offered to a site in Q3: R2 R3 R4 R5 R8 R9 R12 = 7 (R1, R7 in June); declined R2 R5 R8 = 3;
    // re-routed (hop ≥ 2) R2 R5 R8 and R9 (no answer, no decline) = 4.
    expect(nd(q.DECLINE_RATE)).toEqual([3, 7]);
    expect(nd(q.REROUTE_RATE)).toEqual([4, 7]);
    // Discharge → first session (days), first session in Q3: R3 4, R4 5, R12 8, R9 14, R1 20.6, R7 32
    // (R2 R5 R8 came by application) → median (8 + 14) / 2 = 11 over 6.
    expect(nd(q.DISCHARGE_TO_SERVICE_MEDIAN_DAYS)).toEqual([11, 6]);
    // Placements R1 (1 Jul), R7 (15 Aug), R3 (1 Sep) = 3; retention checks R1 false (1 Aug), R7 true (15 Sep);
    // R3's at 2026-09-30T17:00Z is 1 October in Beijing → 1/2.
    expect(q.EMPLOYMENT_PLACEMENTS.numerator).toBe(3);
    expect(nd(q.EMPLOYMENT_RETENTION_RATE)).toEqual([1, 2]);

    // Coverage: active sites = accepted a referral in the year to the period end. County centres of 610902 and
    // 610926 → 2 of 安康市's 10 counties; 老城街道 (via the 西大街 station), 城关镇 (its street/township site),
    // 西大街社区居委会 (the station). Denominators are checked against the raw data in coverage.spec.ts.
    expect(nd(q.COVERAGE_COUNTY)).toEqual([2, 10]);
    expect(q.COVERAGE_STREET.numerator).toBe(1);
    expect(q.COVERAGE_TOWNSHIP.numerator).toBe(1);
    expect(q.COVERAGE_URBAN_COMMUNITY.numerator).toBe(1);
    expect(q.COVERAGE_STREET.target).toBe(0.5);
  });

  it('by county, by month (Beijing boundaries) and the trend', async () => {
    const res = await h.http('GET', '/v1/indicators?period=2026-Q3&area=6109', h.viewer);
    const county = (code: string) =>
      Object.fromEntries(
        res.body.byCounty.find((c: Json) => c.countyCode === code).indicators.map((i: Json) => [i.code, i]),
      );
    // 汉滨区: Jul R1 R3 of R1 R2 R3 R5; Aug R1 R2 R3 of R1–R5; Sep R3 of R1–R5 → 6/14.
    expect(nd(county('610902').STANDARD_SERVICE_RATE)).toEqual([6, 14]);
    expect(nd(county('610902').LOST_TO_FOLLOW_UP_RATE)).toEqual([1, 5]);
    // 平利县: Jul R7 R8 of R7 R8 R9; Aug R7 R9 of the same; Sep R7 R9 of R7 R8 R9 R12 → 6/10.
    expect(nd(county('610926').STANDARD_SERVICE_RATE)).toEqual([6, 10]);
    expect(nd(county('610926').DECLINE_RATE)).toEqual([1, 3]);
    expect(res.body.byCounty).toHaveLength(10);
    const trend = Object.fromEntries(res.body.trend.map((t: Json) => [t.month, t.values]));
    expect(trend['2026-07'].STANDARD_SERVICE_RATE).toBeCloseTo(4 / 7, 10);
    expect(trend['2026-08'].STANDARD_SERVICE_RATE).toBeCloseTo(5 / 8, 10);
    expect(trend['2026-09'].STANDARD_SERVICE_RATE).toBeCloseTo(3 / 9, 10);
    expect(nd((await view('2026-08', '6109')).STANDARD_SERVICE_RATE)).toEqual([5, 8]);
    // R6 (00:30 on 1 October Beijing) is Q4's only registration.
    expect((await view('2026-Q4', '6109')).REGISTERED.numerator).toBe(1);
  });

  it('drill-down lists the referrals and events behind a number, no PII', async () => {
    const res = await h.http(
      'GET',
      '/v1/indicators/LOST_TO_FOLLOW_UP_RATE/drill-down?period=2026-Q3&area=6109',
      h.viewer,
    );
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(11);
    const lost = res.body.items.filter((i: Json) => i.inNumerator);
    expect(lost.map((i: Json) => i.key).sort()).toEqual([ids.R2, ids.R8, ids.R11].sort());
    const closure = (r: string) =>
      eventIds.find((e) => e.referral === ids[r] && e.subject === EVENTS.referralClosed.subject)!.id;
    for (const r of ['R2', 'R8', 'R11']) {
      expect(lost.find((i: Json) => i.key === ids[r]).eventIds).toContain(closure(r));
    }
    expect(JSON.stringify(res.body)).not.toContain('张三');
    expect(JSON.stringify(res.body)).not.toContain('13800138000');

    const unknown = await h.http('GET', '/v1/indicators/NOPE/drill-down?period=2026-Q3&area=6109', h.viewer);
    expect(unknown.status).toBe(404);
  });

  it('refuses a bad period or area with a 400', async () => {
    for (const q of ['period=2026-13&area=6109', 'period=2026-Q3&area=61090', 'period=2026-Q3&area=999999']) {
      const res = await h.http('GET', `/v1/indicators?${q}`, h.viewer);
      expect(res.status).toBe(400);
    }
    // A period that has not begun (the clock is at 5 October 2026) has no facts: no rates for it.
    const future = await h.http('GET', '/v1/indicators?period=2027-01&area=6109', h.viewer);
    expect(future.status).toBe(400);
    expect(future.body).toMatchObject({ code: 'PERIOD_NOT_STARTED' });
    expect((await h.http('GET', '/v1/indicators?period=2026-10&area=6109', h.viewer)).status).toBe(200);
  });

  it('the quarterly report: CSV and XLSX, sign-off, frozen when later events arrive, reminders', async () => {
    const generated = await h.http('POST', '/v1/indicators/reports', h.admin, {
      area: '610902',
      period: '2026-Q3',
    });
    expect(generated.status).toBe(200);
    expect(generated.body).toMatchObject({ version: 1, status: 'draft', signedAt: null });
    const reportId = generated.body.id;

    // CSV: UTF-8 with BOM, the columns, one row per indicator.
    const csv = await fetch(`${h.service.url}/v1/indicators/reports/${reportId}/export?format=csv`, {
      headers: h.viewer,
    });
    expect(csv.status).toBe(200);
    const csvBytes = Buffer.from(await csv.arrayBuffer());
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csvBytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toBe('code,name,definition,area,period,numerator,denominator,value,target,gap');
    expect(lines).toHaveLength(15);
    expect(lines.find((l) => l.startsWith('STANDARD_SERVICE_RATE,规范服务率,'))).toMatch(
      /,610902,2026-Q3,6,14,0\.4286,0\.6,-0\.1714$/,
    );
    // The same file read back with exceljs.
    const fromCsv = new Workbook();
    const { Readable } = await import('node:stream');
    const csvSheet = await fromCsv.csv.read(Readable.from(csvBytes.subarray(3)));
    expect(csvSheet.getRow(1).values).toEqual([
      undefined,
      'code',
      'name',
      'definition',
      'area',
      'period',
      'numerator',
      'denominator',
      'value',
      'target',
      'gap',
    ]);

    // XLSX: sheet 指标 with the same columns and numbers.
    const xlsx = await fetch(`${h.service.url}/v1/indicators/reports/${reportId}/export?format=xlsx`, {
      headers: h.viewer,
    });
    expect(xlsx.status).toBe(200);
    const workbook = new Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.getWorksheet('指标')!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual([
      'code',
      'name',
      'definition',
      'area',
      'period',
      'numerator',
      'denominator',
      'value',
      'target',
      'gap',
    ]);
    const rows = new Map<string, unknown[]>();
    sheet.eachRow((row, n) => n > 1 && rows.set(row.getCell(1).text, (row.values as unknown[]).slice(1)));
    expect(rows.size).toBe(14);
    expect(rows.get('STANDARD_SERVICE_RATE')!.slice(1, 10)).toEqual([
      '规范服务率',
      expect.stringContaining('康复计划'),
      '610902',
      '2026-Q3',
      6,
      14,
      0.4286,
      0.6,
      -0.1714,
    ]);

    // Sign-off: who from the JWT, when from the Clock; a second sign-off is refused.
    const signed = await h.http('POST', `/v1/indicators/reports/${reportId}/sign-off`, h.admin);
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({
      status: 'signed',
      signedBy: 'ops:test-ops-admin',
      signedAt: bj('2026-10-05T09:00').toISOString(),
    });
    expect((await h.http('POST', `/v1/indicators/reports/${reportId}/sign-off`, h.admin)).status).toBe(409);

    // A late correction: R4's rehab plan (dated 1 August) is recorded now → R4 meets 规范服务 in August and
    // September: 汉滨区 8/14.
    await h.publish(
      EVENTS.referralServiceRecorded,
      {
        referralId: ids.R4,
        siteId: 'site-xidajie-station',
        kind: 'plan',
        occurredAt: bj('2026-08-01T10:00').toISOString(),
        recordedAt: bj('2026-10-05T09:00').toISOString(),
      },
      ids.R4,
      bj('2026-10-05T09:00'),
    );
    await waitFor(
      async () => {
        const q = await view('2026-Q3', '610902');
        return q.STANDARD_SERVICE_RATE.numerator === 8;
      },
      { timeoutMs: 60_000, message: 'late plan projected' },
    );
    const frozen = await h.http('GET', `/v1/indicators/reports/${reportId}`, h.viewer);
    expect(frozen.body).toMatchObject({ version: 1, status: 'signed' });
    const frozenStd = frozen.body.indicators.find((i: Json) => i.code === 'STANDARD_SERVICE_RATE');
    expect(nd(frozenStd)).toEqual([6, 14]);
    const frozenCsv = await fetch(`${h.service.url}/v1/indicators/reports/${reportId}/export?format=csv`, {
      headers: h.viewer,
    });
    expect(Buffer.from(await frozenCsv.arrayBuffer()).equals(csvBytes)).toBe(true);

    const corrected = await h.http('POST', '/v1/indicators/reports', h.admin, {
      area: '610902',
      period: '2026-Q3',
    });
    expect(corrected.body).toMatchObject({ version: 2, status: 'draft' });
    expect(corrected.body.id).not.toBe(reportId);
    expect(nd(corrected.body.indicators.find((i: Json) => i.code === 'STANDARD_SERVICE_RATE'))).toEqual([
      8, 14,
    ]);

    // Reminders: 汉滨区 has a signed Q3 report, 平利县 has none.
    const alerts = async (code: string) =>
      (await h.http('GET', `/v1/alerts?code=${code}`, h.viewer)).body.items as Json[];
    h.clock.set(bj('2026-10-16T09:00'));
    const due = await waitFor(
      async () => {
        const found = await alerts('INDICATOR_REPORT_DUE');
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 60_000, message: 'due reminder' },
    );
    expect(due.map((a) => a.details.area)).toEqual(['610926']);
    expect(due[0]).toMatchObject({ severity: 'warning', details: { period: '2026-Q3' } });
    h.clock.set(bj('2026-10-21T00:30'));
    const overdue = await waitFor(
      async () => {
        const found = await alerts('INDICATOR_REPORT_OVERDUE');
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 60_000, message: 'overdue reminder' },
    );
    expect(overdue.map((a) => a.details.area)).toEqual(['610926']);
    expect(overdue[0].severity).toBe('critical');
    expect(await alerts('INDICATOR_REPORT_DUE')).toHaveLength(1);
  });
});
