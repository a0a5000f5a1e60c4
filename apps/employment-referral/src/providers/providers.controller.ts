import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
import {
  CreatedProviderDto,
  CreateProviderDto,
  ProviderApiKeyDto,
  ProviderDto,
  ProviderListQuery,
  ProviderPageDto,
  UpdatedProviderDto,
  UpdateProviderDto,
} from './dto/provider.dto';
import { ProvidersService } from './providers.service';

@ApiTags('employment provider directory (admin)')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@ApiForbiddenResponse({ description: 'Not an ops-admin (reads: ops-admin or ops-viewer).' })
@Roles('ops-admin')
@Controller('v1/admin/providers')
export class ProvidersController {
  constructor(private readonly providers: ProvidersService) {}

  @Post()
  @ApiCreatedResponse({ type: CreatedProviderDto, description: 'Created; the API key is shown once.' })
  @ApiBadRequestResponse({ description: 'Invalid body or served divisions.' })
  @ApiConflictResponse({ description: 'A provider with this id exists.' })
  create(@Body() dto: CreateProviderDto): Promise<CreatedProviderDto> {
    return this.providers.create(dto);
  }

  @Get()
  @Roles('ops-admin', 'ops-viewer')
  @ApiOkResponse({ type: ProviderPageDto, description: 'Providers by id.' })
  list(@Query() query: ProviderListQuery): Promise<ProviderPageDto> {
    return this.providers.list(query.limit ?? 50, query.after);
  }

  @Get(':providerId')
  @Roles('ops-admin', 'ops-viewer')
  @ApiOkResponse({ type: ProviderDto })
  @ApiNotFoundResponse({ description: 'No such provider.' })
  get(@Param('providerId') providerId: string): Promise<ProviderDto> {
    return this.providers.get(providerId);
  }

  @Patch(':providerId')
  @ApiOkResponse({
    type: UpdatedProviderDto,
    description: 'A changed webhookUrl answers its new webhookSecret, once.',
  })
  @ApiNotFoundResponse({ description: 'No such provider.' })
  update(
    @Param('providerId') providerId: string,
    @Body() dto: UpdateProviderDto,
  ): Promise<UpdatedProviderDto> {
    return this.providers.update(providerId, dto);
  }

  @Post(':providerId/api-key')
  @HttpCode(200)
  @ApiOkResponse({ type: ProviderApiKeyDto, description: 'A new key; every older key stops working.' })
  @ApiNotFoundResponse({ description: 'No such provider.' })
  rotateKey(@Param('providerId') providerId: string): Promise<ProviderApiKeyDto> {
    return this.providers.rotateKey(providerId);
  }
}
