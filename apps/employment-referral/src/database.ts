import { AuditRetention1766950000000 } from '@app/audit';
import { CreateMessagingTables1763900000000, OutboxNotifyDue1767400000000 } from '@app/messaging';
import { CreateRuntimeRole1763900000500, DatabaseDefinition } from '@app/persistence';
import { CreateRateLimitTable1766700000000 } from '@app/auth';
import { CreateApiKeys1764200000000 } from './migrations/1764200000000-CreateApiKeys';
import { CreateEmploymentTables1764300000000 } from './migrations/1764300000000-CreateEmploymentTables';
import { EmploymentEpisodesAndWebhooks1766200000000 } from './migrations/1766200000000-EmploymentEpisodesAndWebhooks';
import { AuditReadsAudited1766800000000 } from './migrations/1766800000000-AuditReadsAudited';

/** What employment-referral keeps in its own schema. */
export const DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [
    CreateMessagingTables1763900000000,
    CreateRuntimeRole1763900000500,
    CreateApiKeys1764200000000,
    CreateEmploymentTables1764300000000,
    EmploymentEpisodesAndWebhooks1766200000000,
    CreateRateLimitTable1766700000000,
    AuditReadsAudited1766800000000,
    AuditRetention1766950000000,
    OutboxNotifyDue1767400000000,
  ],
};
