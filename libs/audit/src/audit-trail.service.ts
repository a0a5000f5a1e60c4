import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainException, isDomainException, SERVICE_CONFIG, ServiceConfig } from '@app/core';
import { Actor, systemActor, TransactionHost, withRequestPerson } from '@app/persistence';
import { AUDIT_DENIED, AuditEntry, AuditPage, AuditQuery, auditTrailRead } from './audit-event';
import { AuditRepository } from './audit.repository';

/** The unit-of-work key of the buffered audit records. */
const AUDIT_BUFFER = Symbol('audit-records');

/** Failures that mean "you may not see or do this" (another organisation's object answers 404). */
const DENIAL_KINDS = new Set(['not-found', 'unauthenticated']);

export function isDenial(error: unknown): error is DomainException {
  return isDomainException(error) && DENIAL_KINDS.has(error.kind);
}

/**
 * The audit trail of one service: every read and change of a referral or patient, denied attempts included.
 *
 * - `record()` appends inside the current transaction, so the record commits (or rolls back) with the change:
 *   the entries of a unit of work are buffered (with the actor at record time) and written in one INSERT just
 *   before it commits (in the same statement as the unit of work's other deferred writes, e.g. its outbox rows);
 * - `audited()` runs a unit of work for an actor and records the attempt: on success in the same transaction,
 *   on a denial (404 for another organisation's object) after the rollback, in a transaction of its own.
 */
@Injectable()
export class AuditTrail {
  private readonly logger = new Logger(AuditTrail.name);

  constructor(
    private readonly tx: TransactionHost,
    private readonly repository: AuditRepository,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** Appends one record in the open transaction, as its actor. Refuses outside a transaction. */
  record(entry: AuditEntry): Promise<void> {
    return this.recordAll([entry]);
  }

  recordAll(entries: readonly AuditEntry[]): Promise<void> {
    const current = this.tx.actor;
    // A staff session's records name the person (`staff:<accountId>`), not only the organisation.
    const actor = current && withRequestPerson(current);
    const buffer = this.tx.deferred(
      AUDIT_BUFFER,
      () => [] as { actor: Actor; entry: AuditEntry }[],
      (records) =>
        records.length > 0 ? this.repository.appendStatement(records, this.config.service) : undefined,
    );
    if (!actor || !buffer) {
      return Promise.reject(
        new Error('Audit records are written inside TransactionHost.run(), with the change'),
      );
    }
    for (const entry of entries) buffer.push({ actor, entry });
    return Promise.resolve();
  }

  /**
   * Runs `work` in a transaction for `actor` and audits it as `entry`. A denial is recorded with outcome 4 in a
   * separate transaction (the request's own rolled back) and rethrown.
   */
  async audited<T>(actor: Actor, entry: AuditEntry, work: () => Promise<T>): Promise<T> {
    try {
      return await this.tx.run(async () => {
        const result = await work();
        await this.record(entry);
        return result;
      }, actor);
    } catch (error) {
      if (isDenial(error)) await this.recordDenied(actor, entry, error.code);
      throw error;
    }
  }

  /** Records a denied attempt in a transaction of its own, so it survives the request's rollback. */
  async recordDenied(actor: Actor, entry: AuditEntry, code: string): Promise<void> {
    try {
      await this.tx.runDetached(
        () =>
          this.repository.append(
            withRequestPerson(actor),
            { ...entry, outcome: AUDIT_DENIED, outcomeCode: code },
            this.config.service,
          ),
        actor,
      );
    } catch (error) {
      // The denial itself stands; a lost audit record is logged loudly (no PII in it: ids and codes only).
      this.logger.error(
        `could not audit denied ${entry.subtype} of ${entry.entityType} ${entry.entityId}: ${String(error)}`,
      );
    }
  }

  /**
   * The ops query: runs as the service (auditors see every organisation's records) and is itself audited —
   * an `audit-trail` record with the auditor as agent and the filter as entity id, committed with the read.
   */
  search(query: AuditQuery, userId?: string): Promise<AuditPage> {
    return this.tx.runAsSystem(
      async () => {
        // Inside a unit of work that recorded entries, the query sees them.
        await this.tx.flushDeferred(AUDIT_BUFFER);
        const page = await this.repository.search(query);
        await this.record(auditTrailRead(query));
        return page;
      },
      systemActor('audit-query', userId),
    );
  }
}
