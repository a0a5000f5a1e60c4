import { Body, Controller, Headers, Post, Res, UseGuards } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiProduces, ApiResponse, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { OrgKinds } from '@app/auth';
import { CurrentHospital } from '../hospitals/current-hospital';
import { AuthenticatedHospital } from '../hospitals/hospital.types';
import { ContentTypes } from './content-type.guard';
import { IntakeChannelsService } from './intake-channels.service';
import { encodeHl7 } from './channels/hl7-charset';
import { versioned } from '@app/core';

export const HL7_MEDIA_TYPES = ['x-application/hl7-v2+er7', 'application/hl7-v2', 'text/plain'];

/** The `charset` parameter of a Content-Type, if any. */
const charsetOf = (contentType: string | undefined) =>
  /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '')?.[1];

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
    description:
      'One ADT^A03 or ORU^R01 message (ER7; segments separated by CR or LF) in the character set its MSH-18 names (else the charset parameter, else UTF-8 or GB 18030); the ACK comes back in the same set',
    schema: { type: 'string' },
  })
  @ApiResponse({
    status: 200,
    description:
      'ACK with MSA|AA (201 for a new referral, 200 when already referred). Sent again for a referred encounter: an OBX CONSENT the referral did not have is added (ERR of severity I, CONSENT_ADDED, at its OBX) and each field that differs from the referral as first received is named (ERR of severity W, NOT_APPLIED)',
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
    @Headers('content-type') contentType: string | undefined,
    @Res() response: Response,
  ): Promise<void> {
    const answer = await this.channels.submitHl7Bytes(
      hospital,
      Buffer.isBuffer(message) ? message : Buffer.alloc(0),
      charsetOf(contentType),
    );
    // Bytes in the message's character set, sent as they are (a returned Buffer would be serialised as JSON).
    response
      .status(answer.status)
      .type(`x-application/hl7-v2+er7; charset=${answer.charset.encoding}`)
      .send(encodeHl7(answer.ack, answer.charset));
  }
}
