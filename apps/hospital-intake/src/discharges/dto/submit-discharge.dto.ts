import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMinSize,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import {
  CONDITION_STATUSES,
  ConditionStatus,
  ConsentGrantDto,
  IsListOf,
  IsNested,
  IsNestedArray,
  IsOneOf,
  IsRiskLevel,
  IsTimestamp,
  PatientIdentityDto,
  REHAB_SERVICES,
  RehabService,
} from '@app/contracts';

export const FUNCTIONAL_INSTRUMENTS = ['gaf', 'sdss', 'psp', 'adl'] as const;
export type FunctionalInstrument = (typeof FUNCTIONAL_INSTRUMENTS)[number];

export class DiagnosisDto {
  @ApiProperty({
    example: 'F20.0',
    description:
      'ICD-10 code (also the Chinese clinical edition, e.g. F20.000x001); at least one chapter V (F) code.',
  })
  @IsString()
  @Length(3, 16)
  code: string;

  @ApiPropertyOptional({ description: 'The principal discharge diagnosis.' })
  @IsOptional()
  @IsBoolean()
  primary?: boolean;
}

export class FunctionalScoreDto {
  @ApiProperty({ enum: FUNCTIONAL_INSTRUMENTS, description: 'GAF, SDSS (社会功能缺陷筛选量表), PSP, ADL' })
  @IsOneOf(FUNCTIONAL_INSTRUMENTS)
  instrument: FunctionalInstrument;

  @ApiProperty({ example: 61, minimum: 0, maximum: 100 })
  @IsInt()
  @Min(0)
  @Max(100)
  score: number;
}

export class DischargeAssessmentDto {
  @ApiProperty({
    minimum: 0,
    maximum: 5,
    description: 'National 0–5 risk level (危险性评估); 3–5 is never routed.',
  })
  @IsRiskLevel()
  riskLevel: number;

  @ApiProperty({ enum: CONDITION_STATUSES })
  @IsOneOf(CONDITION_STATUSES)
  conditionStatus: ConditionStatus;

  @ApiPropertyOptional({ type: () => [FunctionalScoreDto] })
  @IsOptional()
  @IsNestedArray(() => FunctionalScoreDto, FUNCTIONAL_INSTRUMENTS.length)
  functionalScores?: FunctionalScoreDto[];

  @ApiProperty({ enum: REHAB_SERVICES, isArray: true })
  @IsListOf(REHAB_SERVICES)
  rehabNeeds: RehabService[];

  @ApiProperty()
  @IsBoolean()
  employmentInterest: boolean;

  @ApiPropertyOptional({ description: 'When the assessment was made (default: the discharge time).' })
  @IsOptional()
  @IsTimestamp()
  assessedAt?: string;
}

export class HospitalIdentifierDto {
  @ApiProperty({
    example: 'urn:oid:1.2.156.112604.1.2.1',
    description: 'Namespace (FHIR system, HL7 authority^type)',
  })
  @IsString()
  @Length(1, 200)
  system: string;

  @ApiProperty({ example: 'MRN0098123', description: 'Medical record, health-record or health-card number' })
  @IsString()
  @Length(1, 64)
  value: string;
}

/** The one validated internal command every ingestion channel produces. */
export class SubmitDischargeDto {
  @ApiProperty({ example: 'ZY2026-000123', description: "The hospital's encounter id; unique per hospital." })
  @IsString()
  @Length(1, 64)
  @Matches(/^[\x21-\x7e]+$/, { message: 'encounterId must be printable ASCII without spaces' })
  encounterId: string;

  @ApiProperty({ example: '2026-10-02T09:00:00+08:00' })
  @IsTimestamp()
  admittedAt: string;

  @ApiProperty({ example: '2026-11-20T10:30:00+08:00', description: 'Not in the future; after admittedAt.' })
  @IsTimestamp()
  dischargedAt: string;

  @ApiPropertyOptional({ example: 'home', description: 'HL7 discharge-disposition code' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  dischargeDisposition?: string;

  @ApiProperty({ type: () => PatientIdentityDto, description: 'Stored sealed, never logged.' })
  @IsNested(() => PatientIdentityDto)
  patient: PatientIdentityDto;

  @ApiPropertyOptional({
    type: () => [HospitalIdentifierDto],
    description: "The patient's other identifiers at the hospital (MRN…), kept sealed with the referral.",
  })
  @IsOptional()
  @IsNestedArray(() => HospitalIdentifierDto, 10)
  hospitalIdentifiers?: HospitalIdentifierDto[];

  @ApiProperty({ type: () => [DiagnosisDto] })
  @ArrayMinSize(1)
  @IsNestedArray(() => DiagnosisDto, 20)
  diagnoses: DiagnosisDto[];

  @ApiPropertyOptional({
    type: () => DischargeAssessmentDto,
    description:
      'Without it the discharge is kept as awaiting-assessment (202) and completed later with POST /v1/discharges/{referralId}/assessment.',
  })
  @IsOptional()
  @IsNested(() => DischargeAssessmentDto)
  assessment?: DischargeAssessmentDto;

  @ApiPropertyOptional({ type: () => [ConsentGrantDto], description: 'Consents signed at the hospital.' })
  @IsOptional()
  @IsNestedArray(() => ConsentGrantDto, 10)
  consents?: ConsentGrantDto[];
}
