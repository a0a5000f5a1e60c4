import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { connect, NatsConnection, Subscription } from '@nats-io/transport-node';
import { LatencyRecorder, sustainedThroughput } from './latency';
import { RunResult } from './report';

/** Wall-clock milliseconds with sub-millisecond resolution (monotonic within the process). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Stamps into `map` when each CloudEvent on `subject` is first seen, keyed by its `subject` (the referral id):
 * a core NATS subscription receives every JetStream publish to the subject; a re-publish is a duplicate.
 */
export function stampFirstSighting(
  nc: NatsConnection,
  subject: string,
  map: Map<string, number>,
): Subscription {
  return nc.subscribe(subject, {
    callback: (error, message) => {
      if (error) return;
      const at = nowMs();
      try {
        const id = (message.json<{ subject?: string }>() ?? {}).subject;
        if (typeof id === 'string' && !map.has(id)) map.set(id, at);
      } catch {
        // not a CloudEvent: not ours
      }
    },
  });
}

/**
 * Stamps, in this process, when each referral's `referral.registered` and `referral.assigned` events cross the
 * bus: a core NATS subscription on the namespace's subjects receives every JetStream publish to them. Keyed
 * by the CloudEvents `subject` (the referral id); the first sighting wins (a relay re-publish is a duplicate).
 */
export class EventClock {
  readonly registered = new Map<string, number>();
  readonly assigned = new Map<string, number>();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly subscriptions: Subscription[],
  ) {}

  static async start(natsUrl: string, namespace: string): Promise<EventClock> {
    const nc = await connect({ servers: natsUrl.split(','), name: `bench-clock-${namespace}` });
    const clock = new EventClock(nc, []);
    for (const [stage, map] of [
      ['registered', clock.registered],
      ['assigned', clock.assigned],
    ] as const) {
      clock.subscriptions.push(stampFirstSighting(nc, `${namespace}.referral.${stage}`, map));
    }
    await nc.flush();
    return clock;
  }

  async close(): Promise<void> {
    await this.nc.drain();
  }
}

export interface DriveOptions {
  label: string;
  system: RunResult['system'];
  /** Base URL of the intake (POST /v1/discharges). */
  url: string;
  /** Several intake replicas instead: request i goes to `urls[i % urls.length]` (round robin). */
  urls?: readonly string[];
  headers: Record<string, string>;
  /** Discharges per second, open loop. */
  rate: number;
  count: number;
  /** Cap on requests in flight (a saturation run offers more than the system takes). */
  maxInFlight: number;
  body: (i: number) => Record<string, unknown>;
  clock: EventClock;
  /** How long to wait, after the last request, for the last referrals to be assigned. */
  drainTimeoutMs: number;
}

interface Answer {
  status: number;
  referralId?: string;
  /** Why no status came back (status 0): the socket error's code or message. */
  error?: string;
}

/**
 * One POST. A keep-alive socket the server closed while it sat idle (between runs) fails on reuse with
 * ECONNRESET before the request reached the app: that one is sent again once on a new socket, as Node's HTTP
 * docs advise (a discharge is idempotent by its encounter anyway). Any other failure answers status 0.
 */
function post(
  agent: Agent,
  url: URL,
  headers: Record<string, string>,
  body: string,
  retried = false,
): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let referralId: string | undefined;
          try {
            referralId = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { referralId?: string })
              .referralId;
          } catch {
            // not JSON: counted as failed below
          }
          resolve({ status: res.statusCode ?? 0, referralId });
        });
        res.on('error', (error: NodeJS.ErrnoException) =>
          resolve({ status: 0, error: error.code ?? error.message }),
        );
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!retried && req.reusedSocket && error.code === 'ECONNRESET') {
        resolve(post(agent, url, headers, body, true));
      } else resolve({ status: 0, error: error.code ?? error.message });
    });
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Offers `count` discharges at `rate` per second (open loop: request i is due at start + i/rate whatever
 * happened to earlier ones, capped at `maxInFlight`), then waits for their assignments. Every latency is
 * measured from the moment the discharge was due, so a stalled client or server cannot hide its own delay.
 */
export async function driveRun(options: DriveOptions): Promise<RunResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxInFlight });
  const targets = (options.urls?.length ? options.urls : [options.url]).map(
    (url) => new URL('/v1/discharges', url),
  );
  const dueAt = new Map<string, number>();
  const accept = new LatencyRecorder();
  const acceptedAt: number[] = [];
  let accepted = 0;
  let failed = 0;
  let inFlight = 0;
  let settle: (() => void) | undefined;
  const pending: Promise<void>[] = [];
  const started = nowMs();
  const interval = 1000 / options.rate;

  for (let i = 0; i < options.count; i++) {
    const due = started + i * interval;
    for (;;) {
      const wait = due - nowMs();
      if (wait > 1) await sleep(Math.min(wait, 50));
      else if (inFlight >= options.maxInFlight) await new Promise<void>((r) => (settle = r));
      else break;
    }
    inFlight++;
    const body = JSON.stringify(options.body(i));
    pending.push(
      post(agent, targets[i % targets.length], options.headers, body).then((answer) => {
        inFlight--;
        settle?.();
        settle = undefined;
        if (answer.status === 201 && answer.referralId) {
          accepted++;
          const at = nowMs();
          acceptedAt.push(at);
          accept.record(at - due);
          dueAt.set(answer.referralId, due);
        } else {
          failed++;
          if (failed <= 3)
            process.stderr.write(
              `  ${options.label}: request ${i} answered ${answer.status}${answer.error ? ` (${answer.error})` : ''}\n`,
            );
        }
      }),
    );
  }
  await Promise.all(pending);
  agent.destroy();

  const deadline = nowMs() + options.drainTimeoutMs;
  const done = () => [...dueAt.keys()].every((id) => options.clock.assigned.has(id));
  while (!done() && nowMs() < deadline) await sleep(50);

  const registered = new LatencyRecorder();
  const routed = new LatencyRecorder();
  const endToEnd = new LatencyRecorder();
  const completions: number[] = [];
  const registrations: number[] = [];
  for (const [id, due] of dueAt) {
    const reg = options.clock.registered.get(id);
    const asg = options.clock.assigned.get(id);
    if (reg !== undefined) {
      registered.record(reg - due);
      registrations.push(reg);
    }
    if (asg !== undefined) {
      endToEnd.record(asg - due);
      completions.push(asg);
      if (reg !== undefined) routed.record(asg - reg);
    }
  }
  const last = completions.reduce((a, b) => Math.max(a, b), started);
  return {
    label: options.label,
    system: options.system,
    offeredRate: options.rate,
    sent: options.count,
    accepted,
    failed,
    assigned: completions.length,
    throughput: sustainedThroughput(completions),
    stageThroughput: {
      accepted: sustainedThroughput(acceptedAt),
      registered: sustainedThroughput(registrations),
    },
    seconds: (last - started) / 1000,
    latency: {
      accept: accept.summary(),
      dischargeToRegistered: registered.summary(),
      registeredToAssigned: routed.summary(),
      dischargeToAssigned: endToEnd.summary(),
    },
  };
}
