import { CreateMessagingTables1763900000000, OutboxNotifyDue1767400000000 } from '@app/messaging';
import { AuditRetention1766950000000 } from '@app/audit';
import { DatabaseDefinition } from '@app/persistence';
import { StaffAccounts1767200000000 } from '@app/staff';
import { CreateRateLimitTable1766700000000 } from '@app/auth';
import { RiskCeilingAndEarlyWithdrawals1765000000000 } from './migrations/1765000000000-RiskCeilingAndEarlyWithdrawals';
import { ConsolidateApiKeys1764200000000 } from './migrations/1764200000000-ConsolidateApiKeys';
import { EmploymentConsents1765100000000 } from './migrations/1765100000000-EmploymentConsents';
import { EmploymentOutcome1766210000000 } from './migrations/1766210000000-EmploymentOutcome';
import { CreateRehabSiteTables1764100000000 } from './migrations/1764100000000-CreateRehabSiteTables';
import { GreenChannelHold1764600000100 } from './migrations/1764600000100-GreenChannelHold';
import { GenericWebhookOutbox1764600000000 } from './migrations/1764600000000-GenericWebhookOutbox';
import { RowLevelSecurityAndAudit1764100000100 } from './migrations/1764100000100-RowLevelSecurityAndAudit';
import { SubjectFileAndAssessmentTimers1766300000000 } from './migrations/1766300000000-SubjectFileAndAssessmentTimers';
import { AuditReadsAudited1766800000000 } from './migrations/1766800000000-AuditReadsAudited';
import { SiteContact1766970000000 } from './migrations/1766970000000-SiteContact';

/** What rehab-site keeps in its own schema (raw SQL repositories: no entities). */
export const DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [
    CreateMessagingTables1763900000000,
    CreateRehabSiteTables1764100000000,
    RowLevelSecurityAndAudit1764100000100,
    ConsolidateApiKeys1764200000000,
    GenericWebhookOutbox1764600000000,
    GreenChannelHold1764600000100,
    RiskCeilingAndEarlyWithdrawals1765000000000,
    EmploymentConsents1765100000000,
    EmploymentOutcome1766210000000,
    SubjectFileAndAssessmentTimers1766300000000,
    CreateRateLimitTable1766700000000,
    AuditReadsAudited1766800000000,
    AuditRetention1766950000000,
    SiteContact1766970000000,
    StaffAccounts1767200000000,
    OutboxNotifyDue1767400000000,
  ],
};
