import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { IsTimestamp } from '@app/contracts';
import { NOTICE_TEMPLATE_CODES, NoticeTemplateCode } from '../notice-templates';
import { NoticeStatus } from '../notice.repository';

export const NOTICE_PAGE_MAX = 200;
const STATUSES: NoticeStatus[] = ['queued', 'sending', 'sent', 'delivered', 'failed'];

export class NoticeListQuery {
  @ApiPropertyOptional({
    default: 50,
    minimum: 1,
    maximum: NOTICE_PAGE_MAX,
    description: 'Page size; outside 1–200 or not an integer → 400',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(NOTICE_PAGE_MAX)
  limit?: number;
}

/** One notice as the registration office and ops see it: the masked number, never the text's recipient. */
export class NoticeViewDto {
  @ApiProperty({ format: 'uuid' })
  noticeId: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true })
  referralId: string | null;

  @ApiProperty({ enum: ['patient', 'guardian'] })
  recipientRole: 'patient' | 'guardian';

  @ApiProperty({ enum: ['sms'] })
  channel: string;

  @ApiProperty({ enum: NOTICE_TEMPLATE_CODES })
  templateCode: NoticeTemplateCode;

  @ApiProperty({ example: '138****0000' })
  recipient: string;

  @ApiProperty({ enum: STATUSES })
  status: NoticeStatus;

  @ApiProperty()
  attempts: number;

  @ApiPropertyOptional({
    nullable: true,
    description: 'Why the last attempt failed (or why it was given up)',
  })
  failureReason: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  sentAt: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  deliveredAt: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true })
  failedAt: string | null;

  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    description: 'Next attempt of a queued notice',
  })
  nextAttemptAt: string | null;
}

/** The SMS gateway's delivery receipt (signed: X-Gateway-Signature). */
export class DeliveryReceiptDto {
  @ApiProperty({ description: 'The gateway message id returned when the notice was sent' })
  @IsString()
  @Length(1, 200)
  messageId: string;

  @ApiProperty({ enum: ['delivered', 'failed'] })
  @IsIn(['delivered', 'failed'])
  status: 'delivered' | 'failed';

  @ApiPropertyOptional({ description: 'Why it was not delivered (the gateway’s code)' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  reason?: string;

  @ApiProperty({ format: 'date-time' })
  @IsTimestamp({ spaceSeparator: true })
  at: string;
}
