import { CreateMessagingTables1763900000000 } from '@app/messaging';
import { DatabaseDefinition } from '@app/persistence';
import { CreateApiKeys1764200000000 } from './migrations/1764200000000-CreateApiKeys';

/** What employment-referral keeps in its own schema. */
export const DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [CreateMessagingTables1763900000000, CreateApiKeys1764200000000],
};
