import { Body, Controller, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { OrgKinds } from '@app/auth';
import { CurrentHospital } from '../hospitals/current-hospital';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import { ContentTypes } from './content-type.guard';
import { IntakeChannelsService } from './intake-channels.service';
import { versioned } from '@app/core';

export const HL7_MEDIA_TYPES = ['x-application/hl7-v2+er7', 'application/hl7-v2', 'text/plain'];

@ApiTags('hl7v2')
@ApiSecurity('api-key')
@Controller(versioned('hl7'))
@OrgKinds('hospital')
@UseGuards(ContentTypes(...HL7_MEDIA_TYPES))
export class Hl7Controller {
  constructor(private readonly channels: IntakeChannelsService) {}

  @Post('v2')
  @ApiConsumes(...HL7_MEDIA_TYPES)
  @ApiProduces('x-application/hl7-v2+er7')
  @ApiBody({
    description: 'One ADT^A03 message (ER7; segments separated by CR or LF)',
    schema: { type: 'string' },
  })
  @ApiResponse({
    status: 200,
    description: 'ACK with MSA|AA (201 for a new referral, 200 when already referred)',
  })
  @ApiResponse({
    status: 202,
    description:
      'ACK with MSA|AA: accepted awaiting its assessment, or held (MSA-3 "held <id>") when it lacks registration data: one ERR of severity W per missing field (ERR-2 segment^seq^field); complete it with POST /v1/held-discharges/<id>/completion',
  })
  @ApiResponse({
    status: 400,
    description: 'ACK with MSA|AE and one ERR per problem (ERR-2 = segment^seq^field)',
  })
  async submit(
    @CurrentHospital() hospital: AuthenticatedHospital,
    @Body() message: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<string> {
    const answer = await this.channels.submitHl7(hospital, typeof message === 'string' ? message : '');
    response.status(answer.status).type('x-application/hl7-v2+er7');
    return answer.ack;
  }
}
