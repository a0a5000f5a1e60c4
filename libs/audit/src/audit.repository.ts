import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { decodeKeysetCursor, encodeKeysetCursor } from '@app/core';
import { Actor, DeferredStatement, renderStatement, TransactionHost } from '@app/persistence';
import {
  AUDIT_PAGE_DEFAULT,
  AUDIT_PAGE_MAX,
  AuditAction,
  AuditEntityType,
  AuditEntry,
  AuditEventView,
  AuditOutcome,
  AuditPage,
  AuditQuery,
  AuditType,
  PurposeOfUse,
} from './audit-event';
import { AUDIT_TABLE } from './audit.migration';

interface AuditRow {
  id: string;
  recorded: Date;
  /** `recorded` with its microseconds (a JS Date keeps milliseconds): the cursor's key. */
  recorded_key: string;
  type: AuditType;
  subtype: string;
  action: AuditAction;
  outcome: number;
  outcome_code: string | null;
  agent_type: 'organisation' | 'system';
  agent_organisation_id: string | null;
  agent_organisation_kind: string | null;
  agent_user_id: string | null;
  agent_reason: string | null;
  entity_type: AuditEntityType;
  entity_id: string;
  purpose_of_use: PurposeOfUse;
  source: string;
}

function toView(row: AuditRow): AuditEventView {
  return {
    id: row.id,
    recorded: row.recorded.toISOString(),
    type: row.type,
    subtype: row.subtype,
    action: row.action,
    outcome: row.outcome as AuditOutcome,
    outcomeCode: row.outcome_code,
    agent: {
      type: row.agent_type,
      organisationId: row.agent_organisation_id,
      organisationKind: row.agent_organisation_kind,
      userId: row.agent_user_id,
      reason: row.agent_reason,
    },
    entity: { type: row.entity_type, id: row.entity_id },
    purposeOfUse: row.purpose_of_use,
    source: row.source,
  };
}

/** The audit table: append and query, through the current transaction's manager. */
@Injectable()
export class AuditRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get table(): string {
    return `${this.tx.schema}.${AUDIT_TABLE}`;
  }

  async append(actor: Actor, entry: AuditEntry, source: string): Promise<void> {
    await this.appendAll([{ actor, entry }], source);
  }

  /** Appends the records at once, in one statement. */
  async appendAll(records: readonly { actor: Actor; entry: AuditEntry }[], source: string): Promise<void> {
    if (records.length === 0) return;
    const { sql, params } = renderStatement(this.appendStatement(records, source));
    await this.tx.manager.query(sql, params);
  }

  /**
   * The INSERT of the records, each with the actor it was recorded for: one statement of constant text (the
   * columns as arrays, unnested), so it is prepared once however many records a unit of work has, and combines
   * with other deferred writes.
   */
  appendStatement(
    records: readonly { actor: Actor; entry: AuditEntry }[],
    source: string,
  ): DeferredStatement {
    const column = <T>(value: (record: { actor: Actor; entry: AuditEntry }) => T): T[] => records.map(value);
    const organisation = (actor: Actor) => (actor.kind === 'organisation' ? actor : undefined);
    const columns: [unknown[], string][] = [
      [column(() => randomUUID()), 'uuid'],
      [column(({ entry }) => entry.type), 'text'],
      [column(({ entry }) => entry.subtype), 'text'],
      [column(({ entry }) => entry.action), 'text'],
      [column(({ entry }) => entry.outcome ?? 0), 'smallint'],
      [column(({ entry }) => entry.outcomeCode ?? null), 'text'],
      [column(({ actor }) => actor.kind), 'text'],
      [column(({ actor }) => organisation(actor)?.organisationId ?? null), 'text'],
      [column(({ actor }) => organisation(actor)?.organisationKind ?? null), 'text'],
      [column(({ actor }) => actor.userId ?? null), 'text'],
      [column(({ actor }) => (actor.kind === 'system' ? actor.reason : null)), 'text'],
      [column(({ entry }) => entry.entityType), 'text'],
      [column(({ entry }) => entry.entityId), 'text'],
      [column(({ entry }) => entry.purposeOfUse), 'text'],
      [column(() => source), 'text'],
    ];
    return (bind) =>
      `INSERT INTO ${this.table} (id, type, subtype, action, outcome, outcome_code, agent_type,
         agent_organisation_id, agent_organisation_kind, agent_user_id, agent_reason,
         entity_type, entity_id, purpose_of_use, source)
       SELECT * FROM unnest(${columns.map(([values, type]) => `${bind(values)}::${type}[]`).join(', ')})`;
  }

  /** Newest first, keyset on (recorded, id). */
  async search(query: AuditQuery): Promise<AuditPage> {
    const limit = Math.min(Math.max(query.limit ?? AUDIT_PAGE_DEFAULT, 1), AUDIT_PAGE_MAX);
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (query.entityId !== undefined) add('entity_id = ?', query.entityId);
    if (query.entityType !== undefined) add('entity_type = ?', query.entityType);
    if (query.agentOrganisationId !== undefined) add('agent_organisation_id = ?', query.agentOrganisationId);
    if (query.agentUserId !== undefined) add('agent_user_id = ?', query.agentUserId);
    if (query.action !== undefined) add('action = ?', query.action);
    if (query.outcome !== undefined) add('outcome = ?', query.outcome);
    if (query.from !== undefined) add('recorded >= ?', query.from);
    if (query.to !== undefined) add('recorded < ?', query.to);
    if (query.cursor !== undefined) {
      const after = decodeKeysetCursor(query.cursor);
      params.push(after.at, after.id);
      where.push(`(recorded, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(limit + 1);
    const rows = await this.tx.manager.query<AuditRow[]>(
      `SELECT *, to_char(recorded AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_key
         FROM ${this.table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY recorded DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toView),
      nextCursor: rows.length > limit && last ? encodeKeysetCursor(last.recorded_key, last.id) : null,
    };
  }
}
