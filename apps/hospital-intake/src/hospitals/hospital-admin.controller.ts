import { Body, Controller, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { DomainException } from '@app/core';
import {
  CreatedHospitalDto,
  CreateHospitalDto,
  DesignatedHospitalsDto,
  DesignationDto,
  HospitalDto,
  HospitalListQuery,
  toHospitalDto,
  UpdatedHospitalDto,
  UpdateHospitalDto,
} from './dto/hospital.dto';
import { HospitalService } from './hospital.service';

/** Ops maintain the hospital registry and who is designated for a county's or prefecture's green cases. */
@ApiTags('hospital registry (admin)')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@ApiForbiddenResponse({ description: 'Not an ops-admin (reads: ops-admin or ops-viewer).' })
@Roles('ops-admin')
@Controller('v1/admin')
export class HospitalAdminController {
  constructor(private readonly hospitals: HospitalService) {}

  @Post('hospitals')
  @ApiCreatedResponse({ type: CreatedHospitalDto, description: 'Registered; the API key is shown once.' })
  @ApiBadRequestResponse({ description: 'Invalid body or unknown county.' })
  @ApiConflictResponse({ description: 'HOSPITAL_EXISTS' })
  async create(@Body() dto: CreateHospitalDto): Promise<CreatedHospitalDto> {
    const apiKey = await this.hospitals.register(dto);
    if (!apiKey)
      throw new DomainException('HOSPITAL_EXISTS', 'conflict', `Hospital ${dto.id} already exists`);
    return { hospital: toHospitalDto(await this.hospitals.get(dto.id)), apiKey };
  }

  @Get('hospitals')
  @Roles('ops-admin', 'ops-viewer')
  @ApiOkResponse({ type: [HospitalDto] })
  async list(@Query() query: HospitalListQuery): Promise<HospitalDto[]> {
    const found = await this.hospitals.list(query.countyDivisionCode, query.limit ?? 50, query.after);
    return found.map(toHospitalDto);
  }

  @Patch('hospitals/:hospitalId')
  @ApiOkResponse({ type: UpdatedHospitalDto })
  @ApiNotFoundResponse({ description: 'HOSPITAL_NOT_FOUND' })
  async update(
    @Param('hospitalId') hospitalId: string,
    @Body() dto: UpdateHospitalDto,
  ): Promise<UpdatedHospitalDto> {
    const { hospital, webhookSecret } = await this.hospitals.update(hospitalId, dto);
    return { hospital: toHospitalDto(hospital), ...(webhookSecret ? { webhookSecret } : {}) };
  }

  @Put('green-designations/:divisionCode')
  @ApiOkResponse({ type: DesignatedHospitalsDto })
  @ApiBadRequestResponse({ description: 'UNKNOWN_DIVISION, INVALID_DESIGNATION' })
  async designate(
    @Param('divisionCode') divisionCode: string,
    @Body() dto: DesignationDto,
  ): Promise<DesignatedHospitalsDto> {
    const hospitals = await this.hospitals.designate(divisionCode, dto.hospitalIds);
    return { divisionCode, hospitals: hospitals.map(toHospitalDto) };
  }

  @Get('green-designations/:divisionCode')
  @Roles('ops-admin', 'ops-viewer')
  @ApiOkResponse({ type: DesignatedHospitalsDto })
  async designated(@Param('divisionCode') divisionCode: string): Promise<DesignatedHospitalsDto> {
    const hospitals = await this.hospitals.designated(divisionCode);
    return { divisionCode, hospitals: hospitals.map(toHospitalDto) };
  }
}
