import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, principalId, Roles } from '@app/auth';
import {
  DrillDownDto,
  DrillDownQuery,
  ExportQuery,
  GenerateReportDto,
  IndicatorQuery,
  IndicatorsViewDto,
  ReportDto,
} from './dto/indicators.dto';
import { IndicatorsService } from './indicators.service';

@ApiTags('indicators')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@ApiForbiddenResponse({
  description: 'Reads and exports: ops-viewer, ops-admin or auditor; generate and sign off: ops-admin.',
})
@ApiBadRequestResponse({ description: 'INVALID_PERIOD, INVALID_AREA or a malformed query (problem+json).' })
@Controller('v1/indicators')
export class IndicatorsController {
  constructor(private readonly indicators: IndicatorsService) {}

  @Get()
  @Roles('ops-viewer', 'ops-admin', 'auditor')
  @ApiOkResponse({
    type: IndicatorsViewDto,
    description: 'Every indicator for the area, by county, and the trend.',
  })
  async view(@Query() query: IndicatorQuery): Promise<IndicatorsViewDto> {
    return IndicatorsViewDto.from(await this.indicators.view(query.area, query.period));
  }

  @Post('reports')
  @HttpCode(200)
  @Roles('ops-admin')
  @ApiOkResponse({
    type: ReportDto,
    description: 'The draft (regenerated), or version n+1 after a signed one.',
  })
  async generate(
    @Body() body: GenerateReportDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ReportDto> {
    return ReportDto.from(
      await this.indicators.generateReport(body.area, body.period, principalId(principal)),
    );
  }

  @Get('reports/:reportId')
  @Roles('ops-viewer', 'ops-admin', 'auditor')
  @ApiOkResponse({ type: ReportDto })
  @ApiNotFoundResponse({ description: 'REPORT_NOT_FOUND' })
  async report(@Param('reportId', new ParseUUIDPipe()) reportId: string): Promise<ReportDto> {
    return ReportDto.from(await this.indicators.getReport(reportId));
  }

  @Get('reports/:reportId/export')
  @Roles('ops-viewer', 'ops-admin', 'auditor')
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({ description: 'CSV (UTF-8 with BOM) or XLSX of the stored version.' })
  @ApiNotFoundResponse({ description: 'REPORT_NOT_FOUND' })
  async export(
    @Param('reportId', new ParseUUIDPipe()) reportId: string,
    @Query() query: ExportQuery,
  ): Promise<StreamableFile> {
    const file = await this.indicators.exportReport(reportId, query.format);
    return new StreamableFile(file.body, {
      type: file.contentType,
      disposition: `attachment; filename="${file.filename}"`,
    });
  }

  @Post('reports/:reportId/sign-off')
  @HttpCode(200)
  @Roles('ops-admin')
  @ApiOkResponse({ type: ReportDto, description: 'Signed: frozen from now on (who from the JWT, when now).' })
  @ApiNotFoundResponse({ description: 'REPORT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'REPORT_ALREADY_SIGNED' })
  async signOff(
    @Param('reportId', new ParseUUIDPipe()) reportId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ReportDto> {
    return ReportDto.from(await this.indicators.signOff(reportId, principalId(principal)));
  }

  @Get(':code/drill-down')
  @Roles('ops-viewer', 'ops-admin', 'auditor')
  @ApiOkResponse({
    type: DrillDownDto,
    description: 'The referrals (ids) or divisions and the events behind one number.',
  })
  @ApiNotFoundResponse({ description: 'INDICATOR_NOT_FOUND' })
  async drillDown(@Param('code') code: string, @Query() query: DrillDownQuery): Promise<DrillDownDto> {
    return DrillDownDto.from(
      await this.indicators.drillDown(code, query.area, query.period, query.limit ?? 100, query.offset ?? 0),
    );
  }
}
