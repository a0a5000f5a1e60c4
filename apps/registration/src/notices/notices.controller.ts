import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, OrgKinds, Principal, Public, Roles } from '@app/auth';
import { callerOf } from '../auth/caller';
import { DeliveryReceiptDto, NoticeListQuery, NoticeViewDto } from './dto/notice.dto';
import { NoticeQueryService } from './notice-query.service';

const uuid = new ParseUUIDPipe({ version: '4' });

@ApiTags('notices')
@Controller()
export class NoticesController {
  constructor(private readonly notices: NoticeQueryService) {}

  @Get('v1/registrations/:id/notices')
  @OrgKinds('county-centre')
  @Roles('ops-admin', 'ops-viewer')
  @ApiSecurity('api-key')
  @ApiBearerAuth()
  @ApiNotFoundResponse({ description: 'Unknown, or not a registration of the county centre’s county' })
  @ApiOkResponse({
    type: [NoticeViewDto],
    description:
      'The notices sent (or being sent) to the patient and guardian, oldest first, with delivery status. ' +
      'Numbers masked (138****0000); no text, name or other PII. For the registration office and ops.',
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Param('id', uuid) id: string,
    @Query() query: NoticeListQuery,
  ): Promise<NoticeViewDto[]> {
    const limit = query.limit ?? 50;
    return principal.type === 'ops'
      ? this.notices.listForOps(principal.subject, id, limit)
      : this.notices.listForCentre(callerOf(principal), id, limit);
  }

  @Post('v1/notices/delivery-receipts')
  @Public()
  @HttpCode(204)
  @ApiHeader({
    name: 'X-Gateway-Signature',
    required: true,
    description:
      'sha256=<hex HMAC-SHA256 of "messageId\\nstatus\\nreason\\nat" with SMS_GATEWAY_CALLBACK_SECRET>',
  })
  @ApiNoContentResponse({ description: 'Recorded (a repeated receipt changes nothing)' })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong signature (or no gateway configured)' })
  @ApiNotFoundResponse({ description: 'No notice was sent as this message id' })
  receipt(
    @Body() receipt: DeliveryReceiptDto,
    @Headers('x-gateway-signature') signature: string | undefined,
  ): Promise<void> {
    return this.notices.recordReceipt(receipt, signature);
  }
}
