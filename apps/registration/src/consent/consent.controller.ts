import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Caller, CurrentCaller } from '../auth/caller';
import { RegistrationViewDto } from '../registrations/dto/registration-view.dto';
import { RegistrationsApi } from '../registrations/registrations-api.decorator';
import { ConsentService } from './consent.service';
import { ConsentRequestDto, WithdrawalDto } from './dto/consent.dto';
import { versioned } from '@app/core';

const uuid = new ParseUUIDPipe({ version: '4' });

@RegistrationsApi()
@Controller(versioned('registrations'))
export class ConsentController {
  constructor(private readonly consent: ConsentService) {}

  @Post(':id/consents')
  @ApiCreatedResponse({
    type: RegistrationViewDto,
    description: 'Consent recorded; waiting applications re-checked',
  })
  @ApiConflictResponse({ description: 'CONSENT_WITHDRAWN' })
  @ApiUnprocessableEntityResponse({ description: 'GUARDIAN_MISSING' })
  capture(
    @CurrentCaller() caller: Caller,
    @Param('id', uuid) id: string,
    @Body() body: ConsentRequestDto,
  ): Promise<RegistrationViewDto> {
    return this.consent.captureConsent(caller, id, body);
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
    return this.consent.withdraw(caller, id, body);
  }
}
