import { Injectable } from '@nestjs/common';
import { EVENTS, FILE_STAGES, FileStage } from '@app/contracts';
import { AuditTrail } from '@app/audit';
import { EventPublisher } from '@app/messaging';
import { TransactionHost } from '@app/persistence';
import { SubjectFileDto } from './dto/subject-file.dto';
import { ReferralStatus } from './referral-lifecycle';
import { ReferralRepository } from './referral.repository';
import { notFound, siteActor, siteAudit } from './site-actions';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : undefined);

/**
 * The subject's file (档案) read back: the holding site sees every record of the referral, the previous sites'
 * included (row-level security lets it while it holds the referral and consent stands); a site that no longer
 * holds it gets 404. The patient's registration channel gets only the summary (`referral.file-summarised`).
 */
@Injectable()
export class SubjectFileService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: ReferralRepository,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
  ) {}

  /** The file for the holding site; a withdrawn consent or another site's referral looks missing (404). */
  read(siteId: string, referralId: string): Promise<SubjectFileDto> {
    return this.audit.audited(siteActor(siteId), siteAudit('file', 'R', referralId), async () => {
      const held = await this.referrals.findHeldBy(siteId, referralId);
      if (!held) throw notFound();
      const records = await this.referrals.serviceRecordsOf(referralId);
      return {
        referralId,
        siteId,
        status: held.status,
        reviewBy: iso(held.reviewBy) ?? null,
        records: records.map((r) => ({
          id: r.id,
          kind: r.kind,
          siteId: r.siteId,
          occurredAt: r.occurredAt.toISOString(),
          recordedAt: r.recordedAt.toISOString(),
          details: r.details as Record<string, unknown>,
        })),
      };
    });
  }

  /**
   * Publishes the summary the registration channel is entitled to (holder, stage, counts and dates; no notes),
   * in the caller's transaction. Statuses without a file stage (withdrawn, unplaced…) publish nothing.
   */
  async summarise(
    referralId: string,
    siteId: string,
    status: ReferralStatus,
    reviewBy: Date | null,
    now: Date,
  ): Promise<void> {
    if (!(FILE_STAGES as readonly string[]).includes(status)) return;
    // Counted as the service: after a transfer the acting (old) site no longer sees the whole file.
    const totals = await this.tx.elevated(() => this.referrals.fileTotals(referralId));
    await this.publisher.publish(
      EVENTS.referralFileSummarised,
      {
        referralId,
        siteId,
        stage: status as FileStage,
        sessionCount: totals.sessionCount,
        ...(totals.lastSessionAt ? { lastSessionAt: totals.lastSessionAt.toISOString() } : {}),
        assessmentCount: totals.assessmentCount,
        ...(totals.lastAssessmentAt ? { lastAssessmentAt: totals.lastAssessmentAt.toISOString() } : {}),
        ...(reviewBy ? { nextAssessmentBy: reviewBy.toISOString() } : {}),
        updatedAt: now.toISOString(),
      },
      { subject: referralId },
    );
  }
}
