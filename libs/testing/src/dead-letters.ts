import { EVENTS } from '@app/contracts';
import { TestDatabase } from './database';
import { waitFor } from './wait-for';

export type DeadLetterRow = {
  readonly error_code: string;
  readonly error_message: string;
  readonly event_id: string | null;
  readonly event_type: string | null;
  readonly deliveries: number;
};

/** Waits for the dead letter of the message whose payload contains `marker` (e.g. its referral id). */
export async function deadLetterFor(
  db: TestDatabase,
  schema: string,
  marker: string,
): Promise<DeadLetterRow> {
  const [letter] = await waitFor(
    () =>
      db
        .query<DeadLetterRow>(
          `SELECT error_code, error_message, event_id, event_type, deliveries FROM "${schema}".dead_letter
           WHERE payload LIKE $1`,
          [`%${marker}%`],
        )
        .then((rows) => (rows.length ? rows : undefined)),
    { message: `dead letter containing ${marker}` },
  );
  return letter;
}

/** The `data` of the ops alerts with `code` a service wrote to its outbox. */
export async function opsAlertsIn(
  db: TestDatabase,
  schema: string,
  code: string,
): Promise<Record<string, unknown>[]> {
  const rows = await db.query<{ payload: string }>(
    `SELECT payload FROM "${schema}".outbox WHERE subject = $1 ORDER BY seq`,
    [EVENTS.opsAlertRaised.subject],
  );
  return rows
    .map((r) => (JSON.parse(r.payload) as { data: Record<string, unknown> }).data)
    .filter((data) => data.code === code);
}
