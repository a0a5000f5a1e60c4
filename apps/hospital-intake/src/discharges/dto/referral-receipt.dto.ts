import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COLOUR_GRADES, ColourGrade } from '@app/contracts';

/**
 * The answer to an accepted discharge (201 new, 202 new and awaiting its assessment, 200 the existing referral
 * of that encounter).
 */
export class ReferralReceiptDto {
  @ApiProperty({ format: 'uuid' })
  referralId: string;

  @ApiProperty()
  encounterId: string;

  @ApiProperty({
    description: 'false when this encounter had already been referred (the existing referral).',
  })
  created: boolean;

  @ApiProperty({ example: 'assessed', description: 'assessed, awaiting-assessment, or a later stage' })
  status: string;

  @ApiPropertyOptional({ enum: COLOUR_GRADES, description: 'Once assessed.' })
  colourGrade?: ColourGrade;

  @ApiPropertyOptional({
    description:
      'Once assessed. false for risk 3–5 or an unstable condition: not routed to a community site.',
  })
  eligibleForCommunityRehab?: boolean;

  @ApiPropertyOptional({
    example: ['assessment.riskLevel', 'assessment.conditionStatus'],
    description: 'awaiting-assessment: what the discharge assessment still needs.',
  })
  missing?: string[];

  @ApiPropertyOptional({ description: 'awaiting-assessment: the working-day deadline for the assessment.' })
  assessmentDueAt?: string;
}
