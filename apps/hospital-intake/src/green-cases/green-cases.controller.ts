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
import { OrgKinds, StaffRoles } from '@app/auth';
import { DomainException } from '@app/core';
import { CurrentHospital } from '../hospitals/current-hospital';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import {
  AcknowledgeGreenCaseDto,
  DeclineGreenCaseDto,
  GreenCaseActionResultDto,
  GreenCaseDto,
  GreenCasePageDto,
  GreenCaseQuery,
} from './dto/green-case.dto';
import { GreenCasesService } from './green-cases.service';

const caseIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new DomainException('GREEN_CASE_NOT_FOUND', 'not-found', 'No such green case'),
});

/** The hospital's green-channel worklist and its answers. Another hospital's case is 404. */
@ApiTags('green cases')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('v1/green-cases')
@OrgKinds('hospital')
export class GreenCasesController {
  constructor(private readonly cases: GreenCasesService) {}

  @Get()
  @ApiOkResponse({
    type: GreenCasePageDto,
    description: 'Cases assigned to the calling hospital, oldest first.',
  })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED, INVALID_CURSOR' })
  list(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Query() query: GreenCaseQuery,
  ): Promise<GreenCasePageDto> {
    return this.cases.list(hospital, query);
  }

  @Get(':caseId')
  @ApiOkResponse({ type: GreenCaseDto })
  @ApiNotFoundResponse({ description: 'GREEN_CASE_NOT_FOUND (also for a case another hospital holds)' })
  get(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('caseId', caseIdPipe) caseId: string,
  ): Promise<GreenCaseDto> {
    return this.cases.get(hospital, caseId);
  }

  @Post(':caseId/acknowledge')
  @HttpCode(200)
  @ApiOkResponse({ type: GreenCaseActionResultDto })
  @ApiNotFoundResponse({ description: 'GREEN_CASE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION (with the allowed actions)' })
  acknowledge(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('caseId', caseIdPipe) caseId: string,
    @Body() dto: AcknowledgeGreenCaseDto,
  ): Promise<GreenCaseActionResultDto> {
    return this.cases.acknowledge(hospital, caseId, dto);
  }

  @Post(':caseId/admit')
  @StaffRoles('coordinator')
  @HttpCode(200)
  @ApiOkResponse({ type: GreenCaseActionResultDto, description: 'Readmitted (green.readmitted).' })
  @ApiNotFoundResponse({ description: 'GREEN_CASE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION' })
  admit(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('caseId', caseIdPipe) caseId: string,
  ): Promise<GreenCaseActionResultDto> {
    return this.cases.admit(hospital, caseId);
  }

  @Post(':caseId/decline')
  @StaffRoles('coordinator')
  @HttpCode(200)
  @ApiOkResponse({ type: GreenCaseActionResultDto, description: 'Declined; the case moved on at once.' })
  @ApiNotFoundResponse({ description: 'GREEN_CASE_NOT_FOUND' })
  @ApiConflictResponse({ description: 'ILLEGAL_TRANSITION' })
  decline(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('caseId', caseIdPipe) caseId: string,
    @Body() dto: DeclineGreenCaseDto,
  ): Promise<GreenCaseActionResultDto> {
    return this.cases.decline(hospital, caseId, dto);
  }
}
