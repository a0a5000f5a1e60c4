import { IsInt, IsObject, IsOptional, IsString, IsUUID, Length, Matches, Min } from 'class-validator';
import { IsOneOf, IsTimestamp } from '../validation';
import { SERVICE_NAMES } from '../services';
import { ALERT_SEVERITIES, AlertSeverity } from '../vocabulary';

/** An operational alert for ops staff. Never carries PII. */
export class OpsAlertRaisedData {
  /** Stable alert code, e.g. DEAD_LETTER, NEEDS_MANUAL_PLACEMENT. */
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/)
  code: string;

  @IsOneOf(ALERT_SEVERITIES)
  severity: AlertSeverity;

  @IsOneOf(SERVICE_NAMES)
  service: string;

  @IsString()
  @Length(1, 500)
  summary: string;

  /** Pointers (ids, names of consumers) only. */
  @IsOptional()
  @IsObject()
  details?: Record<string, string | number | boolean>;

  @IsTimestamp()
  raisedAt: string;
}

/** A message a consumer could not process was parked in that service's dead-letter table. */
export class DeadLetterRecordedData {
  @IsUUID()
  deadLetterId: string;

  @IsOneOf(SERVICE_NAMES)
  service: string;

  @IsString()
  @Length(1, 128)
  consumer: string;

  @IsString()
  @Length(1, 64)
  stream: string;

  @IsInt()
  @Min(0)
  streamSequence: number;

  @IsOptional()
  @IsString()
  @Length(1, 128)
  eventId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200)
  eventType?: string;

  @IsInt()
  @Min(1)
  deliveries: number;

  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/)
  errorCode: string;

  @IsTimestamp()
  recordedAt: string;
}
