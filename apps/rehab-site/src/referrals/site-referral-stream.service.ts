import { Injectable, Logger } from '@nestjs/common';
import type { Subscription } from '@nats-io/nats-core';
import { EVENTS, recipientSubject } from '@app/contracts';
import { decodeEnvelope, NatsConnectionService } from '@app/messaging';

/** How often an idle stream sends a comment, so proxies and browsers keep it open. */
export const STREAM_PING_MS = 25_000;

/** Where a live stream writes (the HTTP response, seen from the service). */
export interface StreamSink {
  /** Writes one server-sent-events chunk. */
  write(chunk: string): void;
  /** Calls `listener` once when the client goes away. */
  onClose(listener: () => void): void;
}

/** The SSE event name of each per-site notice forwarded. */
const FORWARDED = [
  { definition: EVENTS.siteReferralAssigned, event: 'assigned' },
  { definition: EVENTS.siteReferralRevoked, event: 'revoked' },
] as const;

/**
 * A site's live notices as server-sent events: a core NATS subscription to the site's own subjects
 * (`site.<siteId>.referral.assigned` / `.revoked`, published through the outbox by whichever replica made the
 * change), forwarded as `assigned` / `revoked` events with the referral id only (no personal data), after a
 * `ready` event once the subscriptions are in place. Ended, with its subscriptions, when the client goes away.
 */
@Injectable()
export class SiteReferralStream {
  private readonly logger = new Logger(SiteReferralStream.name);

  constructor(private readonly nats: NatsConnectionService) {}

  async open(siteId: string, sink: StreamSink): Promise<void> {
    const closed = new AbortController();
    const subscriptions: Subscription[] = [];
    const ping = setInterval(() => sink.write(': ping\n\n'), STREAM_PING_MS);
    sink.onClose(() => {
      closed.abort();
      clearInterval(ping);
      for (const subscription of subscriptions) subscription.unsubscribe();
    });
    sink.write(': connected\n\n');
    let bus;
    try {
      bus = await this.nats.ready(closed.signal);
    } catch {
      return; // the client left before NATS was reachable
    }
    if (closed.signal.aborted) return;
    for (const { definition, event } of FORWARDED) {
      const registrySubject = recipientSubject(definition, siteId);
      subscriptions.push(
        bus.nc.subscribe(this.nats.topology.subject(registrySubject), {
          callback: (error, message) => {
            if (error) return;
            try {
              const { envelope } = decodeEnvelope(message.string(), registrySubject);
              const referralId = (envelope.data as { referralId?: unknown }).referralId;
              if (typeof referralId !== 'string') return;
              sink.write(`event: ${event}\ndata: ${JSON.stringify({ referralId })}\n\n`);
            } catch (failure) {
              this.logger.warn(`unreadable ${event} notice for ${siteId}: ${(failure as Error).message}`);
            }
          },
        }),
      );
    }
    // Once the server has the subscriptions, nothing published from now on is missed: say so, and the page
    // reloads its list once to catch what came before.
    try {
      await bus.nc.flush();
    } catch {
      return; // the connection closed; the client reconnects
    }
    if (!closed.signal.aborted) sink.write('event: ready\ndata: {}\n\n');
  }
}
