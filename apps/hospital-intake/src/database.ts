import { CreateMessagingTables1763900000000, OutboxNotifyDue1767400000000 } from '@app/messaging';
import { AuditRetention1766950000000 } from '@app/audit';
import { DatabaseDefinition } from '@app/persistence';
import { StaffAccounts1767200000000 } from '@app/staff';
import { CreateRateLimitTable1766700000000 } from '@app/auth';
import { ConsolidateApiKeys1764200000000 } from './migrations/1764200000000-ConsolidateApiKeys';
import { CreateIntakeTables1764000000000 } from './migrations/1764000000000-CreateIntakeTables';
import { ApplicationEnded1765000000000 } from './migrations/1765000000000-ApplicationEnded';
import { AddAssignedSite1764000000100 } from './migrations/1764000000100-AddAssignedSite';
import { GreenChannel1764600000000 } from './migrations/1764600000000-GreenChannel';
import { AssessmentHospital1764300000000 } from './migrations/1764300000000-AssessmentHospital';
import { AwaitingAssessment1765100000000 } from './migrations/1765100000000-AwaitingAssessment';
import { AssessmentReminder1765200000000 } from './migrations/1765200000000-AssessmentReminder';
import { EmploymentOutcome1766220000000 } from './migrations/1766220000000-EmploymentOutcome';
import { ReferralTimeline1766500000000 } from './migrations/1766500000000-ReferralTimeline';
import { RowLevelSecurityAndAudit1764000000200 } from './migrations/1764000000200-RowLevelSecurityAndAudit';
import { AuditReadsAudited1766800000000 } from './migrations/1766800000000-AuditReadsAudited';
import { RestoredReferral1767000000000 } from './migrations/1767000000000-RestoredReferral';
import { HeldDischarge1767100000000 } from './migrations/1767100000000-HeldDischarge';

/** What hospital-intake keeps in its own schema. */
export const DATABASE: DatabaseDefinition = {
  entities: [],
  migrations: [
    CreateMessagingTables1763900000000,
    CreateIntakeTables1764000000000,
    AddAssignedSite1764000000100,
    RowLevelSecurityAndAudit1764000000200,
    ConsolidateApiKeys1764200000000,
    AssessmentHospital1764300000000,
    GreenChannel1764600000000,
    ApplicationEnded1765000000000,
    AwaitingAssessment1765100000000,
    AssessmentReminder1765200000000,
    EmploymentOutcome1766220000000,
    ReferralTimeline1766500000000,
    CreateRateLimitTable1766700000000,
    AuditReadsAudited1766800000000,
    AuditRetention1766950000000,
    RestoredReferral1767000000000,
    HeldDischarge1767100000000,
    StaffAccounts1767200000000,
    OutboxNotifyDue1767400000000,
  ],
};
