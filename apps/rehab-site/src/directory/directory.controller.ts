import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiQuery,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { IdPageQuery } from '@app/platform';
import { DirectoryService } from './directory.service';
import {
  ApiKeyDto,
  CreatedSiteDto,
  CreateSiteDto,
  SiteDto,
  SitePageDto,
  UpdatedSiteDto,
  UpdateSiteDto,
} from './dto/site.dto';

export class SiteListQuery extends IdPageQuery {
  @ApiPropertyOptional({ description: 'Only sites serving exactly this division code.' })
  @IsOptional()
  @Matches(/^\d{6}(\d{3}(\d{3})?)?$/)
  divisionCode?: string;
}

@ApiTags('site directory (admin)')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@ApiForbiddenResponse({ description: 'Not an ops-admin (reads: ops-admin or ops-viewer).' })
@Roles('ops-admin')
@Controller('v1/admin/sites')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Post()
  @ApiCreatedResponse({
    type: CreatedSiteDto,
    description: 'Created; the API key and webhook secret are shown once.',
  })
  @ApiBadRequestResponse({ description: 'Invalid body or served divisions.' })
  @ApiConflictResponse({ description: 'A site with this id exists.' })
  create(@Body() dto: CreateSiteDto): Promise<CreatedSiteDto> {
    return this.directory.create(dto);
  }

  @Get()
  @Roles('ops-admin', 'ops-viewer')
  @ApiOkResponse({ type: SitePageDto })
  @ApiQuery({ type: SiteListQuery })
  list(@Query() query: SiteListQuery): Promise<SitePageDto> {
    return this.directory.list(query.divisionCode, query.limit ?? 50, query.after);
  }

  @Get(':siteId')
  @Roles('ops-admin', 'ops-viewer')
  @ApiOkResponse({ type: SiteDto })
  @ApiNotFoundResponse({ description: 'No such site.' })
  get(@Param('siteId') siteId: string): Promise<SiteDto> {
    return this.directory.get(siteId);
  }

  @Patch(':siteId')
  @ApiOkResponse({ type: UpdatedSiteDto })
  @ApiNotFoundResponse({ description: 'No such site.' })
  update(@Param('siteId') siteId: string, @Body() dto: UpdateSiteDto): Promise<UpdatedSiteDto> {
    return this.directory.update(siteId, dto);
  }

  @Post(':siteId/api-key')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyDto, description: 'A new key; every older key of the site stops working.' })
  @ApiNotFoundResponse({ description: 'No such site.' })
  rotateKey(@Param('siteId') siteId: string): Promise<ApiKeyDto> {
    return this.directory.rotateKey(siteId);
  }
}
