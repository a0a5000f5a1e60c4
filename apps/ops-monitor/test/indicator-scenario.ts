import { EventDefinition, EVENTS } from '@app/contracts';

/**
 * The hand-computed indicator scenario: 12 subjects (R1–R12) in 安康市 (6109), five in 汉滨区 610902 (R1–R6 less
 * R6, who registers in Q4) and the rest in 平利县 610926, over 2026-Q3, with events on both sides of month and
 * quarter boundaries in Beijing time. The expected values are worked out in indicators.integration-spec.ts.
 */
export interface ScenarioEvent {
  readonly definition: EventDefinition<object>;
  readonly data: object;
  readonly referral: string;
  readonly time: Date;
}

/** A Beijing wall-clock time (`2026-07-01T00:30`) as an instant. */
export const bj = (local: string): Date => new Date(`${local}:00+08:00`);

export const SCENARIO_RESIDENCES = { hanbin: '610902001003', pingli: '610926100001' } as const;

/** Sites with their level and served divisions (as rehab-site puts them on referral.accepted). */
export const SCENARIO_SITES = {
  hanbinCentre: { id: 'site-hanbin-centre', level: 'county-centre', areas: ['610902'] },
  laochengStreet: { id: 'site-laocheng-street', level: 'street-site', areas: ['610902001'] },
  xidajieStation: { id: 'site-xidajie-station', level: 'community-station', areas: ['610902001003'] },
  pingliCentre: { id: 'site-pingli-centre', level: 'county-centre', areas: ['610926'] },
  chengguanTown: { id: 'site-chengguan-town', level: 'street-site', areas: ['610926100'] },
} as const;
type SiteKey = keyof typeof SCENARIO_SITES;

