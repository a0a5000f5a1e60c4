import { Body, Controller, Headers, HttpCode, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import type { Bundle } from 'fhir/r4';
import type { Response } from 'express';
import { OrgKinds } from '@app/auth';
import { CurrentHospital } from '../hospitals/current-hospital';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import { FHIR_JSON, OperationOutcomeFilter } from './channels/operation-outcome.filter';
import { ContentTypes } from './content-type.guard';
import { IntakeChannelsService } from './intake-channels.service';

@ApiTags('fhir')
@ApiSecurity('api-key')
@ApiHeader({ name: 'X-API-Key', required: true })
@Controller('fhir')
@UseFilters(OperationOutcomeFilter)
@OrgKinds('hospital')
@UseGuards(ContentTypes(FHIR_JSON, 'application/json'))
export class FhirController {
  constructor(private readonly channels: IntakeChannelsService) {}

  @Post('Bundle')
  @HttpCode(201)
  @ApiConsumes(FHIR_JSON, 'application/json')
  @ApiBody({
    description:
      'FHIR R4 transaction/message Bundle: Patient, Encounter, Condition (ICD-10), ServiceRequest, Observation (discharge assessment), optional Consent and RelatedPerson (guardian)',
    schema: { type: 'object', properties: { resourceType: { type: 'string', enum: ['Bundle'] } } },
  })
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiCreatedResponse({
    description: 'transaction-response Bundle; entry[0].response.location = ServiceRequest/<referral id>',
  })
  @ApiOkResponse({ description: 'This encounter was already referred: the existing referral' })
  @ApiResponse({ status: 400, description: 'OperationOutcome naming each problem in issue[].expression' })
  async submit(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Body() bundle: unknown,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<Bundle> {
    const answer = await this.channels.submitFhir(hospital, bundle, idempotencyKey);
    response.status(answer.status).type(FHIR_JSON);
    return {
      resourceType: 'Bundle',
      type: 'transaction-response',
      entry: [
        {
          response: {
            status: answer.status === 201 ? '201 Created' : '200 OK',
            location: `ServiceRequest/${answer.body.referralId}`,
          },
        },
      ],
    };
  }
}
