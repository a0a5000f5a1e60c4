import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CursorPageQuery } from '@app/platform';
import { IsOptional, IsString, Length } from 'class-validator';
import {
  GREEN_DECLINE_REASONS,
  GREEN_ROUTES,
  GREEN_TRIGGERS,
  GreenDeclineReason,
  GreenRoute,
  GreenTrigger,
  IsOneOf,
} from '@app/contracts';
import { GREEN_CASE_STATUSES, GreenCaseStatus } from '../green-case.repository';

export const GREEN_CASE_ACTIONS = ['acknowledge', 'admit', 'decline'] as const;
export type GreenCaseAction = (typeof GREEN_CASE_ACTIONS)[number];

/** A green case as the hospital holding it sees it: ids, risk and deadlines (the patient is fetched by referral). */
export class GreenCaseDto {
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ format: 'uuid' }) referralId: string;
  @ApiProperty({ enum: GREEN_CASE_STATUSES }) status: GreenCaseStatus;
  @ApiProperty({ enum: GREEN_TRIGGERS }) trigger: GreenTrigger;
  @ApiProperty({ minimum: 0, maximum: 5 }) riskLevel: number;
  @ApiProperty({ description: 'Flagged for the joint-management team (政法/公安/卫健 liaison).' })
  jointManagement: boolean;
  @ApiProperty({ enum: GREEN_ROUTES, description: 'Why this hospital was asked.' }) route: GreenRoute;
  @ApiProperty({ description: '1 for the first hospital asked, +1 per hospital it moved on to.' })
  step: number;
  @ApiProperty({ type: String, example: '610902', nullable: true }) countyDivisionCode: string | null;
  @ApiProperty() reportedAt: string;
  @ApiProperty() notifiedAt: string;
  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Acknowledge before this time or the case moves on.',
  })
  answerDueAt: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) acknowledgedBy: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) acknowledgedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) readmittedAt: string | null;
  @ApiProperty({ enum: GREEN_CASE_ACTIONS, isArray: true }) allowedActions: GreenCaseAction[];
}

export class GreenCasePageDto {
  @ApiProperty({ type: () => [GreenCaseDto] }) items: GreenCaseDto[];
  @ApiPropertyOptional({ type: String, nullable: true, description: 'Pass as cursor for the next page.' })
  nextCursor: string | null;
}

export const WORKLIST_STATUSES = ['offered', 'acknowledged', 'readmitted'] as const;

export class GreenCaseQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: WORKLIST_STATUSES })
  @IsOptional()
  @IsOneOf(WORKLIST_STATUSES)
  status?: (typeof WORKLIST_STATUSES)[number];
}

export class AcknowledgeGreenCaseDto {
  @ApiProperty({ example: '精神科总值班 王医生', description: 'Who acknowledged (staff name or duty post).' })
  @IsString()
  @Length(1, 100)
  acknowledgedBy: string;
}

export class DeclineGreenCaseDto {
  @ApiProperty({ enum: GREEN_DECLINE_REASONS })
  @IsOneOf(GREEN_DECLINE_REASONS)
  reason: GreenDeclineReason;
}

/** The case after the hospital's answer. A declined case has left the hospital: nothing more to do. */
export class GreenCaseActionResultDto {
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ format: 'uuid' }) referralId: string;
  @ApiProperty({ enum: ['acknowledged', 'readmitted', 'declined'] })
  status: 'acknowledged' | 'readmitted' | 'declined';
  @ApiProperty({ enum: GREEN_CASE_ACTIONS, isArray: true }) allowedActions: GreenCaseAction[];
}
