import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { OrgKinds, OwnOrganisationParam } from '@app/auth';
import {
  AcceptEmploymentDto,
  EmployerContactDto,
  EmploymentDeclineDto,
  EmploymentReferralDto,
  EmploymentReferralPageDto,
  EndEmploymentDto,
  PlacementDto,
  ProviderReferralQuery,
  RetentionCheckDto,
  StartTrainingDto,
} from './dto/employment-referral.dto';
import { ProviderReferralsService } from './provider-referrals.service';

const ReferralId = () => Param('referralId', ParseUUIDPipe);

/** `:providerId` is the caller's own id (@OwnOrganisationParam: another provider's id answers 404). */
@ApiTags('provider employment referrals')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'Missing or unknown provider API key (problem+json).' })
@ApiNotFoundResponse({
  description: "Not a referral this provider holds (another provider's looks exactly like a missing one).",
})
@OrgKinds('employment-provider')
@OwnOrganisationParam('providerId')
@Controller('v1/providers/:providerId/referrals')
export class ProviderReferralsController {
  constructor(private readonly referrals: ProviderReferralsService) {}

  @Get()
  @ApiOkResponse({
    type: EmploymentReferralPageDto,
    description: "The provider's own referrals, oldest first.",
  })
  @ApiBadRequestResponse({ description: 'Bad status, limit or cursor.' })
  list(
    @Param('providerId') providerId: string,
    @Query() query: ProviderReferralQuery,
  ): Promise<EmploymentReferralPageDto> {
    return this.referrals.list(providerId, query);
  }

  @Get(':referralId')
  @ApiOkResponse({ type: EmploymentReferralDto })
  get(
    @Param('providerId') providerId: string,
    @ReferralId() referralId: string,
  ): Promise<EmploymentReferralDto> {
    return this.referrals.get(providerId, referralId);
  }

  @Post(':referralId/accept')
  @HttpCode(200)
  @ApiOkResponse({ type: EmploymentReferralDto, description: 'employment.referral.accepted.' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  accept(
    @Param('providerId') providerId: string,
    @ReferralId() referralId: string,
    @Body() dto: AcceptEmploymentDto,
  ): Promise<EmploymentReferralDto> {
    return this.referrals.accept(providerId, referralId, dto);
  }

  @Post(':referralId/employer-contacts')
  @HttpCode(200)
  @ApiOkResponse({
    type: EmploymentReferralDto,
    description: 'IPS: a contact with an employer made for the person (the earliest counts).',
  })
  @ApiBadRequestResponse({ description: 'Not a calendar date, before readiness or in the future.' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  recordEmployerContact(
    @Param('providerId') providerId: string,
    @ReferralId() referralId: string,
    @Body() dto: EmployerContactDto,
  ): Promise<EmploymentReferralDto> {
    return this.referrals.recordEmployerContact(providerId, referralId, dto);
  }

  @Post(':referralId/decline')
  @HttpCode(200)
  @ApiOkResponse({ type: EmploymentReferralDto, description: 'Declined with a coded reason; re-routed.' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  decline(
    @Param('providerId') providerId: string,
    @ReferralId() referralId: string,
    @Body() dto: EmploymentDeclineDto,
  ): Promise<EmploymentReferralDto> {
    return this.referrals.decline(providerId, referralId, dto);
  }

  @Post(':referralId/training')
  @HttpCode(200)
  @ApiOkResponse({ type: EmploymentReferralDto, description: 'employment.training.started.' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  startTraining(
    @Param('providerId') providerId: string,
    @ReferralId() referralId: string,
    @Body() dto: StartTrainingDto,
  ): Promise<EmploymentReferralDto> {
    return this.referrals.startTraining(providerId, referralId, dto);
  }

  @Post(':referralId/placement')
  @HttpCode(200)
  @ApiOkResponse({
    type: EmploymentReferralDto,
    description: 'employment.placed; retention checks scheduled.',
  })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  place(
    @Param('providerId') providerId: string,
    @ReferralId() referralId: string,
    @Body() dto: PlacementDto,
  ): Promise<EmploymentReferralDto> {
    return this.referrals.place(providerId, referralId, dto);
  }

  @Post(':referralId/retention-checks')
  @HttpCode(200)
  @ApiOkResponse({ type: EmploymentReferralDto, description: 'employment.retention.checked.' })
  @ApiConflictResponse({
    description: 'ILLEGAL_TRANSITION, RETENTION_CHECK_NOT_DUE or RETENTION_CHECK_NOT_OPEN.',
  })
  recordRetentionCheck(
    @Param('providerId') providerId: string,
    @ReferralId() referralId: string,
    @Body() dto: RetentionCheckDto,
  ): Promise<EmploymentReferralDto> {
    return this.referrals.recordRetentionCheck(providerId, referralId, dto);
  }

  @Post(':referralId/end')
  @HttpCode(200)
  @ApiOkResponse({ type: EmploymentReferralDto, description: 'employment.referral.ended with a reason.' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  end(
    @Param('providerId') providerId: string,
    @ReferralId() referralId: string,
    @Body() dto: EndEmploymentDto,
  ): Promise<EmploymentReferralDto> {
    return this.referrals.end(providerId, referralId, dto);
  }
}
