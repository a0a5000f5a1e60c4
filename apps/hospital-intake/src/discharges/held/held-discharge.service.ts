import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { OPS_ALERT_CODES, SERVICES } from '@app/contracts';
import { Clock, decodeKeysetCursor, DomainException, encodeKeysetCursor, pageLimit } from '@app/core';
import { FieldCipher } from '@app/crypto';
import { EventPublisher, raiseOpsAlert } from '@app/messaging';
import { AuditEntry, AuditTrail } from '@app/audit';
import { systemActor, TransactionHost } from '@app/persistence';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../../config/hospital-intake.config';
import { AuthenticatedHospital, hospitalActor } from '../../hospitals/hospital.types';
import { toDischargeCommand } from '../discharge-command';
import { DischargeRepository } from '../discharge.repository';
import { DischargeService, INTAKE_SEAL_CONTEXTS, IntakeAnswer, receiptAudit } from '../discharge.service';
import {
  CompleteHeldDischargeDto,
  HeldDischargeDto,
  HeldDischargeListQuery,
  HeldDischargePageDto,
  HeldDischargeSummaryDto,
  HeldFieldDto,
} from './dto/held-discharge.dto';
import { HeldDischargeRepository, HeldDischargeRow, MissingField } from './held-discharge.repository';
import { completionField, Finding } from './holdable';

export const HELD_DISCHARGE_NOT_FOUND = 'HELD_DISCHARGE_NOT_FOUND';
export const HELD_DISCHARGE_COMPLETED = 'HELD_DISCHARGE_COMPLETED';

/** A message kept as held, as its channel answers it. */
export interface HeldAnswer {
  status: 202;
  held: { id: string; created: boolean; missing: HeldFieldDto[] };
}

/** What a channel read from a message it could not turn into a referral for want of registration data. */
export interface HoldRequest {
  channel: 'fhir' | 'hl7v2';
  /** The message's own identity: HL7 MSH-10, the FHIR Bundle.identifier (else its encounter). */
  messageKey: string;
  messageId?: string;
  encounterId: string;
  /** The discharge as read (the JSON discharge shape, what is missing left out). */
  discharge: Record<string, unknown>;
  findings: readonly Finding[];
}

/** What is sealed at rest: the discharge and the details of what it lacks (they may quote the address). */
interface SealedHeld {
  discharge: Record<string, unknown>;
  details: string[];
}

const heldAudit = (subtype: string, action: 'C' | 'R' | 'U', id: string): AuditEntry => ({
  ...receiptAudit(subtype, action, id),
  subtype: `held-discharge-${subtype}`,
});

const notFound = () =>
  new DomainException(HELD_DISCHARGE_NOT_FOUND, 'not-found', 'No such held discharge of this hospital');

/** Keeps only the keys whose value is given (a class-transformer instance may carry undefined fields). */
const given = (value: object | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== undefined));

/**
 * Held discharges: an HL7v2 or FHIR discharge that names its patient but lacks data only registration needs is
 * kept (sealed) instead of refused, answered with what is missing; the hospital completes it later through the
 * normal discharge path; ops hear of one left incomplete too long.
 */
