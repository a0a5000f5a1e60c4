import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { ConsentGrantDto, IsNested, IsNestedArray, IsOneOf, PatientIdentityDto } from '@app/contracts';
import { CursorPageQuery } from '@app/platform';

export const HELD_STATUSES = ['held', 'completed'] as const;
export type HeldStatus = (typeof HELD_STATUSES)[number];

/** One thing a held discharge lacks: the discharge field, where it was in the message, and why. */
export class HeldFieldDto {
  @ApiProperty({
    example: 'patient.idNumber',
    description: 'The discharge field to supply in the completion (a path into the JSON discharge).',
  })
  field: string;

  @ApiProperty({
    example: 'PID^1^3',
    description: 'Where it is in the message: HL7 SEG^seq^field (ERR-2) or a FHIRPath expression.',
  })
  at: string;

  @ApiPropertyOptional({ example: 'ID_NUMBER_MISSING' })
  code?: string;

  @ApiPropertyOptional({
    description: 'What is wrong and how to send it (while held; cleared with the discharge once completed).',
  })
  detail?: string;
}

/** A held discharge as listed: no patient data. */
export class HeldDischargeSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: HELD_STATUSES })
  status: HeldStatus;

  @ApiProperty({ enum: ['hl7v2', 'fhir'] })
  channel: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description:
      'The message as its sender names it: HL7 MSH-10 control id, or the FHIR Bundle.identifier value.',
  })
  messageId: string | null;

  @ApiProperty()
  encounterId: string;

  @ApiProperty()
  receivedAt: string;

  @ApiProperty({ type: () => [HeldFieldDto] })
  missing: HeldFieldDto[];

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Once completed: the referral.',
  })
  referralId: string | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  completedAt: string | null;
}

/** One held discharge for the hospital that sent it: the discharge as read from its message, while held. */
export class HeldDischargeDto extends HeldDischargeSummaryDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'The discharge as read from the message (the JSON discharge shape, with what is missing left out); null once completed.',
  })
  discharge: Record<string, unknown> | null;
}

export class HeldDischargePageDto {
  @ApiProperty({ type: () => [HeldDischargeSummaryDto] })
  items: HeldDischargeSummaryDto[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Pass as cursor for the next page.' })
  nextCursor: string | null;
}

export class HeldDischargeListQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: HELD_STATUSES })
  @IsOptional()
  @IsOneOf(HELD_STATUSES)
  status?: HeldStatus;
}

/** The patient fields a completion may supply (each optional; those given replace the message's). */
export class HeldPatientDto extends PartialType(PatientIdentityDto) {}

/**
 * What the held discharge lacked. The fields given replace those read from the message (`consents` replaces the
 * whole list); the result is validated with the same rules as a discharge.
 */
export class CompleteHeldDischargeDto {
  @ApiPropertyOptional({ type: () => HeldPatientDto })
  @IsOptional()
  @IsNested(() => HeldPatientDto)
  patient?: HeldPatientDto;

  @ApiPropertyOptional({ type: () => [ConsentGrantDto] })
  @IsOptional()
  @IsNestedArray(() => ConsentGrantDto, 10)
  consents?: ConsentGrantDto[];
}
