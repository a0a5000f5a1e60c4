import { escapeLiteral } from 'pg';

/**
 * Who a transaction acts for. Row-level security policies read it from transaction-local settings
 * (`app.organisation_id`, `app.system`), so a transaction without an actor sees no protected row (fail closed).
 */
export type Actor = OrganisationActor | SystemActor;

export interface OrganisationActor {
  readonly kind: 'organisation';
  /** The caller's organisation: hospital id, site id, registration channel organisation id. */
  readonly organisationId: string;
  /** hospital, rehab-site, village-committee, … (for the audit trail). */
  readonly organisationKind: string;
  /** A person acting for the organisation, when known (ops users). */
  readonly userId?: string;
}

/** The service itself: event handlers, outbox relay, sweepers, dead letters, admin/ops tasks. */
export interface SystemActor {
  readonly kind: 'system';
  /** What the service is doing (e.g. `event-handler`, `sweeper`, `admin`), for the audit trail. */
  readonly reason: string;
  readonly userId?: string;
}

export function organisationActor(organisationId: string, organisationKind: string, userId?: string): Actor {
  if (!organisationId) throw new Error('An organisation actor needs an organisation id');
  return { kind: 'organisation', organisationId, organisationKind, ...(userId ? { userId } : {}) };
}

export function systemActor(reason: string, userId?: string): SystemActor {
  return { kind: 'system', reason, ...(userId ? { userId } : {}) };
}

export const SYSTEM_ACTOR: SystemActor = systemActor('service');

/** The values `set_config` receives for an actor: [organisation id, system flag]. */
export function actorSettings(actor: Actor): [string, string] {
  return actor.kind === 'system' ? ['', 'on'] : [actor.organisationId, 'off'];
}

/**
 * `SELECT set_config(...)` for an actor with its values as escaped literals (pg's escapeLiteral: quotes doubled,
 * backslashes in an E'' literal), for a simple-protocol statement that cannot take parameters: the transaction's
 * START and its actor in one round trip.
 */
export function actorSettingsSql(actor: Actor): string {
  const [organisationId, system] = actorSettings(actor);
  return (
    `SELECT set_config('app.organisation_id', ${escapeLiteral(organisationId)}, true), ` +
    `set_config('app.system', ${escapeLiteral(system)}, true)`
  );
}
