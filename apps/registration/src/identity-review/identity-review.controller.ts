import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, OrgKinds, Principal, Roles } from '@app/auth';
import { IdentityDecisionDto, IdentityReviewQuery, IdentityReviewViewDto } from './dto/identity-review.dto';
import { IdentityReviewService } from './identity-review.service';
import { versioned } from '@app/core';

const uuid = new ParseUUIDPipe({ version: '4' });

/**
 * The identity review worklist: records with the same name, birth date and county where one has no ID number.
 * The registration office (county centre, its county only) or ops merges them or keeps them separate.
 */
@ApiTags('identity-reviews')
@ApiSecurity('api-key')
@ApiBearerAuth()
@OrgKinds('county-centre')
@Controller(versioned('identity-reviews'))
export class IdentityReviewController {
  constructor(private readonly reviews: IdentityReviewService) {}

  @Get()
  @Roles('ops-admin', 'ops-viewer')
  @ApiOkResponse({ type: IdentityReviewViewDto, isArray: true, description: 'Oldest first' })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: IdentityReviewQuery,
  ): Promise<IdentityReviewViewDto[]> {
    return this.reviews.list(principal, query.status ?? 'open', query.limit ?? 50);
  }

  @Post(':id/merge')
  @Roles('ops-admin')
  @HttpCode(200)
  @ApiOkResponse({
    type: IdentityReviewViewDto,
    description:
      'Same person: the records become one (the routed one survives), applications and consents move',
  })
  @ApiNotFoundResponse({ description: "Unknown, or outside the county centre's county" })
  @ApiConflictResponse({
    description: 'REVIEW_DECIDED, MERGE_NOT_ALLOWED (both routed, or consent withdrawn)',
  })
  merge(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() body: IdentityDecisionDto,
  ): Promise<IdentityReviewViewDto> {
    return this.reviews.merge(principal, id, body.note);
  }

  @Post(':id/keep-separate')
  @Roles('ops-admin')
  @HttpCode(200)
  @ApiOkResponse({
    type: IdentityReviewViewDto,
    description: 'Different people: both records stay as they are',
  })
  @ApiNotFoundResponse({ description: "Unknown, or outside the county centre's county" })
  @ApiConflictResponse({ description: 'REVIEW_DECIDED' })
  keepSeparate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Body() body: IdentityDecisionDto,
  ): Promise<IdentityReviewViewDto> {
    return this.reviews.keepSeparate(principal, id, body.note);
  }
}
