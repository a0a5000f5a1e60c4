import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { DomainException } from '@app/core';
import { OrgKinds } from '@app/auth';
import { CurrentHospital } from '../hospitals/current-hospital';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import { ReferralViewDto } from './dto/referral-view.dto';
import { ReferralService } from './referral.service';

const referralIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new DomainException('REFERRAL_NOT_FOUND', 'not-found', 'No such referral'),
});

@ApiTags('referrals')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('v1/referrals')
@OrgKinds('hospital')
export class ReferralController {
  constructor(private readonly referrals: ReferralService) {}

  @Get(':id')
  @ApiOkResponse({ type: ReferralViewDto })
  @ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND (also for another hospital’s referral)' })
  get(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('id', referralIdPipe) id: string,
  ): Promise<ReferralViewDto> {
    return this.referrals.get(hospital, id);
  }
}
