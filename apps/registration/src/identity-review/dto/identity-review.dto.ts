import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { ApplicationViewDto } from '../../registrations/dto/registration-view.dto';
import { IdentityReviewStatus } from '../../vault/identity-review.repository';

export const IDENTITY_REVIEW_PAGE_MAX = 200;
const STATUSES: IdentityReviewStatus[] = ['open', 'merged', 'kept-separate'];

export class IdentityReviewQuery {
  @ApiPropertyOptional({ enum: STATUSES, default: 'open' })
  @IsOptional()
  @IsIn(STATUSES)
  status?: IdentityReviewStatus;

  @ApiPropertyOptional({
    default: 50,
    minimum: 1,
    maximum: IDENTITY_REVIEW_PAGE_MAX,
    description: 'Page size; outside 1–200 or not an integer → 400',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(IDENTITY_REVIEW_PAGE_MAX)
  limit?: number;
}

export class IdentityDecisionDto {
  @ApiPropertyOptional({ description: 'Why (kept with the decision in the audit trail and the review)' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

/** One of the two records of a review, as the registration office sees it (no PII). */
export class IdentityRecordDto {
  @ApiProperty({ format: 'uuid' })
  patientRef: string;

  @ApiProperty({ description: 'The record carries an ID number' })
  hasIdNumber: boolean;

  @ApiPropertyOptional({ format: 'uuid' })
  registrationId?: string;

  @ApiPropertyOptional({
    enum: ['pending', 'registered', 'green-channel', 'consent-withdrawn', 'expired', 'merged'],
  })
  registrationStatus?: string;

  @ApiProperty({ type: ApplicationViewDto, isArray: true })
  applications: ApplicationViewDto[];
}

export class IdentityReviewViewDto {
  @ApiProperty({ format: 'uuid' })
  reviewId: string;

  @ApiProperty({ enum: STATUSES })
  status: IdentityReviewStatus;

  @ApiProperty({
    enum: ['name-birth-division'],
    description: 'Same name, birth date and county; one has no ID number',
  })
  matchedBy: string;

  @ApiProperty({ example: '610902' })
  countyCode: string;

  @ApiProperty({ type: IdentityRecordDto, description: 'The newer record' })
  record: IdentityRecordDto;

  @ApiProperty({ type: IdentityRecordDto, description: 'The older record it may be the same person as' })
  candidate: IdentityRecordDto;

  @ApiProperty()
  createdAt: string;

  @ApiPropertyOptional()
  decidedAt?: string;

  @ApiPropertyOptional({ description: 'org:<organisation id> or ops:<user>' })
  decidedBy?: string;

  @ApiPropertyOptional()
  note?: string;
}
