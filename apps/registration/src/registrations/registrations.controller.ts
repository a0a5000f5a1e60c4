import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { Caller, CurrentCaller } from '../auth/caller';
import { RegistrationViewDto } from './dto/registration-view.dto';
import { RegistrationsApi } from './registrations-api.decorator';
import { RegistrationsService } from './registrations.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@RegistrationsApi()
@Controller('registrations')
export class RegistrationsController {
  constructor(private readonly registrations: RegistrationsService) {}

  @Get(':id')
  @ApiOkResponse({ type: RegistrationViewDto, description: 'Status, applications and consents (no PII)' })
  get(@CurrentCaller() caller: Caller, @Param('id', uuid) id: string): Promise<RegistrationViewDto> {
    return this.registrations.getRegistration(caller, id);
  }
}
