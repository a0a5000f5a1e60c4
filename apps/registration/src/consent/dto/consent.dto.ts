import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import {
  CONSENT_PURPOSES,
  ConsentPurpose,
  GuardianDto,
  IsNested,
  IsOneOf,
  IsTimestamp,
} from '@app/contracts';

export const CONSENT_METHODS = [
  'signed-at-hospital',
  'recorded-by-community-worker',
  'signed-online',
] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export class ConsentRequestDto {
  @ApiProperty({ enum: CONSENT_PURPOSES })
  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @ApiProperty({ enum: ['patient', 'guardian'] })
  @IsIn(['patient', 'guardian'])
  grantedBy: 'patient' | 'guardian';

  @ApiProperty({ enum: CONSENT_METHODS })
  @IsOneOf(CONSENT_METHODS)
  method: ConsentMethod;

  @ApiProperty({ example: '2026-11-20T09:00:00+08:00' })
  @IsTimestamp()
  grantedAt: string;

  @ApiPropertyOptional({ example: '2027-11-20T00:00:00+08:00' })
  @IsOptional()
  @IsTimestamp()
  expiresAt?: string;

  @ApiPropertyOptional({ type: () => GuardianDto, description: 'The guardian who signed (recorded sealed)' })
  @IsOptional()
  @IsNested(() => GuardianDto)
  guardian?: GuardianDto;
}

export class WithdrawalDto {
  @ApiProperty({ enum: CONSENT_PURPOSES })
  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @ApiProperty({ enum: ['patient', 'guardian'] })
  @IsIn(['patient', 'guardian'])
  withdrawnBy: 'patient' | 'guardian';
}
