import { Body, Controller, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, principalId, Roles } from '@app/auth';
import { ManualPlacementDto, ManualPlacementResultDto } from './dto/manual-placement.dto';
import { ManualPlacementService } from './manual-placement.service';

@ApiTags('manual placement (admin)')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@ApiForbiddenResponse({ description: 'Not an ops-admin.' })
@Roles('ops-admin')
@Controller('v1/admin/referrals')
export class ManualPlacementController {
  constructor(private readonly placements: ManualPlacementService) {}

  @Post(':referralId/placement')
  @HttpCode(200)
  @ApiOkResponse({ type: ManualPlacementResultDto, description: 'Assigned to the chosen site.' })
  @ApiNotFoundResponse({ description: 'REFERRAL_NOT_FOUND' })
  @ApiConflictResponse({ description: 'NOT_AWAITING_MANUAL_PLACEMENT, ALREADY_AT_SITE, TARGET_SITE_FULL' })
  @ApiUnprocessableEntityResponse({ description: 'TARGET_SITE_NOT_FOUND' })
  place(
    @Param('referralId', new ParseUUIDPipe()) referralId: string,
    @Body() body: ManualPlacementDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ManualPlacementResultDto> {
    return this.placements.place(referralId, body.siteId, principalId(principal));
  }
}
