import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { COLOUR_GRADES, ColourGrade, ConsentGrantDto } from '@app/contracts';

/** A field of a discharge sent again that differs from the referral and was not applied. */
export class NotAppliedFieldDto {
  @ApiProperty({
    example: '#/patient/name',
    description: 'JSON pointer into the discharge sent, as in the errors of a 400.',
  })
  pointer: string;

  @ApiProperty({ example: 'differs from the referral as first received; not applied' })
  detail: string;
}

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

  @ApiPropertyOptional({
    type: () => [ConsentGrantDto],
    description:
      'A discharge sent again (200): the consents it carried that the referral did not have (a purpose not ' +
      'recorded, or a later grant), now recorded on it. registration hears of them (referral.consents-added) and ' +
      'applies the consent gate again; a referral awaiting its assessment passes them on with it.',
  })
  consentsAdded?: ConsentGrantDto[];

  @ApiPropertyOptional({
    type: () => [NotAppliedFieldDto],
    description:
      'A discharge sent again (200): each field that differs from the referral as first received and was not ' +
      'applied (a discharge sent again changes nothing but its consents), and each consent not taken.',
  })
  notApplied?: NotAppliedFieldDto[];
}
