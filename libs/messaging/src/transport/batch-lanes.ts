/**
 * Runs items in batches on a fixed number of lanes. An item's key picks its lane (by hash), and a lane runs
 * its batches one after another, so items with the same key are processed in the order they were added and
 * never concurrently; different lanes run in parallel. A lane takes whatever is queued for it when it becomes
 * free (up to `batchSize`), never waiting to fill a batch: at low load a batch is one item, under load
 * batches grow. At most `capacity` items are queued or running; `whenCapacity()` lets the feeder wait.
 */
export class BatchLanes<T> {
  private readonly queues: T[][];
  private readonly running: boolean[];
  private size = 0;
  private capacityWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: {
      readonly lanes: number;
      readonly batchSize: number;
      readonly capacity: number;
      readonly keyOf: (item: T) => string;
      readonly run: (batch: T[]) => Promise<void>;
      /** Called for each item as it is queued (before it runs). */
      readonly onAdd?: (item: T) => void;
      readonly onError?: (error: unknown) => void;
    },
  ) {
    if (options.lanes < 1 || options.batchSize < 1 || options.capacity < 1) {
      throw new Error('BatchLanes needs at least one lane, a batch size and a capacity of 1');
    }
    this.queues = Array.from({ length: options.lanes }, () => []);
    this.running = Array.from({ length: options.lanes }, () => false);
  }

  /** Items queued or running. */
  get pending(): number {
    return this.size;
  }

  get hasCapacity(): boolean {
    return this.size < this.options.capacity;
  }

  /** Resolves when another item may be added. */
  whenCapacity(): Promise<void> {
    if (this.hasCapacity) return Promise.resolve();
    return new Promise((resolve) => this.capacityWaiters.push(resolve));
  }

  /** Queues an item on its key's lane; it runs once `dispatch()` is called (after the feeder added what it has). */
  add(item: T): void {
    this.queues[laneOf(this.options.keyOf(item), this.options.lanes)].push(item);
    this.size++;
    this.options.onAdd?.(item);
  }

  /** Starts every free lane that has queued items. */
  dispatch(): void {
    this.queues.forEach((queue, lane) => {
      if (!this.running[lane] && queue.length > 0) void this.drain(lane);
    });
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async drain(lane: number): Promise<void> {
    this.running[lane] = true;
    const queue = this.queues[lane];
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, this.options.batchSize);
        try {
          await this.options.run(batch);
        } catch (error) {
          this.options.onError?.(error);
        } finally {
          this.release(batch.length);
        }
      }
    } finally {
      this.running[lane] = false;
    }
  }

  private release(count: number): void {
    this.size -= count;
    while (this.hasCapacity && this.capacityWaiters.length > 0) this.capacityWaiters.shift()!();
    if (this.size === 0) {
      const idle = this.idleWaiters;
      this.idleWaiters = [];
      idle.forEach((resolve) => resolve());
    }
  }
}

/** FNV-1a of the key, onto `lanes` lanes: one key always lands on the same lane. */
export function laneOf(key: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % lanes;
}

/** The items sorted by key (code-unit order, the same in every process), keeping the order of equal keys. */
export function inKeyOrder<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  return items
    .map((item, index) => ({ item, index, key: keyOf(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index))
    .map(({ item }) => item);
}
