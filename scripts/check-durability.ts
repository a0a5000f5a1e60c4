import { jetstreamManager } from '@nats-io/jetstream';
import { checkDurability, Topology } from '@app/messaging';
import { connectAsAdmin } from './admin-connection';

/**
 * `npm run check:durability`: reports server, stream and consumer settings that could lose or loop
 * referral events. Exit 1 when any error is found, 0 otherwise (warnings included). `--json` for machines.
 * Reads NATS_URL and BUS_NAMESPACE like the services; on a secured server it connects as the `admin` NATS user
 * (NATS_NKEY_SEED_FILE = admin's seed, NATS_TLS_CA_FILE, optional NATS_TLS_CERT_FILE/NATS_TLS_KEY_FILE).
 */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const nc = await connectAsAdmin(env);
  try {
    const jsm = await jetstreamManager(nc);
    const report = await checkDurability(
      jsm,
      { version: nc.info?.version ?? 'unknown', cluster: nc.info?.cluster },
      new Topology(env.BUS_NAMESPACE ?? ''),
    );
    if (argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      const width = Math.max(...report.findings.map((f) => f.subject.length), 10);
      for (const f of report.findings) {
        process.stdout.write(
          `${f.level.padEnd(8)} ${f.subject.padEnd(width)}  ${f.check.padEnd(17)} ${f.detail}\n`,
        );
      }
      process.stdout.write(`\n${report.errors} error(s), ${report.warnings} warning(s)\n`);
    }
    return report.errors > 0 ? 1 : 0;
  } finally {
    await nc.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: Error) => {
      process.stderr.write(`durability check failed: ${error.message}\n`);
      process.exitCode = 2;
    },
  );
}
