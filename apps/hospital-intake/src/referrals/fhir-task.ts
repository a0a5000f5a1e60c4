import { ReferralStage, ReferralViewDto } from './dto/referral-view.dto';

/** Code systems of the Task's business status and its history (URNs: identifiers, not links). */
export const FHIR_TASK_SYSTEMS = {
  stage: 'urn:referral-bus:referral-stage',
  step: 'urn:referral-bus:referral-step',
  cancellation: 'urn:referral-bus:cancellation-reason',
  referral: 'urn:referral-bus:referral-id',
  encounter: 'urn:referral-bus:hospital-encounter',
  organisation: 'urn:referral-bus:organisation-id',
} as const;

type TaskStatus =
  | 'draft'
  | 'requested'
  | 'received'
  | 'accepted'
  | 'rejected'
  | 'ready'
  | 'cancelled'
  | 'in-progress'
  | 'on-hold'
  | 'failed'
  | 'completed';

/** FHIR R4 Task.status of each stage of the lifecycle (Task.businessStatus carries the stage itself). */
export const TASK_STATUS: Record<ReferralStage, TaskStatus> = {
  'awaiting-assessment': 'draft',
  'awaiting-consent': 'requested',
  'hospital-follow-up': 'rejected',
  routing: 'received',
  accepted: 'accepted',
  'in-service': 'in-progress',
  'green-channel': 'on-hold',
  closed: 'completed',
  'consent-withdrawn': 'cancelled',
  cancelled: 'cancelled',
  'registration-expired': 'failed',
  refused: 'rejected',
  'linked-to-existing': 'completed',
};

const identifier = (system: string, value: string) => ({ system, value });

/**
 * The referral as a FHIR R4 `Task` for its referring hospital: status and businessStatus from the lifecycle,
 * `focus` the referral (the ServiceRequest the hospital's discharge asked for, by its referral id), `encounter`
 * the hospital's own encounter id, `owner` the site assigned now, and the history as `Task.output`: one entry
 * per timeline step (type = step code, value = when), in order. No PII: the hospital holds the patient, so
 * `for` is left out rather than carry an identifier.
 */
export function referralTask(view: ReferralViewDto, hospitalId: string): Record<string, unknown> {
  const stage = view.stage;
  const steps = view.timeline;
  const lastStepAt = steps.length > 0 ? steps[steps.length - 1].occurredAt : undefined;
  return {
    resourceType: 'Task',
    id: view.referralId,
    meta: { lastUpdated: view.updatedAt },
    identifier: [identifier(FHIR_TASK_SYSTEMS.referral, view.referralId)],
    status: TASK_STATUS[stage],
    ...(view.cancellation
      ? {
          statusReason: {
            coding: [{ system: FHIR_TASK_SYSTEMS.cancellation, code: view.cancellation.reasonCode }],
          },
        }
      : {}),
    businessStatus: { coding: [{ system: FHIR_TASK_SYSTEMS.stage, code: stage }], text: stage },
    intent: 'order',
    focus: {
      type: 'ServiceRequest',
      identifier: identifier(FHIR_TASK_SYSTEMS.referral, view.referralId),
    },
    encounter: { type: 'Encounter', identifier: identifier(FHIR_TASK_SYSTEMS.encounter, view.encounterId) },
    authoredOn: view.dischargedAt,
    lastModified: lastStepAt && lastStepAt > view.updatedAt ? lastStepAt : view.updatedAt,
    requester: {
      type: 'Organization',
      identifier: identifier(FHIR_TASK_SYSTEMS.organisation, hospitalId),
    },
    ...(view.assignedSite
      ? {
          owner: {
            type: 'Organization',
            identifier: identifier(FHIR_TASK_SYSTEMS.organisation, view.assignedSite.id),
            ...(view.assignedSite.name ? { display: view.assignedSite.name } : {}),
          },
        }
      : {}),
    ...(steps.length > 0
      ? {
          output: steps.map((s) => ({
            type: {
              coding: [{ system: FHIR_TASK_SYSTEMS.step, code: s.step }],
              text: [`#${s.sequence} ${s.step}`, s.code, s.siteName ?? s.siteId].filter(Boolean).join(' · '),
            },
            valueDateTime: s.occurredAt,
          })),
        }
      : {}),
  };
}
