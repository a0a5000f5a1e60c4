import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { isServiceName, SERVICE_NAMES, ServiceName } from '@app/contracts';
import { loadServiceConfig } from '@app/core';
import { DeadLetterAdminModule, DeadLetterService } from '@app/messaging';
import { PersistenceModule, runtimeRoleOf } from '@app/persistence';

const USAGE = `usage: npm run dlq -- <service> list [--all]
       npm run dlq -- <service> replay <dead-letter-id>
       npm run dlq -- <service> replay --all
services: ${SERVICE_NAMES.join(', ')}
Connection settings come from DATABASE_URL and DB_SCHEMA, as for the service itself.`;

function adminModule(service: ServiceName) {
  const config = loadServiceConfig(service);
  @Module({
    imports: [
      PersistenceModule.forRoot(
        {
          url: config.databaseUrl,
          schema: config.dbSchema,
          applicationName: `${service}-dlq`,
          poolSize: 2,
          // like the service itself: never the owner
          runtimeRole: config.dbRuntimeRole ?? runtimeRoleOf(config.dbSchema),
        },
        { entities: [], migrations: [] },
      ),
      DeadLetterAdminModule.forRoot({ service }),
    ],
  })
  class DlqCliModule {}
  return DlqCliModule;
}

/** Lists and replays one service's dead letters. Replays go through the outbox; the running service sends them. */
export async function dlq(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [service, command, arg] = argv;
  if (!service || !isServiceName(service) || !['list', 'replay'].includes(command ?? '')) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'replay' && !arg) {
    process.stderr.write(`replay needs a dead-letter id or --all\n${USAGE}\n`);
    return 2;
  }
  const app = await NestFactory.createApplicationContext(adminModule(service), { logger: ['error'] });
  try {
    const deadLetters = app.get(DeadLetterService);
    if (command === 'list') {
      const letters = await deadLetters.list(arg !== '--all', 1000);
      out.write(`${JSON.stringify(letters, null, 2)}\n`);
    } else {
      const results = arg === '--all' ? await deadLetters.replayAll() : [await deadLetters.replay(arg)];
      out.write(`${JSON.stringify({ replayed: results }, null, 2)}\n`);
    }
    return 0;
  } catch (error) {
    const coded = error as { code?: string; message: string };
    process.stderr.write(`${coded.code ?? 'ERROR'}: ${coded.message}\n`);
    return 1;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  void dlq(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
