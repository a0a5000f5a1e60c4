/** NATS header names used on every published event. */
export const HEADERS = {
  /** JetStream de-duplication: equals the CloudEvent id (or a replay id for dead-letter replays). */
  msgId: 'Nats-Msg-Id',
  /** W3C trace context. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  /** Correlation id of the business flow (also inside the envelope as `correlationid`). */
  correlationId: 'X-Correlation-Id',
  /** CloudEvent type, so tools can route without parsing the body. */
  eventType: 'Ce-Type',
  contentType: 'Content-Type',
} as const;

export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';
