import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { HEADERS } from '@app/contracts';

/**
 * W3C trace context carried from an HTTP request or a consumed message into the events it causes.
 * (No OpenTelemetry SDK on Node 20 instruments Nest 12; this keeps `traceparent` flowing end to end.)
 */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
  /** The business flow this work belongs to (CloudEvents `correlationid` of what is published). */
  correlationId?: string;
  /** The event being handled (CloudEvents `causationid` of what is published). */
  causationId?: string;
  /** The durable handling `causationId` (with it, the events the handler publishes get ids derived from both). */
  consumer?: string;
}

const storage = new AsyncLocalStorage<TraceContext>();
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function newTraceparent(traceId?: string): string {
  const trace = traceId ?? randomBytes(16).toString('hex');
  return `00-${trace}-${randomBytes(8).toString('hex')}-01`;
}

/** A child span id under the incoming traceparent, or a fresh trace when there is none or it is invalid. */
export function continueTrace(
  incoming: string | undefined,
  tracestate?: string,
  flow: Pick<TraceContext, 'correlationId' | 'causationId' | 'consumer'> = {},
): TraceContext {
  const match = incoming ? TRACEPARENT.exec(incoming.trim()) : null;
  const trace = match
    ? { traceparent: newTraceparent(match[1]), tracestate }
    : { traceparent: newTraceparent() };
  return { ...trace, ...flow };
}

export function runWithTrace<T>(context: TraceContext, work: () => T): T {
  return storage.run(context, work);
}

export function currentTrace(): TraceContext | undefined {
  return storage.getStore();
}

export function currentTraceHeaders(): Record<string, string> {
  const context = storage.getStore() ?? { traceparent: newTraceparent() };
  return {
    [HEADERS.traceparent]: context.traceparent,
    ...(context.tracestate ? { [HEADERS.tracestate]: context.tracestate } : {}),
  };
}

export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}
