import type { TransactionHost } from './transaction-host';

/**
 * Places at an organisation that takes people in limited numbers (a rehab site, an employment provider): a
 * table with `id`, `accepting`, `capacity` and `reserved` columns. {@link DeferredPlaces} is the only writer of
 * `reserved`, so concurrent reservations can never overbook, a release never goes below zero, and no two
 * transactions deadlock on these rows.
 */

/** Net place changes of one unit of work, per table, by row id. */
type PlaceChanges = Map<string, number>;

/**
 * Lock order for places (issue #22). A transaction that moved `reserved` at once held each row's lock from that
 * statement to its commit; a batch (or another replica's batch) taking places at the same rows in another
 * order deadlocked. So inside a transaction a place taken or given back is only noted, and just before the
 * commit the net change of every row goes to Postgres in ONE global order: the rows locked by id
 * (`ORDER BY id FOR NO KEY UPDATE`), then moved by one UPDATE. Every transaction takes place locks in that order, as
 * its last step, so no two can wait on each other for them.
 *
 * The guarantee stays with the locked rows: a row gains places only while it accepts and `reserved + n <=
 * capacity` still holds on the locked row; if a row the transaction took places at filled up meanwhile, the
 * UPDATE leaves it out, `short()`'s error is thrown and the whole transaction rolls back (the consumer retries
 * it, split, then alone). Places given back never go below zero. Outside a transaction the change applies at
 * once. Candidate choice reads `reserved < capacity` without a lock; the flush is what re-checks it.
 */
export class DeferredPlaces {
  private readonly key = Symbol('deferred-places');

  constructor(
    /** The schema-qualified table (the schema is the transaction host's). */
    private readonly table: (tx: TransactionHost) => string,
    /** The error when a row has no room left at the flush (a transient one: the work is retried). */
    private readonly short: (ids: string[]) => Error,
  ) {}

  /** Takes one place at row `id` (re-checked before the commit). */
  take(tx: TransactionHost, id: string): Promise<void> {
    return this.change(tx, id, 1);
  }

  /** Gives back one place at row `id` (never below zero). */
  give(tx: TransactionHost, id: string): Promise<void> {
    return this.change(tx, id, -1);
  }

  private async change(tx: TransactionHost, id: string, delta: number): Promise<void> {
    const changes = tx.deferred<PlaceChanges>(
      this.key,
      () => new Map(),
      () => undefined,
    );
    if (!changes) return this.apply(tx, new Map([[id, delta]]));
    changes.set(id, (changes.get(id) ?? 0) + delta);
    tx.beforeCommit(this.key, () => this.apply(tx, changes));
  }

  private async apply(tx: TransactionHost, changes: PlaceChanges): Promise<void> {
    const moved = [...changes]
      .filter(([, delta]) => delta !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    changes.clear();
    if (moved.length === 0) return;
    const ids = moved.map(([id]) => id);
    const deltas = moved.map(([, delta]) => delta);
    const table = this.table(tx);
    // In id order, the same in every transaction; a lone row needs no ordering round trip. NO KEY UPDATE (what
    // the UPDATE takes anyway), not UPDATE: rows referencing these (a referral's site_id) hold KEY SHARE locks,
    // which FOR UPDATE would wait on in whatever order those rows were written.
    if (moved.length > 1) {
      await tx.manager.query(
        `SELECT id FROM ${table} WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE`,
        [ids],
      );
    }
    const [rows] = await tx.manager.query<[{ id: string }[], number]>(
      `UPDATE ${table} t SET reserved = GREATEST(t.reserved + d.delta, 0)
         FROM unnest($1::text[], $2::int[]) AS d(id, delta)
        WHERE t.id = d.id AND (d.delta < 0 OR (t.accepting AND t.reserved + d.delta <= t.capacity))
       RETURNING t.id`,
      [ids, deltas],
    );
    const kept = new Set(rows.map((r) => r.id));
    const short = moved.filter(([id, delta]) => delta > 0 && !kept.has(id)).map(([id]) => id);
    if (short.length > 0) throw this.short(short);
  }
}
