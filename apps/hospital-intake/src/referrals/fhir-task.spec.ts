import { ReferralViewDto } from './dto/referral-view.dto';
import { referralTask, TASK_STATUS } from './fhir-task';

const view = (overrides: Partial<ReferralViewDto> = {}): ReferralViewDto => ({
  referralId: '0b8f8a52-7c1e-4a53-9d0b-1f7d3c9f0a11',
  encounterId: 'ZY-1',
  channel: 'json',
  status: 'registered',
  stage: 'accepted',
  dischargedAt: '2026-12-01T08:00:00.000Z',
  riskLevel: 1,
  colourGrade: 'green',
  eligibleForCommunityRehab: true,
  registeredAt: '2026-12-01T09:00:00.000Z',
  assignedSite: { id: 'cc-610902', name: '城关镇康复站点', countyCode: '610902', countyName: '汉滨区' },
  outcome: null,
  relapseReportedAt: null,
  applicationEnded: null,
  assessmentDueAt: null,
  assessmentReminderSentAt: null,
  employment: null,
  cancellation: null,
  allowedActions: [],
  timeline: [
    { sequence: 1, step: 'discharged', occurredAt: '2026-12-01T08:00:00.000Z' },
    { sequence: 2, step: 'accepted', occurredAt: '2026-12-02T08:00:00.000Z', siteId: 'cc-610902' },
  ],
  updatedAt: '2026-12-02T08:00:01.000Z',
  ...overrides,
});

describe(referralTask.name, () => {
  it('should map the stage to status and businessStatus, the referral to focus and the steps to outputs in order', () => {
    const task = referralTask(view(), 'h1');

    expect(task).toMatchObject({
      resourceType: 'Task',
      status: 'accepted',
      intent: 'order',
      businessStatus: { coding: [{ code: 'accepted' }] },
      focus: { type: 'ServiceRequest', identifier: { value: view().referralId } },
      requester: { identifier: { value: 'h1' } },
      owner: { identifier: { value: 'cc-610902' }, display: '城关镇康复站点' },
    });
    expect(
      (task.output as { type: { coding: { code: string }[] } }[]).map((o) => o.type.coding[0].code),
    ).toEqual(['discharged', 'accepted']);
  });

  it('should give a cancelled referral the cancelled status with its coded reason', () => {
    const task = referralTask(
      view({
        stage: 'cancelled',
        status: 'cancelled',
        cancellation: { reasonCode: 'patient-died', cancelledAt: '2026-12-02T00:00:00.000Z' },
      }),
      'h1',
    );

    expect(task).toMatchObject({ status: 'cancelled', statusReason: { coding: [{ code: 'patient-died' }] } });
  });

  it('should leave out owner and output before any assignment or step', () => {
    const task = referralTask(view({ assignedSite: null, timeline: [], stage: 'awaiting-assessment' }), 'h1');

    expect(task.status).toBe(TASK_STATUS['awaiting-assessment']);
    expect(task).not.toHaveProperty('owner');
    expect(task).not.toHaveProperty('output');
  });
});
