import {
  Body,
  Controller,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { OrgKinds } from '@app/auth';
import { CurrentHospital } from '../hospitals/current-hospital';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import { ContentTypes } from './content-type.guard';
import { DomainException } from '@app/core';
import { AssessmentService, REFERRAL_NOT_FOUND } from './assessment.service';
import { DischargeService } from './discharge.service';
import { ReferralReceiptDto } from './dto/referral-receipt.dto';
import { DischargeAssessmentDto, SubmitDischargeDto } from './dto/submit-discharge.dto';

const referralIdPipe = new ParseUUIDPipe({
  exceptionFactory: () => new DomainException(REFERRAL_NOT_FOUND, 'not-found', 'No such referral'),
});

@ApiTags('discharges')
@ApiSecurity('api-key')
@ApiHeader({ name: 'X-API-Key', required: true, description: "The hospital's API key" })
@ApiUnauthorizedResponse({ description: 'Missing or unknown API key (problem+json, code UNAUTHENTICATED)' })
@Controller('v1/discharges')
@OrgKinds('hospital')
@UseGuards(ContentTypes('application/json'))
export class DischargeController {
  constructor(
    private readonly discharges: DischargeService,
    private readonly assessments: AssessmentService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Same key + same body → the original answer; different body → 422; in flight → 409',
  })
  @ApiCreatedResponse({ type: ReferralReceiptDto, description: 'A new referral' })
  @ApiAcceptedResponse({
    type: ReferralReceiptDto,
    description:
      'A new referral without its assessment: awaiting-assessment, with what is missing and by when',
  })
  @ApiOkResponse({
    type: ReferralReceiptDto,
    description:
      'This encounter was already referred: the existing one, with the consents this discharge added (consentsAdded: referral.consents-added, registration applies the consent gate again) and what differs and was not applied (notApplied)',
  })
  @ApiBadRequestResponse({
    description:
      'VALIDATION_FAILED (errors[] per field: ID checksum, division, dates, ICD-10, unknown fields)',
  })
  @ApiConflictResponse({ description: 'IDEMPOTENCY_KEY_IN_FLIGHT' })
  @ApiUnprocessableEntityResponse({ description: 'IDEMPOTENCY_KEY_REUSED with a different body' })
  @ApiPayloadTooLargeResponse({ description: 'Body above 256 kB' })
  @ApiUnsupportedMediaTypeResponse({ description: 'Content-Type other than application/json' })
  async submit(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Body() body: SubmitDischargeDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<ReferralReceiptDto> {
    const answer = await this.discharges.submit(hospital, 'json', body, idempotencyKey);
    response.status(answer.status);
    return answer.body;
  }

  @Post(':referralId/assessment')
  @HttpCode(200)
  @ApiOkResponse({
    type: ReferralReceiptDto,
    description: 'Assessed: referral.assessed is published (routing starts)',
  })
  @ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND (also for another hospital’s referral)' })
  @ApiConflictResponse({
    description: 'ASSESSMENT_ALREADY_RECORDED: the referral is not awaiting an assessment',
  })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED' })
  async completeAssessment(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Param('referralId', referralIdPipe) referralId: string,
    @Body() body: DischargeAssessmentDto,
  ): Promise<ReferralReceiptDto> {
    return (await this.assessments.complete(hospital, { referralId }, body)).body;
  }
}
