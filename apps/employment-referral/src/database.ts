import { CreateMessagingTables1763900000000 } from '@app/messaging';
import { CreateRuntimeRole1763900000500, DatabaseDefinition } from '@app/persistence';

/** What employment-referral keeps in its own schema. */
export const DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [CreateMessagingTables1763900000000, CreateRuntimeRole1763900000500],
};
