import { SERVICES, ServiceName } from './services';
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
}

function request(subject: string, responder: ServiceName, description: string): RequestDefinition {
  const root = subject.split('.')[0];
  if (Object.values(STREAMS).some((s) => s.subjectRoot === root)) {
    throw new Error(`Request subject ${subject} would be captured by a stream`);
  }
  return { subject, responder, queueGroup: responder, description };
}

export const REQUESTS = {
  intakeDischargeSubmit: request(
    'intake.discharge.submit',
    SERVICES.hospitalIntake,
    'A hospital on the bus submits a discharge (the JSON discharge body, X-API-Key header); the reply carries the accepted referral id or the field errors.',
  ),
} as const satisfies Record<string, RequestDefinition>;
