import { Controller, Get, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@app/auth';
import { callerOf } from '../auth/caller';
import { RegistrationViewDto } from './dto/registration-view.dto';
import { RegistrationsApi } from './registrations-api.decorator';
import { RegistrationsService } from './registrations.service';
import { versioned } from '@app/core';

const uuid = new ParseUUIDPipe({ version: '4' });

@RegistrationsApi()
@Controller(versioned('registrations'))
export class RegistrationsController {
  constructor(private readonly registrations: RegistrationsService) {}

  @Get(':id')
  @Roles('ops-admin', 'ops-viewer')
  @ApiBearerAuth()
  @ApiOkResponse({
    type: RegistrationViewDto,
    description:
      'Status, applications and consents (no PII). A filing channel sees its own applications and consents ' +
      'only; the county centre (registration office) and ops see every application with its links.',
  })
  get(@CurrentPrincipal() principal: Principal, @Param('id', uuid) id: string): Promise<RegistrationViewDto> {
    return principal.type === 'ops'
      ? this.registrations.getRegistrationForOps(principal.subject, id)
      : this.registrations.getRegistration(callerOf(principal), id);
  }
}
