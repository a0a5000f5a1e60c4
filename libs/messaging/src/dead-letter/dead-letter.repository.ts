import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

export interface NewDeadLetter {
  id: string;
  consumer: string;
  stream: string;
  streamSeq: number;
  subject: string;
  eventId?: string;
  eventType?: string;
  payload: string;
  headers: Record<string, string>;
  errorCode: string;
  errorMessage: string;
  deliveries: number;
}

export interface DeadLetterRecord {
  id: string;
  consumer: string;
  stream: string;
  streamSeq: number;
  subject: string;
  eventId: string | null;
  eventType: string | null;
  errorCode: string;
  errorMessage: string;
  deliveries: number;
  deadLetteredAt: Date;
  replayedAt: Date | null;
  replayCount: number;
}

interface DeadLetterRow {
  id: string;
  consumer: string;
  stream: string;
  stream_seq: string;
  subject: string;
  event_id: string | null;
  event_type: string | null;
  error_code: string;
  error_message: string;
  deliveries: number;
  dead_lettered_at: Date;
  replayed_at: Date | null;
  replay_count: number;
  payload?: string;
  headers?: Record<string, string>;
}

function toRecord(row: DeadLetterRow): DeadLetterRecord {
  return {
    id: row.id,
    consumer: row.consumer,
    stream: row.stream,
    streamSeq: Number(row.stream_seq),
    subject: row.subject,
    eventId: row.event_id,
    eventType: row.event_type,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    deliveries: row.deliveries,
    deadLetteredAt: row.dead_lettered_at,
    replayedAt: row.replayed_at,
    replayCount: row.replay_count,
  };
}

const COLUMNS = `id, consumer, stream, stream_seq, subject, event_id, event_type, error_code, error_message,
  deliveries, dead_lettered_at, replayed_at, replay_count`;

@Injectable()
export class DeadLetterRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get table(): string {
    return `${this.tx.schema}.dead_letter`;
  }

  /** Records a parked message; a second record of the same stream message is ignored. Returns false then. */
  async record(letter: NewDeadLetter): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.table} (id, consumer, stream, stream_seq, subject, event_id, event_type, payload, headers,
         error_code, error_message, deliveries)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)
       ON CONFLICT (consumer, stream, stream_seq) DO NOTHING RETURNING id`,
      [
        letter.id,
        letter.consumer,
        letter.stream,
        letter.streamSeq,
        letter.subject,
        letter.eventId ?? null,
        letter.eventType ?? null,
        letter.payload,
        JSON.stringify(letter.headers),
        letter.errorCode,
        letter.errorMessage.slice(0, 2000),
        letter.deliveries,
      ],
    );
    return rows.length === 1;
  }

  async list(options: { pendingOnly: boolean; limit: number }): Promise<DeadLetterRecord[]> {
    const rows = await this.tx.manager.query<DeadLetterRow[]>(
      `SELECT ${COLUMNS} FROM ${this.table}
        ${options.pendingOnly ? 'WHERE replayed_at IS NULL' : ''}
        ORDER BY dead_lettered_at, id LIMIT $1`,
      [options.limit],
    );
    return rows.map(toRecord);
  }

  /** Locks a dead letter for replay and returns it with its payload. */
  async lockForReplay(
    id: string,
  ): Promise<(DeadLetterRecord & { payload: string; headers: Record<string, string> }) | undefined> {
    const [row] = await this.tx.manager.query<DeadLetterRow[]>(
      `SELECT ${COLUMNS}, payload, headers FROM ${this.table} WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ? { ...toRecord(row), payload: row.payload ?? '', headers: row.headers ?? {} } : undefined;
  }

  async pendingIds(): Promise<string[]> {
    const rows = await this.tx.manager.query<{ id: string }[]>(
      `SELECT id FROM ${this.table} WHERE replayed_at IS NULL ORDER BY dead_lettered_at, id`,
    );
    return rows.map((r) => r.id);
  }

  async markReplayed(id: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.table} SET replayed_at = now(), replay_count = replay_count + 1 WHERE id = $1`,
      [id],
    );
  }
}
