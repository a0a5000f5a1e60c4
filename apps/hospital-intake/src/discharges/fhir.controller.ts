import { Body, Controller, Get, Headers, HttpCode, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Bundle, CapabilityStatement, OperationOutcome } from 'fhir/r4';
import type { Response } from 'express';
import { OrgKinds } from '@app/auth';
import { CurrentHospital } from '../hospitals/current-hospital';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import { Clock, versioned } from '@app/core';
import { capabilityStatement } from './channels/capability-statement';
import { heldLocation, heldOutcome, referralLocation, transactionResponse } from './channels/fhir-response';
import { FHIR_JSON, OperationOutcomeFilter } from './channels/operation-outcome.filter';
import { ContentTypes } from './content-type.guard';
import { IntakeChannelsService } from './intake-channels.service';

@ApiTags('fhir')
@ApiSecurity('api-key')
@ApiHeader({ name: 'X-API-Key', required: true })
@Controller(versioned('fhir'))
@UseFilters(OperationOutcomeFilter)
@OrgKinds('hospital')
export class FhirController {
  constructor(
    private readonly channels: IntakeChannelsService,
    private readonly clock: Clock,
  ) {}

  @Get('metadata')
  @ApiOkResponse({ description: 'CapabilityStatement: what this FHIR endpoint accepts' })
  metadata(@Res({ passthrough: true }) response: Response): CapabilityStatement {
    response.type(FHIR_JSON);
    return capabilityStatement(this.clock.now());
  }

  /** A transaction `POST [base]` as the FHIR REST API defines it; `POST [base]/Bundle` stays as an alias. */
  @Post(['', 'Bundle'])
  @UseGuards(ContentTypes(FHIR_JSON, 'application/json'))
  @HttpCode(201)
  @ApiConsumes(FHIR_JSON, 'application/json')
  @ApiBody({
    description:
      'FHIR R4 transaction/message Bundle: Patient, Encounter, Condition (ICD-10), ServiceRequest, Observation (discharge assessment), optional Consent and RelatedPerson (guardian)',
    schema: { type: 'object', properties: { resourceType: { type: 'string', enum: ['Bundle'] } } },
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({
    description:
      'transaction-response Bundle, one entry per request entry; the ServiceRequest entry has response.location = ServiceRequest/<referral id> (also the Location header), and an OperationOutcome warning when the discharge awaits its assessment',
  })
  @ApiOkResponse({
    description:
      "This encounter was already referred: the existing referral. The ServiceRequest entry's response.outcome names each Consent the referral did not have and now has (information, CONSENT_ADDED) and each element that differs from the referral as first received and was not applied (warning, NOT_APPLIED), at its expression",
  })
  @ApiAcceptedResponse({
    description:
      'Held: the discharge names its patient but lacks registration data (ID number, residence, consent…). It is kept; an OperationOutcome (severity warning) names each missing element in issue[].expression, and the Location header is the held discharge (/v1/held-discharges/<id>) to complete',
  })
  @ApiResponse({ status: 400, description: 'OperationOutcome naming each problem in issue[].expression' })
  async submit(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Body() bundle: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Bundle | OperationOutcome> {
    const answer = await this.channels.submitFhir(hospital, bundle, idempotencyKey);
    if ('held' in answer) {
      response.status(202).type(FHIR_JSON).location(heldLocation(answer.held.id));
      return heldOutcome(answer.held);
    }
    const status = answer.status === 202 ? 201 : answer.status;
    response.status(status).type(FHIR_JSON);
    if (status === 201) response.location(referralLocation(answer.body.referralId));
    return transactionResponse(
      bundle,
      answer.status,
      answer.body,
      'resend' in answer ? answer.resend : undefined,
    );
  }
}
