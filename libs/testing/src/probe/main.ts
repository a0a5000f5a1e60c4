import 'reflect-metadata';
import { createServiceApp, startServiceApp } from '@app/platform';
import { ProbeAppModule, ProbeRole } from './probe.module';

/** The probe as its own process (for SIGKILL tests). Role from PROBE_ROLE; everything else from the env. */
async function main(): Promise<void> {
  const role = (process.env.PROBE_ROLE ?? 'producer') as ProbeRole;
  const app = await createServiceApp(ProbeAppModule.forRole(role), {
    title: 'probe',
    description: 'test fixture',
  });
  await startServiceApp(app);
  process.stdout.write(`probe ${role} ready\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`probe failed: ${error.stack}\n`);
  process.exit(1);
});
