import { Actor } from './actor';
import { TransactionHost } from './transaction-host';

/** A pruning round deletes at most this many batches per table, so one round never holds the database long. */
export const MAX_BATCHES_PER_ROUND = 100;

/**
 * Runs `batch` (one transaction each, as `actor`) until it handles fewer than `size` rows or the round's cap is
 * reached; reports each batch's count to `counted` and returns the total.
 */
export async function drainInBatches(
  tx: TransactionHost,
  actor: Actor,
  size: number,
  batch: () => Promise<number>,
  counted: (n: number) => void = () => undefined,
): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES_PER_ROUND; i++) {
    const n = await tx.run(batch, actor);
    total += n;
    counted(n);
    if (n < size) break;
  }
  return total;
}
