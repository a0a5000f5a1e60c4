import { CreateMessagingTables1763900000000 } from '@app/messaging';
import { DatabaseDefinition } from '@app/persistence';

/** What hospital-intake keeps in its own schema. */
export const DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [CreateMessagingTables1763900000000],
};
