import { jetstreamManager } from '@nats-io/jetstream';
import { JetStreamProvisioner, Topology } from '@app/messaging';
import { connectAsAdmin } from './admin-connection';

/**
 * `npm run provision`: the admin step that creates or updates every JetStream stream and every durable consumer
 * of the registry (libs/contracts). Services started with `BUS_PROVISIONING=verify` only check that theirs exist,
 * so their NATS users need no right to create or change streams. Reads NATS_URL, BUS_NAMESPACE and
 * STREAM_REPLICAS like the services; on a secured server it connects as the `admin` NATS user
 * (NATS_NKEY_SEED_FILE = admin's seed, NATS_TLS_CA_FILE, optional NATS_TLS_CERT_FILE/NATS_TLS_KEY_FILE).
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const replicas = Number(env.STREAM_REPLICAS?.trim() || 1);
  if (![1, 3, 5].includes(replicas)) throw new Error('STREAM_REPLICAS must be 1, 3 or 5');
  const nc = await connectAsAdmin(env);
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    const topology = new Topology(env.BUS_NAMESPACE ?? '');
    const provisioner = new JetStreamProvisioner();
    await provisioner.provisionAll(jsm, topology, replicas);
    await provisioner.verify(jsm, topology, { consumers: [] });
    process.stdout.write(`provisioned the streams and durables of the registry on ${nc.getServer()}\n`);
    return 0;
  } finally {
    await nc.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`provision: ${(error as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
