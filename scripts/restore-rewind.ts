import { jetstreamManager } from '@nats-io/jetstream';
import { CONSUMERS, ConsumerDefinition, SERVICE_CATALOGUE } from '@app/contracts';
import { JetStreamProvisioner, Topology } from '@app/messaging';
import { connectAsAdmin } from './admin-connection';

export interface RewindArguments {
  readonly since: Date;
  /** The apps whose durables are rewound (every app of the catalogue when none is named). */
  readonly apps: readonly string[];
}

const USAGE = 'usage: npm run restore:rewind -- --since <ISO 8601 time> [--apps <app>,<app>]';

export function parseRewindArguments(argv: readonly string[], now: Date = new Date()): RewindArguments {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    if (at < 0) return undefined;
    const next = argv[at + 1];
    if (next === undefined || next.startsWith('--')) throw new Error(`${flag} needs a value; ${USAGE}`);
    return next;
  };
  const sinceText = value('--since');
  if (sinceText === undefined) throw new Error(`--since is required; ${USAGE}`);
  // An ISO 8601 time with a zone (Z or ±hh:mm): a local time would rewind to another instant on another host.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(sinceText)) {
    throw new Error(`--since ${sinceText} is not an ISO 8601 time with a zone (e.g. 2026-01-31T02:00:00Z)`);
  }
  const since = new Date(sinceText);
  if (Number.isNaN(since.getTime())) throw new Error(`--since ${sinceText} is not a valid time`);
  if (since.getTime() > now.getTime()) throw new Error(`--since ${sinceText} is in the future`);
  const known = SERVICE_CATALOGUE.map((s) => s.name as string);
  const named = value('--apps');
  const apps = named === undefined ? known : named.split(',').map((a) => a.trim());
  const unknown = apps.filter((a) => !known.includes(a));
  if (unknown.length > 0) throw new Error(`not in the service catalogue: ${unknown.join(', ')}`);
  return { since, apps };
}

/**
 * `npm run restore:rewind -- --since <time>`: the NATS half of a database restore. The durable consumers keep
 * their positions in JetStream, not in Postgres, so after a restore to time T they have acknowledged messages
 * whose effects the restore removed. This deletes and re-creates every durable of the catalogue (or of the apps
 * named) starting at `--since` (before T), so every input since then is delivered again and the restored inboxes
 * drop what was handled before T. Run it with the apps stopped, then start them. Reads NATS_URL and BUS_NAMESPACE
 * like the apps; on a secured server it connects as `admin` like `npm run provision`.
 */
export async function main(env: NodeJS.ProcessEnv = process.env, argv: string[] = []): Promise<number> {
  const { since, apps } = parseRewindArguments(argv);
  const consumers = Object.values<ConsumerDefinition>(CONSUMERS).filter((c) => apps.includes(c.service));
  const nc = await connectAsAdmin(env);
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const rewound = await new JetStreamProvisioner().rewind(
      jsm,
      new Topology(env.BUS_NAMESPACE ?? ''),
      consumers,
      since,
    );
    for (const r of rewound) {
      process.stdout.write(
        `${r.stream}/${r.durable}: ${r.ackFloorBefore === undefined ? 'was missing' : `was at stream seq ${r.ackFloorBefore}`}, ` +
          `re-created from ${since.toISOString()}: ${r.redeliver} messages to deliver\n`,
      );
    }
    process.stdout.write(
      `rewound ${rewound.length} durables of ${apps.join(', ')} to ${since.toISOString()} on ${nc.getServer()}\n`,
    );
    return 0;
  } finally {
    await nc.close();
  }
}

if (require.main === module) {
  main(process.env, process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`restore:rewind: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
