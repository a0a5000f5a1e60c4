import { KeyedLimiter } from './keyed-limiter';

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => (resolve = res));
  return { promise, resolve };
}

/** Lets every queued promise callback run. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A task that records when it starts and ends and finishes when `release` is called. */
class ProbeTask {
  private readonly gate = deferred();
  started = false;
  finished = false;

  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}

  readonly run = async (): Promise<void> => {
    this.started = true;
    this.log.push(`start ${this.name}`);
    await this.gate.promise;
    this.finished = true;
    this.log.push(`end ${this.name}`);
  };

  release(): void {
    this.gate.resolve();
  }
}

describe(KeyedLimiter.name, () => {
  let log: string[];

  beforeEach(() => {
    log = [];
  });

  const probe = (name: string) => new ProbeTask(name, log);

  describe('schedule', () => {
    it('should start a task right away when a slot is free', async () => {
      const sut = new KeyedLimiter(2);
      const task = probe('a');

      await sut.schedule('a', task.run);
      await flush();

      expect(task.started).toBe(true);
      expect(sut.active).toBe(1);
    });

    it('should resolve when the task has a slot, not when it is done', async () => {
      const sut = new KeyedLimiter(1);
      const task = probe('a');

      await sut.schedule('a', task.run);
      await flush();

      expect(task.finished).toBe(false);
      task.release();
      await sut.idle();
      expect(task.finished).toBe(true);
    });

    it('should not resolve when max tasks are in flight until one of them is done', async () => {
      const sut = new KeyedLimiter(1);
      const first = probe('first');
      const second = probe('second');
      await sut.schedule('a', first.run);

      let scheduled = false;
      const pending = sut.schedule('b', second.run).then(() => (scheduled = true));
      await flush();

      expect(scheduled).toBe(false);
      expect(second.started).toBe(false);

      first.release();
      await pending;
      await flush();

      expect(scheduled).toBe(true);
      expect(second.started).toBe(true);
      second.release();
      await sut.idle();
    });

    it('should never have more than max tasks in flight when many keys are scheduled', async () => {
      const max = 3;
      const sut = new KeyedLimiter(max);
      let running = 0;
      let peak = 0;
      const gates = Array.from({ length: 10 }, () => deferred());
      const scheduling = (async () => {
        for (const [index, gate] of gates.entries()) {
          await sut.schedule(`key-${index}`, async () => {
            running++;
            peak = Math.max(peak, running);
            await gate.promise;
            running--;
          });
          expect(sut.active).toBeLessThanOrEqual(max);
        }
      })();

      for (const gate of gates) {
        await flush();
        expect(sut.active).toBeLessThanOrEqual(max);
        gate.resolve();
      }
      await scheduling;
      await sut.idle();

      expect(peak).toBe(max);
      expect(running).toBe(0);
      expect(sut.active).toBe(0);
    });

    it('should run tasks of different keys concurrently', async () => {
      const sut = new KeyedLimiter(4);
      const a = probe('a');
      const b = probe('b');

      await sut.schedule('referral-1', a.run);
      await sut.schedule('referral-2', b.run);
      await flush();

      expect(a.started).toBe(true);
      expect(b.started).toBe(true);
      expect(sut.active).toBe(2);

      b.release();
      a.release();
      await sut.idle();
      expect(log).toEqual(['start a', 'start b', 'end b', 'end a']);
    });

    it('should not start a task while an earlier task of the same key is running', async () => {
      const sut = new KeyedLimiter(4);
      const first = probe('first');
      const second = probe('second');

      await sut.schedule('referral-1', first.run);
      await sut.schedule('referral-1', second.run);
      await flush();

      expect(first.started).toBe(true);
      expect(second.started).toBe(false);

      first.release();
      await flush();

      expect(second.started).toBe(true);
      second.release();
      await sut.idle();
      expect(log).toEqual(['start first', 'end first', 'start second', 'end second']);
    });

    it('should run tasks of the same key in schedule order when later ones would finish first', async () => {
      const sut = new KeyedLimiter(8);
      const tasks = ['1', '2', '3', '4'].map((name) => probe(name));
      for (const task of tasks) await sut.schedule('referral-1', task.run);

      // Release in reverse: a later task may only start once every earlier one has ended.
      for (const task of [...tasks].reverse()) task.release();
      await sut.idle();

      expect(log).toEqual(['start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3', 'start 4', 'end 4']);
    });

    it('should count a same-key task waiting for its predecessor as in flight', async () => {
      const sut = new KeyedLimiter(2);
      const first = probe('first');
      const second = probe('second');
      const other = probe('other');
      await sut.schedule('referral-1', first.run);
      await sut.schedule('referral-1', second.run);

      let otherScheduled = false;
      const pending = sut.schedule('referral-2', other.run).then(() => (otherScheduled = true));
      await flush();

      expect(sut.active).toBe(2);
      expect(otherScheduled).toBe(false);

      first.release();
      await pending;
      second.release();
      other.release();
      await sut.idle();
      expect(otherScheduled).toBe(true);
    });

    it('should keep same-key order when the scheduler waits for slots between tasks', async () => {
      const sut = new KeyedLimiter(2);
      const tasks = ['a1', 'b1', 'a2', 'b2', 'a3'].map((name) => probe(name));
      const keyOf = (task: ProbeTask) => task.name.slice(0, 1);

      const scheduling = (async () => {
        for (const task of tasks) await sut.schedule(keyOf(task), task.run);
      })();
      for (const task of tasks) {
        await flush();
        task.release();
      }
      await scheduling;
      await sut.idle();

      const order = (key: string) => log.filter((entry) => entry.startsWith(`start ${key}`));
      expect(order('a')).toEqual(['start a1', 'start a2', 'start a3']);
      expect(order('b')).toEqual(['start b1', 'start b2']);
      expect(log.filter((entry) => entry.startsWith('end'))).toHaveLength(tasks.length);
    });

    it('should run a later task of the same key when an earlier task handled its own error', async () => {
      const sut = new KeyedLimiter(2);
      const handled: string[] = [];
      const later = probe('later');

      await sut.schedule('referral-1', async () => {
        try {
          await Promise.reject(new Error('handler failed'));
        } catch (error) {
          handled.push((error as Error).message);
        }
      });
      await sut.schedule('referral-1', later.run);
      later.release();
      await sut.idle();

      expect(handled).toEqual(['handler failed']);
      expect(log).toEqual(['start later', 'end later']);
    });

    it('should run a task of a key again when the key drained before', async () => {
      const sut = new KeyedLimiter(1);
      const first = probe('first');
      const second = probe('second');

      await sut.schedule('referral-1', first.run);
      first.release();
      await sut.idle();
      await sut.schedule('referral-1', second.run);
      second.release();
      await sut.idle();

      expect(log).toEqual(['start first', 'end first', 'start second', 'end second']);
    });
  });

  describe('active', () => {
    it('should be 0 when nothing was scheduled', () => {
      expect(new KeyedLimiter(3).active).toBe(0);
    });

    it('should go back to 0 when every task is done', async () => {
      const sut = new KeyedLimiter(3);
      const a = probe('a');
      const b = probe('b');
      await sut.schedule('a', a.run);
      await sut.schedule('b', b.run);

      expect(sut.active).toBe(2);
      a.release();
      await flush();
      expect(sut.active).toBe(1);
      b.release();
      await flush();
      expect(sut.active).toBe(0);
    });
  });

  describe('idle', () => {
    it('should resolve at once when nothing is in flight', async () => {
      const sut = new KeyedLimiter(2);
      let idle = false;

      void sut.idle().then(() => (idle = true));
      await flush();

      expect(idle).toBe(true);
    });

    it('should resolve only when every scheduled task is done', async () => {
      const sut = new KeyedLimiter(3);
      const tasks = [probe('a1'), probe('a2'), probe('b1')];
      await sut.schedule('a', tasks[0].run);
      await sut.schedule('a', tasks[1].run);
      await sut.schedule('b', tasks[2].run);

      let idle = false;
      const done = sut.idle().then(() => (idle = true));

      tasks[0].release();
      tasks[2].release();
      await flush();
      expect(idle).toBe(false);
      expect(tasks[1].finished).toBe(false);

      tasks[1].release();
      await done;
      expect(idle).toBe(true);
      expect(tasks.every((task) => task.finished)).toBe(true);
    });

    it('should resolve every caller when several wait', async () => {
      const sut = new KeyedLimiter(1);
      const task = probe('a');
      await sut.schedule('a', task.run);

      const waiting = [sut.idle(), sut.idle(), sut.idle()];
      task.release();

      await expect(Promise.all(waiting)).resolves.toEqual([undefined, undefined, undefined]);
    });
  });

  describe('failures and slot hand-over', () => {
    it('should run the next task of a key and report the error when an earlier task rejects', async () => {
      const errors: unknown[] = [];
      const sut = new KeyedLimiter(4, (error) => errors.push(error));
      const ran: string[] = [];

      await sut.schedule('k', () => Promise.reject(new Error('boom')));
      await sut.schedule('k', () => {
        ran.push('second');
        return Promise.resolve();
      });
      await sut.idle();

      expect(ran).toEqual(['second']);
      expect(errors).toEqual([new Error('boom')]);
    });

    it('should hand a freed slot to the earliest waiter so same-key tasks keep their order', async () => {
      const sut = new KeyedLimiter(1);
      const x = probe('x');
      await sut.schedule('x', x.run);
      const a1 = sut.schedule('a', () => {
        log.push('a1');
        return Promise.resolve();
      });
      const a2 = sut.schedule('a', () => {
        log.push('a2');
        return Promise.resolve();
      });

      x.release();
      await flush();
      await sut.schedule('b', () => {
        log.push('b');
        return Promise.resolve();
      });
      await Promise.all([a1, a2]);
      await sut.idle();

      expect(log.filter((l) => l.startsWith('a'))).toEqual(['a1', 'a2']);
    });

    it('should not report idle while a task still waits for a slot', async () => {
      const sut = new KeyedLimiter(1);
      const x = probe('x');
      await sut.schedule('x', x.run);
      const waiting = sut.schedule('a', () => {
        log.push('a');
        return Promise.resolve();
      });
      const idle = sut.idle().then(() => log.push('idle'));

      x.release();
      await Promise.all([waiting, idle]);

      expect(log).toEqual(['start x', 'end x', 'a', 'idle']);
    });
  });
});
