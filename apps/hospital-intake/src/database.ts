import { CreateMessagingTables1763900000000 } from '@app/messaging';
import { DatabaseDefinition } from '@app/persistence';
import { CreateIntakeTables1764000000000 } from './migrations/1764000000000-CreateIntakeTables';
import { AddAssignedSite1764000000100 } from './migrations/1764000000100-AddAssignedSite';
import { RowLevelSecurityAndAudit1764000000200 } from './migrations/1764000000200-RowLevelSecurityAndAudit';

/** What hospital-intake keeps in its own schema. */
export const DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [
    CreateMessagingTables1763900000000,
    CreateIntakeTables1764000000000,
    AddAssignedSite1764000000100,
    RowLevelSecurityAndAudit1764000000200,
  ],
};