/** Builds the events; `ids[n]` is Rn's referral id, `seal` seals the registration's site contact. */
export function scenarioEvents(
  ids: Record<string, string>,
  seal: (referralId: string) => object,
  uuid: () => string,
): ScenarioEvent[] {
  const events: ScenarioEvent[] = [];
  const push = (definition: EventDefinition<object>, r: string, time: Date, data: object) =>
    events.push({ definition, referral: ids[r], time, data: { referralId: ids[r], ...data } });
  const residence = (r: string) =>
    ['R1', 'R2', 'R3', 'R4', 'R5', 'R6'].includes(r)
      ? SCENARIO_RESIDENCES.hanbin
      : SCENARIO_RESIDENCES.pingli;

  const discharged = (r: string, at: Date) =>
    push(EVENTS.referralDischarged, r, at, {
      hospitalId: 'h-ankang-1',
      encounterId: `enc-${r}`,
      dischargedAt: at.toISOString(),
      residenceDivisionCode: residence(r),
    });
  const applied = (r: string, at: Date, channel: string) =>
    push(EVENTS.referralApplicationReceived, r, at, {
      registrationId: uuid(),
      patientRef: uuid(),
      channel,
      organisationId: 'org-portal',
      residenceDivisionCode: residence(r),
      receivedAt: at.toISOString(),
      registerDueAt: new Date(at.getTime() + 10 * 86_400_000).toISOString(),
      linkedToExisting: false,
    });
  const registered = (r: string, at: Date) =>
    push(EVENTS.referralRegistered, r, at, {
      registrationId: uuid(),
      patientRef: uuid(),
      residenceDivisionCode: residence(r),
      needs: ['day-care'],
      riskLevel: 1,
      colourGrade: 'green',
      registeredAt: at.toISOString(),
      sealedContact: seal(ids[r]),
    });
  const assigned = (r: string, at: Date, site: SiteKey, hop: number) =>
    push(EVENTS.referralAssigned, r, at, {
      siteId: SCENARIO_SITES[site].id,
      siteName: '康复站',
      hop,
      assignedAt: at.toISOString(),
      answerDueAt: new Date(at.getTime() + 72 * 3600_000).toISOString(),
      needsManualPlacement: false,
    });
  const declined = (r: string, at: Date, site: SiteKey, reasonCode: string) =>
    push(EVENTS.referralDeclined, r, at, {
      siteId: SCENARIO_SITES[site].id,
      reasonCode,
      declinedAt: at.toISOString(),
    });
  const accepted = (r: string, at: Date, site: SiteKey) =>
    push(EVENTS.referralAccepted, r, at, {
      siteId: SCENARIO_SITES[site].id,
      acceptedAt: at.toISOString(),
      siteLevel: SCENARIO_SITES[site].level,
      siteAreaCodes: [...SCENARIO_SITES[site].areas],
    });
  const record = (r: string, at: Date, site: SiteKey, kind: 'plan' | 'session') =>
    push(EVENTS.referralServiceRecorded, r, at, {
      siteId: SCENARIO_SITES[site].id,
      kind,
      occurredAt: at.toISOString(),
      ...(kind === 'session' ? { serviceType: 'day-care', durationMinutes: 60 } : {}),
      recordedAt: at.toISOString(),
    });
  const sessions = (r: string, site: SiteKey, times: Date[]) =>
    times.forEach((t) => record(r, t, site, 'session'));
  const closed = (r: string, at: Date, site: SiteKey, outcome: string) =>
    push(EVENTS.referralClosed, r, at, {
      siteId: SCENARIO_SITES[site].id,
      outcome,
      closedAt: at.toISOString(),
    });
  const relapse = (r: string, at: Date, site: SiteKey) =>
    push(EVENTS.greenRelapseReported, r, at, {
      siteId: SCENARIO_SITES[site].id,
      observedRiskLevel: 3,
      reportedAt: at.toISOString(),
    });
  const placed = (r: string, at: Date) =>
    push(EVENTS.employmentPlaced, r, at, {
      providerId: 'provider-ankang',
      placementType: 'supported',
      employerName: '安康庇护工场',
      startDate: at.toISOString().slice(0, 10),
      placedAt: at.toISOString(),
    });
  const retention = (r: string, at: Date, retained: boolean) =>
    push(EVENTS.employmentRetentionChecked, r, at, {
      providerId: 'provider-ankang',
      month: 1,
      retained,
      checkedAt: at.toISOString(),
    });

  // ── 汉滨区 ──
  // R1: registered in June, served all quarter; first session 00:30 on 1 July (Beijing), 3 sessions in September.
  discharged('R1', bj('2026-06-10T10:00'));
  registered('R1', bj('2026-06-20T10:00'));
  assigned('R1', bj('2026-06-20T11:00'), 'xidajieStation', 1);
  accepted('R1', bj('2026-06-21T10:00'), 'xidajieStation');
  record('R1', bj('2026-06-22T10:00'), 'xidajieStation', 'plan');
  sessions('R1', 'xidajieStation', [
    bj('2026-07-01T00:30'),
    ...['07-08', '07-15', '07-22', '08-05', '08-12', '08-19', '08-26', '09-02', '09-09', '09-16'].map((d) =>
      bj(`2026-${d}T10:00`),
    ),
  ]);
  placed('R1', bj('2026-07-01T10:00'));
  retention('R1', bj('2026-08-01T10:00'), false);
  // R2: family application; declined by the street site, re-routed to the station; the 4th "July" session is
  // 2026-07-31T23:30Z = 1 August 07:30 in Beijing; lost to follow-up on 20 September.
  applied('R2', bj('2026-07-03T10:00'), 'family');
  registered('R2', bj('2026-07-05T10:00'));
  assigned('R2', bj('2026-07-05T11:00'), 'laochengStreet', 1);
  declined('R2', bj('2026-07-06T10:00'), 'laochengStreet', 'no-capacity');
  assigned('R2', bj('2026-07-06T10:00'), 'xidajieStation', 2);
  accepted('R2', bj('2026-07-07T10:00'), 'xidajieStation');
  record('R2', bj('2026-07-08T10:00'), 'xidajieStation', 'plan');
  sessions('R2', 'xidajieStation', [
    ...['07-10', '07-17', '07-24'].map((d) => bj(`2026-${d}T10:00`)),
    new Date('2026-07-31T23:30:00Z'),
    ...['08-07', '08-14', '08-21'].map((d) => bj(`2026-${d}T10:00`)),
  ]);
  closed('R2', bj('2026-09-20T10:00'), 'xidajieStation', 'lost-to-follow-up');
  // R3: county centre, 4 sessions every month (+ one at 00:30 on 1 October, Q4); relapse 28 September.
  discharged('R3', bj('2026-07-01T10:00'));
  registered('R3', bj('2026-07-02T10:00'));
  assigned('R3', bj('2026-07-02T11:00'), 'hanbinCentre', 1);
  accepted('R3', bj('2026-07-03T10:00'), 'hanbinCentre');
  record('R3', bj('2026-07-04T10:00'), 'hanbinCentre', 'plan');
  sessions('R3', 'hanbinCentre', [
    ...[
      '07-05',
      '07-12',
      '07-19',
      '07-26',
      '08-02',
      '08-09',
      '08-16',
      '08-23',
      '09-06',
      '09-13',
      '09-20',
      '09-27',
    ].map((d) => bj(`2026-${d}T10:00`)),
    bj('2026-10-01T00:30'),
  ]);
  relapse('R3', bj('2026-09-28T10:00'), 'hanbinCentre');
  placed('R3', bj('2026-09-01T10:00'));
  retention('R3', new Date('2026-09-30T17:00:00Z'), true); // 1 October 01:00 in Beijing: Q4
  // R4: served 4 a month from August but no rehab plan recorded.
  discharged('R4', bj('2026-08-01T10:00'));
  registered('R4', bj('2026-08-03T10:00'));
  assigned('R4', bj('2026-08-03T11:00'), 'xidajieStation', 1);
  accepted('R4', bj('2026-08-04T10:00'), 'xidajieStation');
  sessions(
    'R4',
    'xidajieStation',
    ['08-06', '08-13', '08-20', '08-27', '09-03', '09-10', '09-17', '09-24'].map((d) =>
      bj(`2026-${d}T10:00`),
    ),
  );
  // R5: self application; registered 2026-06-30T16:30Z = 1 July 00:30 Beijing (Q3); declined, re-routed,
  // accepted, a plan, never served.
  applied('R5', bj('2026-06-29T10:00'), 'self');
  registered('R5', new Date('2026-06-30T16:30:00Z'));
  assigned('R5', bj('2026-07-01T10:00'), 'laochengStreet', 1);
  declined('R5', bj('2026-07-02T10:00'), 'laochengStreet', 'outside-area');
  assigned('R5', bj('2026-07-02T10:00'), 'hanbinCentre', 2);
  accepted('R5', bj('2026-07-03T10:00'), 'hanbinCentre');
  record('R5', bj('2026-07-03T11:00'), 'hanbinCentre', 'plan');
  // R6: registered 2026-09-30T16:30Z = 1 October 00:30 Beijing: Q4, outside every Q3 number.
  discharged('R6', bj('2026-09-25T10:00'));
  registered('R6', new Date('2026-09-30T16:30:00Z'));

  // ── 平利县 ──
  // R7: registered in June, 4 sessions every month; placed in August, retained at the 1-month check.
  discharged('R7', bj('2026-06-01T10:00'));
  registered('R7', bj('2026-06-05T10:00'));
  assigned('R7', bj('2026-06-05T11:00'), 'chengguanTown', 1);
  accepted('R7', bj('2026-06-06T10:00'), 'chengguanTown');
  record('R7', bj('2026-06-07T10:00'), 'chengguanTown', 'plan');
  sessions(
    'R7',
    'chengguanTown',
    [
      '07-03',
      '07-10',
      '07-17',
      '07-24',
      '08-07',
      '08-14',
      '08-21',
      '08-28',
      '09-04',
      '09-11',
      '09-18',
      '09-25',
    ].map((d) => bj(`2026-${d}T10:00`)),
  );
  placed('R7', bj('2026-08-15T10:00'));
  retention('R7', bj('2026-09-15T10:00'), true);
  // R8: self application; declined then county centre; 4th July session at 23:30 on 31 July Beijing time
  // (still July there); 2 in August; lost to follow-up 5 September.
  applied('R8', bj('2026-07-09T10:00'), 'self');
  registered('R8', bj('2026-07-10T10:00'));
  assigned('R8', bj('2026-07-10T11:00'), 'chengguanTown', 1);
  declined('R8', bj('2026-07-11T10:00'), 'chengguanTown', 'no-capacity');
  assigned('R8', bj('2026-07-11T10:00'), 'pingliCentre', 2);
  accepted('R8', bj('2026-07-12T10:00'), 'pingliCentre');
  record('R8', bj('2026-07-12T11:00'), 'pingliCentre', 'plan');
  sessions('R8', 'pingliCentre', [
    ...['07-13', '07-20', '07-27'].map((d) => bj(`2026-${d}T10:00`)),
    bj('2026-07-31T23:30'),
    ...['08-10', '08-17'].map((d) => bj(`2026-${d}T10:00`)),
  ]);
  closed('R8', bj('2026-09-05T10:00'), 'pingliCentre', 'lost-to-follow-up');
  // R9: re-routed without a decline (the centre did not answer); relapse 30 August; an August session at 23:50
  // on 31 August and a September one at 00:10 on 1 September (Beijing).
  discharged('R9', bj('2026-07-20T10:00'));
  registered('R9', bj('2026-07-22T10:00'));
  assigned('R9', bj('2026-07-22T11:00'), 'pingliCentre', 1);
  assigned('R9', bj('2026-07-23T10:00'), 'chengguanTown', 2);
  accepted('R9', bj('2026-07-23T12:00'), 'chengguanTown');
  record('R9', bj('2026-07-24T10:00'), 'chengguanTown', 'plan');
  sessions('R9', 'chengguanTown', [
    ...['08-03', '08-10', '08-17'].map((d) => bj(`2026-${d}T10:00`)),
    bj('2026-08-31T23:50'),
    bj('2026-09-01T00:10'),
    ...['09-08', '09-15', '09-22'].map((d) => bj(`2026-${d}T10:00`)),
  ]);
  relapse('R9', bj('2026-08-30T10:00'), 'chengguanTown');
  // R10: registered in Q1, recovered and closed in May (before Q3).
  discharged('R10', bj('2026-02-25T10:00'));
  registered('R10', bj('2026-03-01T10:00'));
  closed('R10', bj('2026-05-01T10:00'), 'chengguanTown', 'recovered');
  // R11: registered in April, lost to follow-up in June (counts in the cumulative 失访率 only).
  discharged('R11', bj('2026-03-28T10:00'));
  registered('R11', bj('2026-04-01T10:00'));
  closed('R11', bj('2026-06-15T10:00'), 'chengguanTown', 'lost-to-follow-up');
  // R12: registered late September, one session.
  discharged('R12', bj('2026-09-20T10:00'));
  registered('R12', bj('2026-09-25T10:00'));
  assigned('R12', bj('2026-09-25T11:00'), 'chengguanTown', 1);
  accepted('R12', bj('2026-09-26T10:00'), 'chengguanTown');
  record('R12', bj('2026-09-27T10:00'), 'chengguanTown', 'plan');
  sessions('R12', 'chengguanTown', [bj('2026-09-28T10:00')]);
  return events;
}
