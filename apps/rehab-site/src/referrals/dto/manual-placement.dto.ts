import { ApiProperty } from '@nestjs/swagger';
import { IsOrgId } from '@app/contracts';

export class ManualPlacementDto {
  @ApiProperty({
    description: 'The site that takes the referral (it must have a free place and be accepting).',
  })
  @IsOrgId()
  siteId: string;
}

export class ManualPlacementResultDto {
  @ApiProperty() referralId: string;
  @ApiProperty() siteId: string;
  @ApiProperty({ description: 'Offers so far, this one included.' }) hop: number;
  @ApiProperty({ enum: ['assigned'] }) status: 'assigned';
}
