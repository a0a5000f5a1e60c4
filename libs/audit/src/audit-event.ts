/**
 * The audit trail's vocabulary, after FHIR R4 AuditEvent: who (agent), what (entity — ids only, never PII),
 * when (recorded), how (type/subtype/action), with what result (outcome) and why (purposeOfUse).
 */

/** AuditEvent.action: Create, Read, Update, Delete, Execute (a search or an operation). */
export const AUDIT_ACTIONS = ['C', 'R', 'U', 'D', 'E'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** AuditEvent.outcome: 0 success, 4 minor failure (e.g. a denied attempt), 8 serious failure, 12 major failure. */
export const AUDIT_OUTCOMES = [0, 4, 8, 12] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];
export const AUDIT_SUCCESS: AuditOutcome = 0;
export const AUDIT_DENIED: AuditOutcome = 4;

/** AuditEvent.type: `rest` for an API call, `messaging` for an effect of a bus event or a timer. */
export const AUDIT_TYPES = ['rest', 'messaging'] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

/** What a record is about (AuditEvent.entity.what). */
export const AUDIT_ENTITY_TYPES = [
  'referral',
  'patient',
  'registration',
  'application',
  'consent',
  // ops-monitor: an operational alert acknowledged or resolved, the read model rebuilt from the streams.
  'alert',
  'read-model',
  // A read of the audit trail itself (its id is the filter used): audit reads are audited.
  'audit-trail',
  // A staff account: sign-ins (and their failures), creation and changes by a coordinator.
  'staff-account',
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

/** v3 PurposeOfUse codes used here. */
export const PURPOSES_OF_USE = ['TREAT', 'PATADMIN', 'HOPERAT', 'PUBHLTH'] as const;
export type PurposeOfUse = (typeof PURPOSES_OF_USE)[number];

/** One audited access, as a service states it; the agent comes from the transaction's actor. */
export interface AuditEntry {
  readonly type: AuditType;
  /** The interaction: read, search, create, update, or the named operation (accept, consent-withdrawal…). */
  readonly subtype: string;
  readonly action: AuditAction;
  readonly entityType: AuditEntityType;
  readonly entityId: string;
  readonly purposeOfUse: PurposeOfUse;
  readonly outcome?: AuditOutcome;
  /** A stable code for a failed outcome (e.g. REFERRAL_NOT_FOUND), never a message with data in it. */
  readonly outcomeCode?: string;
}

/** A stored audit record (the query API's answer). */
export interface AuditEventView {
  readonly id: string;
  readonly recorded: string;
  readonly type: AuditType;
  readonly subtype: string;
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  readonly outcomeCode: string | null;
  readonly agent: {
    readonly type: 'organisation' | 'system';
    readonly organisationId: string | null;
    readonly organisationKind: string | null;
    readonly userId: string | null;
    readonly reason: string | null;
  };
  readonly entity: { readonly type: AuditEntityType; readonly id: string };
  readonly purposeOfUse: PurposeOfUse;
  readonly source: string;
}

export interface AuditQuery {
  readonly entityId?: string;
  readonly entityType?: AuditEntityType;
  readonly agentOrganisationId?: string;
  readonly agentUserId?: string;
  readonly action?: AuditAction;
  readonly outcome?: AuditOutcome;
  readonly from?: Date;
  readonly to?: Date;
  readonly cursor?: string;
  readonly limit?: number;
}

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 200;

export interface AuditPage {
  readonly items: AuditEventView[];
  readonly nextCursor: string | null;
}

/** The record of one audit-trail query: who (the transaction's actor), what filter (the entity id), when. */
export function auditTrailRead(query: AuditQuery): AuditEntry {
  const filter = new URLSearchParams();
  const add = (name: string, value: string | number | Date | undefined) => {
    if (value !== undefined) filter.append(name, value instanceof Date ? value.toISOString() : String(value));
  };
  add('entityId', query.entityId);
  add('entityType', query.entityType);
  add('agentOrganisationId', query.agentOrganisationId);
  add('agentUserId', query.agentUserId);
  add('action', query.action);
  add('outcome', query.outcome);
  add('from', query.from);
  add('to', query.to);
  add('cursor', query.cursor);
  add('limit', query.limit);
  return {
    type: 'rest',
    subtype: 'search',
    action: 'E',
    entityType: 'audit-trail',
    entityId: filter.toString() || '*',
    purposeOfUse: 'HOPERAT',
  };
}

/** An audit entry about one referral, for treatment (the common case of API calls and event handlers). */
export function referralAudit(
  type: AuditType,
  subtype: string,
  action: AuditAction,
  referralId: string,
): AuditEntry {
  return { type, subtype, action, entityType: 'referral', entityId: referralId, purposeOfUse: 'TREAT' };
}
