import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiSecurity, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { OrgKinds } from '@app/auth';
import { CurrentHospital } from './current-hospital';
import { HospitalDto, toHospitalDto } from './dto/hospital.dto';
import { HospitalService } from './hospital.service';
import { AuthenticatedHospital } from './hospital.types';

@ApiTags('hospitals')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'UNAUTHENTICATED' })
@Controller('v1/hospitals')
@OrgKinds('hospital')
export class HospitalController {
  constructor(private readonly hospitals: HospitalService) {}

  @Get('me')
  @ApiOkResponse({ type: HospitalDto, description: "The calling hospital's registry entry" })
  async me(@CurrentHospital() hospital: AuthenticatedHospital): Promise<HospitalDto> {
    return toHospitalDto(await this.hospitals.get(hospital.id));
  }
}
