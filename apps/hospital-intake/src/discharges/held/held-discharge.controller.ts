import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { OrgKinds } from '@app/auth';
import { DomainException } from '@app/core';
import { CurrentHospital } from '../../hospitals/current-hospital';
import { AuthenticatedHospital } from '../../hospitals/hospital.types';
import { ReferralReceiptDto } from '../dto/referral-receipt.dto';
import {
  CompleteHeldDischargeDto,
  HeldDischargeDto,
  HeldDischargeListQuery,
  HeldDischargePageDto,
} from './dto/held-discharge.dto';
import { HELD_DISCHARGE_NOT_FOUND, HeldDischargeService } from './held-discharge.service';

const heldIdPipe = new ParseUUIDPipe({
  exceptionFactory: () =>
    new DomainException(HELD_DISCHARGE_NOT_FOUND, 'not-found', 'No such held discharge'),
});

/**
 * The hospital's held discharges: HL7v2 and FHIR discharges kept because they lack registration data (ID number,
 * residence, consent…); listed, read, and completed into a referral.
 */
@ApiTags('held-discharges')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('v1/held-discharges')
@OrgKinds('hospital')
export class HeldDischargeController {
  constructor(private readonly held: HeldDischargeService) {}

  @Get()
  @ApiOkResponse({
    type: HeldDischargePageDto,
    description: 'The calling hospital’s own held discharges, newest first, without patient data.',
  })
  @ApiBadRequestResponse({
    description: 'VALIDATION_FAILED (status, or limit above the maximum), INVALID_CURSOR',
  })
  list(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Query() query: HeldDischargeListQuery,
  ): Promise<HeldDischargePageDto> {
    return this.held.list(hospital, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: HeldDischargeDto })
  @ApiNotFoundResponse({ description: 'HELD_DISCHARGE_NOT_FOUND (also for another hospital’s)' })
  get(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('id', heldIdPipe) id: string,
  ): Promise<HeldDischargeDto> {
    return this.held.get(hospital, id);
  }

  @Post(':id/completion')
  @HttpCode(201)
  @ApiCreatedResponse({ type: ReferralReceiptDto, description: 'Completed: a new referral (assessed)' })
  @ApiAcceptedResponse({
    type: ReferralReceiptDto,
    description: 'Completed: a new referral awaiting its assessment (the message carried none)',
  })
  @ApiOkResponse({ type: ReferralReceiptDto, description: 'Completed: the encounter was referred already' })
  @ApiBadRequestResponse({
    description: 'VALIDATION_FAILED: the completed discharge breaks a discharge rule (errors[] per field)',
  })
  @ApiNotFoundResponse({ description: 'HELD_DISCHARGE_NOT_FOUND (also for another hospital’s)' })
  @ApiConflictResponse({ description: 'HELD_DISCHARGE_COMPLETED, with details.referralId' })
  async complete(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('id', heldIdPipe) id: string,
    @Body() body: CompleteHeldDischargeDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ReferralReceiptDto> {
    const answer = await this.held.complete(hospital, id, body);
    response.status(answer.status);
    return answer.body;
  }
}
