import { Injectable } from '@nestjs/common';
import { EncryptedFieldDto } from '@app/contracts';
import { KeysetPosition } from '@app/core';
import { TransactionHost } from '@app/persistence';
import { HeldStatus } from './dto/held-discharge.dto';

/** What is kept in clear of each missing field (the detail is sealed with the discharge). */
export interface MissingField {
  field: string;
  at: string;
  code?: string;
}

export interface NewHeldDischarge {
  id: string;
  hospitalId: string;
  channel: 'fhir' | 'hl7v2';
  messageKey: string;
  messageId?: string;
  encounterId: string;
  receivedAt: Date;
  missing: MissingField[];
  sealedDischarge: EncryptedFieldDto;
}

export interface HeldDischargeRow {
  id: string;
  hospitalId: string;
  channel: 'fhir' | 'hl7v2';
  messageId: string | null;
  encounterId: string;
  receivedAt: Date;
  missing: MissingField[];
  sealedDischarge: EncryptedFieldDto | null;
  status: HeldStatus;
  referralId: string | null;
  completedAt: Date | null;
}

export interface UnansweredHeldRow {
  id: string;
  hospitalId: string;
  receivedAt: Date;
  missing: number;
}

const COLUMNS = `id, hospital_id, channel, message_id, encounter_id, received_at, missing, sealed_discharge, status,
  referral_id, completed_at`;

function toRow(r: Record<string, unknown>): HeldDischargeRow {
  return {
    id: r.id as string,
    hospitalId: r.hospital_id as string,
    channel: r.channel as HeldDischargeRow['channel'],
    messageId: r.message_id as string | null,
    encounterId: r.encounter_id as string,
    receivedAt: r.received_at as Date,
    missing: r.missing as MissingField[],
    sealedDischarge: r.sealed_discharge as EncryptedFieldDto | null,
    status: r.status as HeldStatus,
    referralId: r.referral_id as string | null,
    completedAt: r.completed_at as Date | null,
  };
}

/** Held discharges: kept, looked up by the hospital that sent them, completed, swept for ops. */
@Injectable()
export class HeldDischargeRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Keeps the held discharge unless this hospital already holds this message, or holds this encounter open; true
   * when inserted.
   */
  async insertIfNew(h: NewHeldDischarge): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.tx.schema}.held_discharge (id, hospital_id, channel, message_key, message_id, encounter_id,
         received_at, missing, sealed_discharge, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'held')
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        h.id,
        h.hospitalId,
        h.channel,
        h.messageKey,
        h.messageId ?? null,
        h.encounterId,
        h.receivedAt,
        JSON.stringify(h.missing),
        JSON.stringify(h.sealedDischarge),
      ],
    );
    return rows.length === 1;
  }

  /** The held discharge of this message, else the one still held for this encounter (a resend under a new id). */
  async findSameMessage(
    hospitalId: string,
    messageKey: string,
    encounterId: string,
  ): Promise<HeldDischargeRow | undefined> {
    const rows = await this.tx.manager.query<Record<string, unknown>[]>(
      `SELECT ${COLUMNS} FROM ${this.tx.schema}.held_discharge
        WHERE hospital_id = $1 AND (message_key = $2 OR (encounter_id = $3 AND status = 'held'))
        ORDER BY (message_key = $2) DESC LIMIT 1`,
      [hospitalId, messageKey, encounterId],
    );
    return rows[0] && toRow(rows[0]);
  }

  /** The hospital's held discharge by id (locked for completing it when `lock`). */
  async findForHospital(hospitalId: string, id: string, lock = false): Promise<HeldDischargeRow | undefined> {
    const rows = await this.tx.manager.query<Record<string, unknown>[]>(
      `SELECT ${COLUMNS} FROM ${this.tx.schema}.held_discharge WHERE hospital_id = $1 AND id = $2
       ${lock ? 'FOR UPDATE' : ''}`,
      [hospitalId, id],
    );
    return rows[0] && toRow(rows[0]);
  }

  /** The hospital's held discharges, newest first, after a keyset position. */
  async pageForHospital(
    hospitalId: string,
    status: HeldStatus | undefined,
    after: KeysetPosition | undefined,
    limit: number,
  ): Promise<HeldDischargeRow[]> {
    const rows = await this.tx.manager.query<Record<string, unknown>[]>(
      `SELECT ${COLUMNS} FROM ${this.tx.schema}.held_discharge
        WHERE hospital_id = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (received_at, id) < ($3::timestamptz, $4::uuid))
        ORDER BY received_at DESC, id DESC LIMIT $5`,
      [hospitalId, status ?? null, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map(toRow);
  }

  /** Completed: the referral it became; the sealed discharge is cleared (the referral holds it now). */
  async markCompleted(id: string, referralId: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.tx.schema}.held_discharge
          SET status = 'completed', referral_id = $2, completed_at = $3, sealed_discharge = NULL
        WHERE id = $1 AND status = 'held'`,
      [id, referralId, at],
    );
  }

  /**
   * Held discharges whose encounter was referred since (the hospital sent the message again, complete): marked
   * completed with that referral. Returns how many.
   */
  async completeReferredElsewhere(at: Date): Promise<number> {
    const s = this.tx.schema;
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${s}.held_discharge h
          SET status = 'completed', referral_id = r.id, completed_at = $1, sealed_discharge = NULL
         FROM ${s}.referral r
        WHERE h.status = 'held' AND r.hospital_id = h.hospital_id AND r.encounter_id = h.encounter_id`,
      [at],
    );
    return count;
  }

  /** Held discharges received at or before `before` and not yet reported, each claimed once across replicas. */
  async claimUnalerted(before: Date, now: Date, limit = 100): Promise<UnansweredHeldRow[]> {
    const s = this.tx.schema;
    const [rows] = await this.tx.manager.query<
      [{ id: string; hospital_id: string; received_at: Date; missing: number }[], number]
    >(
      `UPDATE ${s}.held_discharge SET alerted_at = $2
        WHERE id IN (SELECT id FROM ${s}.held_discharge
                      WHERE status = 'held' AND alerted_at IS NULL AND received_at <= $1
                      ORDER BY received_at LIMIT $3 FOR UPDATE SKIP LOCKED)
        RETURNING id, hospital_id, received_at, jsonb_array_length(missing) AS missing`,
      [before, now, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      hospitalId: r.hospital_id,
      receivedAt: r.received_at,
      missing: Number(r.missing),
    }));
  }
}
