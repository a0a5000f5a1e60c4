import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthenticatedRequest, OrgKinds, OwnOrganisationParam, StaffRoles } from '@app/auth';
import {
  CloseDto,
  DeclineDto,
  EmploymentReadinessDto,
  PeriodicAssessmentDto,
  ReferralActionResultDto,
  ReferralDetailDto,
  ReferralPageDto,
  RehabPlanDto,
  RelapseDto,
  ServiceSessionDto,
  SiteReferralQuery,
  TransferDto,
} from './dto/referral.dto';
import { SubjectFileDto } from './dto/subject-file.dto';
import { ServiceRecordsService } from './service-records.service';
import { SubjectFileService } from './subject-file.service';
import { SiteDecisionsService } from './site-decisions.service';

type SiteRequest = AuthenticatedRequest;
/** The calling site: @OrgKinds('site') guarantees an organisation principal, @OwnOrganisationParam its path. */
function siteOf(request: SiteRequest): string {
  if (request.principal?.type !== 'organisation') throw new Error('site routes need @OrgKinds(site)');
  return request.principal.organisationId;
}

@ApiTags('site referrals')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'Missing or unknown site API key (problem+json).' })
@ApiNotFoundResponse({
  description: "Not a referral this site holds (another site's looks exactly like a missing one).",
})
@OrgKinds('site')
@OwnOrganisationParam('siteId')
@Controller('v1/sites/:siteId/referrals')
export class SiteReferralsController {
  constructor(
    private readonly decisions: SiteDecisionsService,
    private readonly records: ServiceRecordsService,
    private readonly subjectFile: SubjectFileService,
  ) {}

  @Get()
  @ApiOkResponse({ type: ReferralPageDto, description: "The site's own referrals, oldest assignment first." })
  @ApiBadRequestResponse({ description: 'Bad status, limit or cursor.' })
  list(@Req() request: SiteRequest, @Query() query: SiteReferralQuery): Promise<ReferralPageDto> {
    return this.decisions.list(siteOf(request), query);
  }

  @Get(':referralId')
  @ApiOkResponse({
    type: ReferralDetailDto,
    description: 'With the contact, opened for the holding site only.',
  })
  get(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
  ): Promise<ReferralDetailDto> {
    return this.decisions.get(siteOf(request), referralId);
  }

  @Get(':referralId/file')
  @ApiOkResponse({
    type: SubjectFileDto,
    description:
      "The subject's file (档案): every plan, session and periodic assessment, the previous sites' included after a transfer. Only the holding site while consent stands; anyone else gets 404.",
  })
  file(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
  ): Promise<SubjectFileDto> {
    return this.subjectFile.read(siteOf(request), referralId);
  }

  @Post(':referralId/accept')
  @StaffRoles('coordinator')
  @HttpCode(200)
  @ApiOkResponse({ type: ReferralActionResultDto })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  accept(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
  ): Promise<ReferralActionResultDto> {
    return this.decisions.accept(siteOf(request), referralId);
  }

  @Post(':referralId/decline')
  @StaffRoles('coordinator')
  @HttpCode(200)
  @ApiOkResponse({ type: ReferralActionResultDto, description: 'Declined; the referral is re-routed.' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  decline(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
    @Body() dto: DeclineDto,
  ): Promise<ReferralActionResultDto> {
    return this.decisions.decline(siteOf(request), referralId, dto);
  }

  @Post(':referralId/close')
  @StaffRoles('coordinator')
  @HttpCode(200)
  @ApiOkResponse({ type: ReferralActionResultDto, description: 'Closed with an outcome (referral.closed).' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  close(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
    @Body() dto: CloseDto,
  ): Promise<ReferralActionResultDto> {
    return this.decisions.close(siteOf(request), referralId, dto);
  }

  @Post(':referralId/relapse')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReferralActionResultDto,
    description: 'green.relapse-reported; on hold (green-channel).',
  })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  relapse(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
    @Body() dto: RelapseDto,
  ): Promise<ReferralActionResultDto> {
    return this.decisions.reportRelapse(siteOf(request), referralId, dto);
  }

  @Post(':referralId/employment-readiness')
  @HttpCode(200)
  @ApiOkResponse({ type: ReferralActionResultDto, description: 'employment.readiness-confirmed.' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  employmentReadiness(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
    @Body() dto: EmploymentReadinessDto,
  ): Promise<ReferralActionResultDto> {
    return this.decisions.confirmEmploymentReadiness(siteOf(request), referralId, dto);
  }

  @Post(':referralId/plan')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReferralActionResultDto,
    description: 'Rehab plan recorded (referral.service-recorded).',
  })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  plan(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
    @Body() dto: RehabPlanDto,
  ): Promise<ReferralActionResultDto> {
    return this.records.recordPlan(siteOf(request), referralId, dto);
  }

  @Post(':referralId/sessions')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReferralActionResultDto,
    description: 'Session recorded; the first one starts service.',
  })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  session(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
    @Body() dto: ServiceSessionDto,
  ): Promise<ReferralActionResultDto> {
    return this.records.recordSession(siteOf(request), referralId, dto);
  }

  @Post(':referralId/assessments')
  @HttpCode(200)
  @ApiOkResponse({ type: ReferralActionResultDto, description: 'Periodic assessment recorded.' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION, with allowedActions.' })
  assessment(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
    @Body() dto: PeriodicAssessmentDto,
  ): Promise<ReferralActionResultDto> {
    return this.records.recordAssessment(siteOf(request), referralId, dto);
  }

  @Post(':referralId/transfer')
  @StaffRoles('coordinator')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReferralActionResultDto,
    description: 'Transferred (referral.transferred); the target must accept.',
  })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION or TARGET_SITE_FULL.' })
  transfer(
    @Req() request: SiteRequest,
    @Param('referralId', ParseUUIDPipe) referralId: string,
    @Body() dto: TransferDto,
  ): Promise<ReferralActionResultDto> {
    return this.decisions.transfer(siteOf(request), referralId, dto);
  }
}
