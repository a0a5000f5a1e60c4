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
import { ApplicationViewDto } from '../registrations/dto/registration-view.dto';
import { ApplicationsService } from './applications.service';
import {
  AssessmentRequestQuery,
  AssessmentResultDto,
  FileApplicationDto,
  VerificationDto,
} from './dto/application.dto';
import { versioned } from '@app/core';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('applications')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'Missing or unknown API key (problem+json UNAUTHENTICATED)' })
@ApiBadRequestResponse({ description: 'VALIDATION_FAILED with one errors[] entry per field' })
@OrgKinds(...REGISTRATION_CHANNEL_KINDS)
@Controller(versioned('applications'))
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

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
    return this.applications.fileApplication(caller, body);
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
    return this.applications.assessmentRequests(caller, query.limit ?? 50);
  }

  @Get(':id')
  @ApiOkResponse({ type: ApplicationViewDto })
  @ApiNotFoundResponse({ description: 'Unknown, or not visible to the caller' })
  get(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<ApplicationViewDto> {
    return this.applications.getApplication(caller, id);
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
    return this.applications.verify(caller, id, body);
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
    return this.applications.recordAssessment(caller, id, body);
  }
}
