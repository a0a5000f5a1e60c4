import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { SERVICE_RECORD_KINDS, ServiceRecordKind } from '@app/contracts';
import { REFERRAL_STATUSES, ReferralStatus } from '../referral-lifecycle';

/** One entry of the subject's file, as the site that wrote it recorded it. */
export class ServiceRecordEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: SERVICE_RECORD_KINDS }) kind: ServiceRecordKind;
  @ApiProperty({ description: 'The site that recorded it (a previous site after a transfer).' })
  siteId: string;
  @ApiProperty({ description: 'Plan start, session date or assessment date.' }) occurredAt: string;
  @ApiProperty() recordedAt: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the site recorded (the plan, session or assessment body as posted).',
  })
  details: Record<string, unknown>;
}

/** The subject's file (档案): every plan, session and periodic assessment of the referral, every site's. */
export class SubjectFileDto {
  @ApiProperty() referralId: string;
  @ApiProperty({ description: 'The holding site (the caller).' }) siteId: string;
  @ApiProperty({ enum: REFERRAL_STATUSES }) status: ReferralStatus;
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: "The latest plan's review date (the next periodic assessment is due by then).",
  })
  reviewBy: string | null;
  @ApiProperty({ type: [ServiceRecordEntryDto], description: 'Oldest first.' })
  records: ServiceRecordEntryDto[];
}
