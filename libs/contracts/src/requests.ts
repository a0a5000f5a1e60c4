import { SERVICES, ServiceName } from './services';
import type { JsonSchema } from './json-schema';
import { STREAMS } from './streams';

/**
 * Core-NATS request/reply subjects (not JetStream: nothing is stored on the bus; the responder commits the
 * effect in its own database before it replies). Namespaced like event subjects.
 */
export interface RequestDefinition {
  readonly subject: string;
  /** The service that answers (a queue group of its replicas). */
  readonly responder: ServiceName;
  readonly queueGroup: string;
  readonly description: string;
  /** What the request body is (documented in AsyncAPI). */
  readonly requestDescription: string;
  /** Headers the requester sends. */
  readonly requestHeaders: JsonSchema;
  /** JSON Schema (draft-07) of the reply body. */
  readonly replySchema: JsonSchema;
}

function request(
  subject: string,
  responder: ServiceName,
  description: string,
  documentation: Pick<RequestDefinition, 'requestDescription' | 'requestHeaders' | 'replySchema'>,
): RequestDefinition {
  const root = subject.split('.')[0];
  if (Object.values(STREAMS).some((s) => s.subjectRoot === root)) {
    throw new Error(`Request subject ${subject} would be captured by a stream`);
  }
  return { subject, responder, queueGroup: responder, description, ...documentation };
}

const fieldErrors: JsonSchema = {
  type: 'array',
  description: 'One entry per refused field, as in the HTTP problem+json `errors`.',
  items: {
    type: 'object',
    required: ['pointer', 'detail'],
    properties: {
      pointer: { type: 'string', description: 'JSON pointer to the field, e.g. `#/patient/idNumber`.' },
      detail: { type: 'string' },
    },
  },
};

/** The reply to `intake.discharge.submit`: the receipt (as `POST /v1/discharges` answers it) or the refusal. */
const dischargeSubmitReply: JsonSchema = {
  oneOf: [
    {
      type: 'object',
      title: 'accepted',
      required: ['ok', 'status', 'referral'],
      properties: {
        ok: { const: true },
        status: {
          enum: [200, 201, 202],
          description: '201 a new referral, 200 the encounter was already referred (the same referral).',
        },
        referral: {
          type: 'object',
          description: 'The receipt, as the body of `POST /v1/discharges` (ReferralReceiptDto).',
          required: ['referralId', 'encounterId', 'created', 'status'],
          properties: {
            referralId: { type: 'string', format: 'uuid' },
            encounterId: { type: 'string' },
            created: { type: 'boolean' },
            status: { type: 'string', description: 'assessed, awaiting-assessment, or a later stage' },
            colourGrade: { type: 'string' },
            eligibleForCommunityRehab: { type: 'boolean' },
            missing: { type: 'array', items: { type: 'string' } },
            assessmentDueAt: { type: 'string', format: 'date-time' },
            consentsAdded: {
              type: 'array',
              description:
                'Sent again (200): the consents the referral did not have, now recorded (referral.consents-added).',
              items: {
                type: 'object',
                required: ['purpose', 'grantedBy', 'method', 'grantedAt'],
                properties: {
                  purpose: { type: 'string' },
                  grantedBy: { type: 'string' },
                  method: { type: 'string' },
                  grantedAt: { type: 'string', format: 'date-time' },
                  expiresAt: { type: 'string', format: 'date-time' },
                },
              },
            },
            notApplied: {
              ...fieldErrors,
              description:
                'Sent again (200): each field that differs from the referral as first received and was not applied, and each consent not taken.',
            },
          },
        },
      },
    },
    {
      type: 'object',
      title: 'refused',
      required: ['ok', 'status', 'code', 'detail'],
      properties: {
        ok: { const: false },
        status: {
          type: 'integer',
          description: 'The HTTP status the same refusal has (400, 401, 409, 503, …).',
        },
        code: { type: 'string', description: 'Stable error code, e.g. VALIDATION_FAILED, UNAUTHENTICATED.' },
        detail: { type: 'string' },
        errors: fieldErrors,
      },
    },
  ],
};

export const REQUESTS = {
  intakeDischargeSubmit: request(
    'intake.discharge.submit',
    SERVICES.hospitalIntake,
    'A hospital on the bus submits a discharge (the JSON discharge body, X-API-Key header); the reply carries the accepted referral id or the field errors.',
    {
      requestDescription:
        'The JSON discharge body of `POST /v1/discharges` (schema SubmitDischargeDto in docs/openapi/hospital-intake.json), as UTF-8 JSON.',
      requestHeaders: {
        type: 'object',
        required: ['X-API-Key'],
        properties: { 'X-API-Key': { type: 'string', description: "The hospital's API key." } },
      },
      replySchema: dischargeSubmitReply,
    },
  ),
} as const satisfies Record<string, RequestDefinition>;
