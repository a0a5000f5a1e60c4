import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { OrgKinds, OwnOrganisationParam } from '@app/auth';
import { SiteReferralStream } from './site-referral-stream.service';

/** The parts of the express response a stream uses. */
interface StreamResponse {
  status(code: number): this;
  setHeader(name: string, value: string): void;
  flushHeaders(): void;
  write(chunk: string): boolean;
  on(event: 'close', listener: () => void): void;
}

/**
 * Registered before SiteReferralsController so that `events` is not taken for a `:referralId`. A raw response
 * (not @Sse) so that the global guard, the security headers (Cache-Control: no-store) and the request log
 * apply as to every route.
 */
@ApiTags('site referrals')
@ApiSecurity('api-key')
@OrgKinds('site')
@OwnOrganisationParam('siteId')
@Controller('v1/sites/:siteId/referrals')
export class SiteReferralStreamController {
  constructor(private readonly stream: SiteReferralStream) {}

  @Get('events')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-sent events: `ready` once the server listens (nothing published after it is missed; reload the ' +
      'list then), then `assigned` / `revoked` with data `{"referralId": "…"}` as the site gets or loses a ' +
      'referral; a comment every 25 s. Open until the client closes it.',
  })
  events(@Param('siteId') siteId: string, @Res() response: StreamResponse): Promise<void> {
    response.status(200);
    response.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    response.setHeader('X-Accel-Buffering', 'no');
    response.flushHeaders();
    return this.stream.open(siteId, {
      write: (chunk) => void response.write(chunk),
      onClose: (listener) => response.on('close', listener),
    });
  }
}
