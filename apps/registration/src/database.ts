import { CreateMessagingTables1763900000000, OutboxNotifyDue1767400000000 } from '@app/messaging';
import { AuditRetention1766950000000 } from '@app/audit';
import { DatabaseDefinition } from '@app/persistence';
import { CreateRateLimitTable1766700000000 } from '@app/auth';
import { ConsolidateApiKeys1764200000000 } from './migrations/1764200000000-ConsolidateApiKeys';
import { DeadlinesAndCalendar1765000000000 } from './migrations/1765000000000-DeadlinesAndCalendar';
import { CreateRegistrationTables1763900002000 } from './migrations/1763900002000-CreateRegistrationTables';
import { RowLevelSecurityAndAudit1763900002100 } from './migrations/1763900002100-RowLevelSecurityAndAudit';
import { IdentityReview1764910000000 } from './migrations/1764910000000-IdentityReview';
import { ApplicationFileSummary1766300000100 } from './migrations/1766300000100-ApplicationFileSummary';
import { Notices1766400000000 } from './migrations/1766400000000-Notices';
import { ApplicationCancelled1766500000100 } from './migrations/1766500000100-ApplicationCancelled';
import { AuditReadsAudited1766800000000 } from './migrations/1766800000000-AuditReadsAudited';
import { ApplicationRoutingStopped1766970000100 } from './migrations/1766970000100-ApplicationRoutingStopped';

/** What registration keeps in its own schema. */
export const DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [
    CreateMessagingTables1763900000000,
    CreateRegistrationTables1763900002000,
    RowLevelSecurityAndAudit1763900002100,
    ConsolidateApiKeys1764200000000,
    IdentityReview1764910000000,
    DeadlinesAndCalendar1765000000000,
    ApplicationFileSummary1766300000100,
    Notices1766400000000,
    ApplicationCancelled1766500000100,
    CreateRateLimitTable1766700000000,
    AuditReadsAudited1766800000000,
    AuditRetention1766950000000,
    ApplicationRoutingStopped1766970000100,
    OutboxNotifyDue1767400000000,
  ],
};
