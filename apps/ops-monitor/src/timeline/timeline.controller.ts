import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, principalId, Roles } from '@app/auth';
import { RebuildReportDto, RebuildRequestDto, ReferralTimelineDto } from './dto/timeline.dto';
import { ReadModelRebuildService } from './read-model-rebuild.service';
import { TimelineService } from './timeline.service';

@ApiTags('read model')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@ApiForbiddenResponse({ description: 'Not an ops role allowed here.' })
@Controller()
export class TimelineController {
  constructor(
    private readonly timeline: TimelineService,
    private readonly rebuilds: ReadModelRebuildService,
  ) {}

  @Get('v1/referrals/:referralId/timeline')
  @Roles('ops-viewer', 'ops-admin')
  @ApiOkResponse({ type: ReferralTimelineDto, description: 'The summary and every event of one referral.' })
  @ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND' })
  async timelineOf(
    @Param('referralId', new ParseUUIDPipe()) referralId: string,
  ): Promise<ReferralTimelineDto> {
    return ReferralTimelineDto.from(await this.timeline.timelineOf(referralId));
  }

  @Post('v1/admin/read-model/rebuild')
  @HttpCode(200)
  @Roles('ops-admin')
  @ApiOkResponse({
    type: RebuildReportDto,
    description: 'Replayed the streams; compared (and replaced if asked).',
  })
  @ApiConflictResponse({ description: 'REBUILD_IN_PROGRESS' })
  rebuild(
    @Body() body: RebuildRequestDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<RebuildReportDto> {
    return this.rebuilds.rebuild(body.replace ?? false, principalId(principal));
  }
}
