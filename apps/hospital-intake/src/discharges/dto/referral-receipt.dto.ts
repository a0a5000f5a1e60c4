import { ApiProperty } from '@nestjs/swagger';
import { COLOUR_GRADES, ColourGrade } from '@app/contracts';

/** The answer to an accepted discharge (201 new, 200 the existing referral of that encounter). */
export class ReferralReceiptDto {
  @ApiProperty({ format: 'uuid' })
  referralId: string;

  @ApiProperty()
  encounterId: string;

  @ApiProperty({
    description: 'false when this encounter had already been referred (the existing referral).',
  })
  created: boolean;

  @ApiProperty({ example: 'assessed' })
  status: string;

  @ApiProperty({ enum: COLOUR_GRADES })
  colourGrade: ColourGrade;

  @ApiProperty({
    description: 'false for risk 3–5 or an unstable condition: not routed to a community site.',
  })
  eligibleForCommunityRehab: boolean;
}
