import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Roles } from '@app/auth';
import { DashboardService } from './dashboard.service';
import { DashboardDto, DashboardQuery } from './dto/dashboard.dto';

@ApiTags('dashboard')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@Controller()
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get('v1/dashboard')
  @Roles('ops-viewer', 'ops-admin')
  @ApiOkResponse({ type: DashboardDto, description: 'What the dashboard page shows; it polls this.' })
  snapshot(@Query() query: DashboardQuery): Promise<DashboardDto> {
    return this.dashboard.snapshot(query.county ?? null);
  }
}
