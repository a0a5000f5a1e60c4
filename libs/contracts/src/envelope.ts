/**
 * CloudEvents 1.0 structured-mode envelope carried as the NATS message body, plus the
 * correlation/causation extension attributes.
 */
export interface EventEnvelope<TData extends object = object> {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  /** The referral id (never PII). */
  subject?: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema?: string;
  correlationid: string;
  causationid?: string;
  data: TData;
}
