import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { OrgKinds, REGISTRATION_CHANNEL_KINDS } from '@app/auth';
import { Caller, CurrentCaller } from '../auth/caller';
import {
  AssessmentRequestQuery,
  AssessmentResultDto,
  ConsentRequestDto,
  FileApplicationDto,
  VerificationDto,
  WithdrawalDto,
} from './dto/requests.dto';
import { ApplicationViewDto, RegistrationViewDto } from './dto/responses.dto';
import { RegistrationService } from './registration.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('applications')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'Missing or unknown API key (problem+json UNAUTHENTICATED)' })
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED with one errors[] entry per field' })
@OrgKinds(...REGISTRATION_CHANNEL_KINDS)
@Controller('applications')
export class ApplicationsController {
  constructor(private readonly registration: RegistrationService) {}

  @Post()
  @ApiCreatedResponse({
    type: ApplicationViewDto,
    description:
      'Filed; linkedToExisting when the person already had a registration (no second one is created)',
  })
  @ApiUnprocessableEntityResponse({
    description: 'CHANNEL_NOT_ALLOWED for this organisation, UNKNOWN_DIVISION',
  })
  file(@CurrentCaller() caller: Caller, @Body() body: FileApplicationDto): Promise<ApplicationViewDto> {
    return this.registration.fileApplication(caller, body);
  }

  @Get('assessment-requests')
  @OrgKinds('county-centre')
  @ApiOkResponse({
    type: ApplicationViewDto,
    isArray: true,
    description: "Verified applications awaiting the county centre's assessment",
  })
  assessmentRequests(
    @CurrentCaller() caller: Caller,
    @Query() query: AssessmentRequestQuery,
  ): Promise<ApplicationViewDto[]> {
    return this.registration.assessmentRequests(caller, query.limit ?? 50);
  }

  @Get(':id')
  @ApiOkResponse({ type: ApplicationViewDto })
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to the caller' })
  get(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<ApplicationViewDto> {
    return this.registration.getApplication(caller, id);
  }

  @Post(':id/verification')
  @OrgKinds('county-centre')
  @HttpCode(200)
  @ApiOkResponse({
    type: ApplicationViewDto,
    description: '初核登记 recorded: assessment requested, or rejected',
  })
  @ApiNotFoundResponse({ description: "Unknown, or outside the county centre's county" })
  @ApiConflictResponse({ description: 'TRANSITION_NOT_ALLOWED with allowedActions' })
  verify(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: VerificationDto,
  ): Promise<ApplicationViewDto> {
    return this.registration.verify(caller, id, body);
  }

  @Post(':id/assessment')
  @OrgKinds('county-centre')
  @HttpCode(200)
  @ApiOkResponse({
    type: ApplicationViewDto,
    description: 'Assessment recorded; registered, awaiting-consent or ineligible',
  })
  @ApiNotFoundResponse({ description: "Unknown, or outside the county centre's county" })
  @ApiConflictResponse({ description: 'TRANSITION_NOT_ALLOWED with allowedActions' })
  assess(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: AssessmentResultDto,
  ): Promise<ApplicationViewDto> {
    return this.registration.recordAssessment(caller, id, body);
  }
}

@ApiTags('registrations')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'Missing or unknown API key (problem+json UNAUTHENTICATED)' })
@ApiNotFoundResponse({ description: 'Unknown, or not visible to the caller' })
@OrgKinds(...REGISTRATION_CHANNEL_KINDS)
@Controller('registrations')
export class RegistrationsController {
  constructor(private readonly registration: RegistrationService) {}

  @Get(':id')
  @ApiOkResponse({ type: RegistrationViewDto, description: 'Status, applications and consents (no PII)' })
  get(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<RegistrationViewDto> {
    return this.registration.getRegistration(caller, id);
  }

  @Post(':id/consents')
  @ApiCreatedResponse({
    type: RegistrationViewDto,
    description: 'Consent recorded; waiting applications re-checked',
  })
  @ApiConflictResponse({ description: 'CONSENT_WITHDRAWN' })
  @ApiUnprocessableEntityResponse({ description: 'GUARDIAN_MISSING' })
  consent(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: ConsentRequestDto,
  ): Promise<RegistrationViewDto> {
    return this.registration.captureConsent(caller, id, body);
  }

  @Post(':id/consent-withdrawals')
  @HttpCode(200)
  @ApiOkResponse({
    type: RegistrationViewDto,
    description:
      'Withdrawn: open referrals end, unsent events cancelled, referral.consent-withdrawn published, PII sealed',
  })
  withdraw(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: WithdrawalDto,
  ): Promise<RegistrationViewDto> {
    return this.registration.withdraw(caller, id, body);
  }
}