@Injectable()
export class HeldDischargeService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly repository: HeldDischargeRepository,
    private readonly discharges: DischargeService,
    private readonly referrals: DischargeRepository,
    private readonly cipher: FieldCipher,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(HOSPITAL_INTAKE_CONFIG) private readonly config: HospitalIntakeConfig,
  ) {}

  /**
   * Keeps the message once (the same message, or another for an encounter still held, answers the held record
   * already kept). An encounter this hospital has already referred answers that referral, as a discharge sent
   * again (DischargeService.resendIncomplete).
   */
  hold(hospital: AuthenticatedHospital, request: HoldRequest): Promise<IntakeAnswer | HeldAnswer> {
    return this.tx.run(async () => {
      const referred = await this.referrals.findReceipt(hospital.id, { encounterId: request.encounterId });
      // Referred already: answered as a discharge sent again (its consents taken, its problems named).
      if (referred) return this.discharges.resendIncomplete(hospital, request.discharge, request.findings);
      const id = randomUUID();
      const sealed: SealedHeld = {
        discharge: request.discharge,
        details: request.findings.map((f) => f.detail),
      };
      const clearMissing: MissingField[] = request.findings.map(({ field, pointer, code }) => ({
        field: completionField(field),
        at: pointer,
        ...(code ? { code } : {}),
      }));
      const inserted = await this.repository.insertIfNew({
        id,
        hospitalId: hospital.id,
        channel: request.channel,
        messageKey: request.messageKey,
        messageId: request.messageId,
        encounterId: request.encounterId,
        receivedAt: this.clock.now(),
        missing: clearMissing,
        sealedDischarge: this.cipher.sealJson(sealed, INTAKE_SEAL_CONTEXTS.heldDischarge),
      });
      if (inserted) {
        await this.audit.record(heldAudit('create', 'C', id));
        const missing = request.findings.map((f, i) => ({ ...clearMissing[i], detail: f.detail }));
        return { status: 202, held: { id, created: true, missing } };
      }
      const row = await this.repository.findSameMessage(hospital.id, request.messageKey, request.encounterId);
      if (!row || row.status !== 'held') {
        // Completed between the look-up above and the insert: its referral is there on the next attempt.
        throw new DomainException('REFERRAL_RACE', 'unavailable', 'The discharge is being written; retry');
      }
      await this.audit.record(heldAudit('duplicate', 'R', row.id));
      return { status: 202, held: { id: row.id, created: false, missing: this.open(row).missing } };
    }, hospitalActor(hospital));
  }

  async list(hospital: AuthenticatedHospital, query: HeldDischargeListQuery): Promise<HeldDischargePageDto> {
    const limit = pageLimit(query.limit, this.config.referralPageLimitMax);
    const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
    return this.tx.run(async () => {
      const rows = await this.repository.pageForHospital(hospital.id, query.status, after, limit + 1);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      await this.audit.record(heldAudit('list', 'R', 'list'));
      return {
        items: page.map((r) => this.summary(r, r.missing)),
        nextCursor: rows.length > limit && last ? encodeKeysetCursor(last.receivedAt, last.id) : null,
      };
    }, hospitalActor(hospital));
  }

  /** One held discharge, the discharge opened (only the sending hospital finds it; others get 404). */
  get(hospital: AuthenticatedHospital, id: string): Promise<HeldDischargeDto> {
    return this.tx.run(async () => {
      const row = await this.repository.findForHospital(hospital.id, id);
      if (!row) throw notFound();
      await this.audit.record(heldAudit('read', 'R', row.id));
      const { discharge, missing } = this.open(row);
      return { ...this.summary(row, missing), discharge };
    }, hospitalActor(hospital));
  }

  /**
   * Supplies what the held discharge lacked; the completed discharge goes the normal discharge way (its rules,
   * the referral, its events) in the same transaction that marks it completed. Once completed → 409 with the
   * referral.
   */
  complete(
    hospital: AuthenticatedHospital,
    id: string,
    completion: CompleteHeldDischargeDto,
  ): Promise<IntakeAnswer> {
    return this.tx.run(async () => {
      const row = await this.repository.findForHospital(hospital.id, id, true);
      if (!row) throw notFound();
      if (row.status === 'completed') {
        throw new DomainException(
          HELD_DISCHARGE_COMPLETED,
          'conflict',
          `The held discharge was completed already: referral ${row.referralId}`,
          { referralId: row.referralId! },
        );
      }
      // A held row always has its sealed discharge (held_discharge_state_ck).
      const discharge = this.open(row).discharge!;
      const command = await toDischargeCommand({
        ...discharge,
        patient: { ...given(discharge.patient as object), ...given(completion.patient) },
        ...(completion.consents ? { consents: completion.consents.map(given) } : {}),
      });
      const answer = await this.discharges.submit(hospital, row.channel, command);
      await this.repository.markCompleted(row.id, answer.body.referralId, this.clock.now());
      await this.audit.record(heldAudit('completed', 'U', row.id));
      return answer;
    }, hospitalActor(hospital));
  }

  /**
   * One pass at the clock's time: held discharges whose encounter was referred since are marked completed, and
   * each one held longer than `INTAKE_HELD_ALERT_AFTER_HOURS` is reported once to ops (SKIP LOCKED across
   * replicas). Returns how many were reported.
   */
  sweepIncomplete(): Promise<number> {
    return this.tx.run(async () => {
      const now = this.clock.now();
      const hours = this.config.held.alertAfterHours;
      await this.repository.completeReferredElsewhere(now);
      const claimed = await this.repository.claimUnalerted(new Date(now.getTime() - hours * 3_600_000), now);
      for (const held of claimed) {
        await raiseOpsAlert(
          this.publisher,
          SERVICES.hospitalIntake,
          {
            code: OPS_ALERT_CODES.HELD_DISCHARGE_INCOMPLETE,
            severity: 'warning',
            summary: `A discharge held for missing registration data is still incomplete after ${hours} h`,
            details: {
              heldDischargeId: held.id,
              hospitalId: held.hospitalId,
              missingFields: held.missing,
              receivedAt: held.receivedAt.toISOString(),
            },
          },
          now,
        );
      }
      return claimed.length;
    }, systemActor('held-discharge-sweeper'));
  }

  /** The sealed discharge and the details of what it lacks (none once completed). */
  private open(row: HeldDischargeRow): {
    discharge: Record<string, unknown> | null;
    missing: HeldFieldDto[];
  } {
    if (!row.sealedDischarge) return { discharge: null, missing: row.missing };
    const sealed = this.cipher.openJson<SealedHeld>(row.sealedDischarge, INTAKE_SEAL_CONTEXTS.heldDischarge);
    return {
      discharge: sealed.discharge,
      missing: row.missing.map((m: MissingField, i) => ({ ...m, detail: sealed.details[i] })),
    };
  }

  private summary(row: HeldDischargeRow, missing: HeldFieldDto[]): HeldDischargeSummaryDto {
    return {
      id: row.id,
      status: row.status,
      channel: row.channel,
      messageId: row.messageId,
      encounterId: row.encounterId,
      receivedAt: row.receivedAt.toISOString(),
      missing,
      referralId: row.referralId,
      completedAt: row.completedAt?.toISOString() ?? null,
    };
  }
}
