import { Body, Controller, Get, Header, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { DomainException } from '@app/core';
import { OrgKinds } from '@app/auth';
import { CurrentHospital } from '../hospitals/current-hospital';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import {
  CancelReferralDto,
  ReferralListQuery,
  ReferralPageDto,
  ReferralViewDto,
} from './dto/referral-view.dto';
import { ReferralService } from './referral.service';

const referralIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new DomainException('REFERRAL_NOT_FOUND', 'not-found', 'No such referral'),
});

/** The referring hospital's referrals: list, one with its timeline (JSON or FHIR Task), cancel. */
@ApiTags('referrals')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('v1/referrals')
@OrgKinds('hospital')
export class ReferralController {
  constructor(private readonly referrals: ReferralService) {}

  @Get()
  @ApiOkResponse({
    type: ReferralPageDto,
    description: 'The calling hospital’s own referrals, newest discharge first, each with its timeline.',
  })
  @ApiBadRequestResponse({
    description: 'VALIDATION_FAILED (a filter, or limit above the maximum), INVALID_CURSOR',
  })
  list(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Query() query: ReferralListQuery,
  ): Promise<ReferralPageDto> {
    return this.referrals.list(hospital, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: ReferralViewDto })
  @ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND (also for another hospital’s referral)' })
  get(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('id', referralIdPipe) id: string,
  ): Promise<ReferralViewDto> {
    return this.referrals.get(hospital, id);
  }

  @Get(':id/fhir-task')
  @Header('content-type', 'application/fhir+json; charset=utf-8')
  @ApiProduces('application/fhir+json')
  @ApiOkResponse({
    description:
      'FHIR R4 Task: status and businessStatus from the lifecycle, focus the referral (ServiceRequest), ' +
      'history as Task.output (one entry per timeline step, in order).',
  })
  @ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND (also for another hospital’s referral)' })
  fhirTask(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('id', referralIdPipe) id: string,
  ): Promise<Record<string, unknown>> {
    return this.referrals.fhirTask(hospital, id);
  }

  @Post(':id/cancellation')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReferralViewDto,
    description: 'Cancelled (referral.cancelled); the place is freed.',
  })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED (reasonCode)' })
  @ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND (also for another hospital’s referral)' })
  @ApiConflictResponse({
    description: 'ILLEGAL_TRANSITION: a site accepted it, or it ended (with allowedActions)',
  })
  cancel(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('id', referralIdPipe) id: string,
    @Body() dto: CancelReferralDto,
  ): Promise<ReferralViewDto> {
    return this.referrals.cancel(hospital, id, dto);
  }
}
