import { Inject, Injectable } from '@nestjs/common';
import { EVENTS } from '@app/contracts';
import { AuditEntry, AuditTrail, referralAudit } from '@app/audit';
import { Clock, decodeKeysetCursor, DomainException, encodeKeysetCursor, pageLimit } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { TransactionHost } from '@app/persistence';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { AuthenticatedHospital, hospitalActor } from '../hospitals/hospital.types';
import {
  AcknowledgeGreenCaseDto,
  DeclineGreenCaseDto,
  GreenCaseAction,
  GreenCaseActionResultDto,
  GreenCaseDto,
  GreenCasePageDto,
  GreenCaseQuery,
} from './dto/green-case.dto';
import { GreenCaseRecord, GreenCaseRepository, GreenCaseStatus } from './green-case.repository';
import { TimelineService } from '../timeline/timeline.service';
import { GreenLadderService } from './green-ladder.service';

/** What a hospital may do with a case it holds, by status. */
const ALLOWED: Record<GreenCaseStatus, GreenCaseAction[]> = {
  offered: ['acknowledge', 'admit', 'decline'],
  acknowledged: ['admit', 'decline'],
  readmitted: [],
  unplaced: [],
};

const notFound = (caseId: string) =>
  new DomainException('GREEN_CASE_NOT_FOUND', 'not-found', `No green case ${caseId}`);

const hospitalAudit = (subtype: string, action: AuditEntry['action'], referralId: string): AuditEntry =>
  referralAudit('rest', subtype, action, referralId);

/** The hospital's side of the green channel: its worklist and its answers (acknowledge, admit, decline). */
@Injectable()
export class GreenCasesService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly cases: GreenCaseRepository,
    private readonly ladder: GreenLadderService,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(HOSPITAL_INTAKE_CONFIG) private readonly config: HospitalIntakeConfig,
    private readonly timeline: TimelineService,
  ) {}

  async list(hospital: AuthenticatedHospital, query: GreenCaseQuery): Promise<GreenCasePageDto> {
    // Above the page maximum → 400, as every list answers (never a silently shorter page).
    const limit = pageLimit(query.limit, this.config.green.pageLimitMax);
    const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
    const rows = await this.tx.run(async () => {
      const found = await this.cases.pageForHospital(hospital.id, query.status, after, limit + 1);
      await this.audit.recordAll(
        found.slice(0, limit).map((c) => hospitalAudit('search', 'R', c.referralId)),
      );
      return found;
    }, hospitalActor(hospital));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toDto),
      nextCursor: rows.length > limit && last ? encodeKeysetCursor(last.reportedAt, last.caseId) : null,
    };
  }

  async get(hospital: AuthenticatedHospital, caseId: string): Promise<GreenCaseDto> {
    const c = await this.tx.run(async () => {
      const found = await this.cases.findHeldBy(hospital.id, caseId);
      if (!found) throw notFound(caseId);
      await this.audit.record(hospitalAudit('read', 'R', found.referralId));
      return found;
    }, hospitalActor(hospital));
    return toDto(c);
  }

  /** Who acknowledged and when; the acknowledgement timer stops. */
  acknowledge(hospital: AuthenticatedHospital, caseId: string, dto: AcknowledgeGreenCaseDto) {
    return this.act(hospital, caseId, 'acknowledge', async (c, now) => {
      await this.cases.markAcknowledged(caseId, dto.acknowledgedBy, now);
      await this.publisher.publish(
        EVENTS.greenAcknowledged,
        {
          referralId: c.referralId,
          caseId,
          hospitalId: hospital.id,
          acknowledgedBy: dto.acknowledgedBy,
          acknowledgedAt: now.toISOString(),
        },
        { subject: c.referralId },
      );
      return 'acknowledged';
    });
  }

  /** The patient is back in hospital: the community referral goes on hold (rehab-site), employment pauses. */
  admit(hospital: AuthenticatedHospital, caseId: string) {
    return this.act(hospital, caseId, 'admit', async (c, now) => {
      await this.cases.markReadmitted(caseId, now);
      const eventId = await this.publisher.publish(
        EVENTS.greenReadmitted,
        { referralId: c.referralId, caseId, hospitalId: hospital.id, readmittedAt: now.toISOString() },
        { subject: c.referralId },
      );
      // The referring hospital's timeline (which may not be this hospital's to read): the patient is back in a
      // hospital bed, not which one.
      await this.tx.elevated(() =>
        this.timeline.record(c.referralId, eventId, { step: 'readmitted', occurredAt: now }),
      );
      return 'readmitted';
    });
  }

  /** Declined with a coded reason: the case moves on to the next hospital at once. */
  decline(hospital: AuthenticatedHospital, caseId: string, dto: DeclineGreenCaseDto) {
    return this.act(hospital, caseId, 'decline', async (c, now) => {
      await this.publisher.publish(
        EVENTS.greenDeclined,
        {
          referralId: c.referralId,
          caseId,
          hospitalId: hospital.id,
          reason: dto.reason,
          declinedAt: now.toISOString(),
        },
        { subject: c.referralId },
      );
      // Moving on reads the registry and hands the case to another hospital: the service does it.
      await this.tx.elevated(() => this.ladder.moveOn(c, 'declined', now));
      return 'declined';
    });
  }

  /** One action on a case the hospital holds, in one transaction, with the case locked. */
  private async act(
    hospital: AuthenticatedHospital,
    caseId: string,
    action: GreenCaseAction,
    effect: (c: GreenCaseRecord, now: Date) => Promise<GreenCaseActionResultDto['status']>,
  ): Promise<GreenCaseActionResultDto> {
    return this.tx.run(async () => {
      const c = await this.cases.lock(caseId, { hospitalId: hospital.id });
      if (!c) throw notFound(caseId);
      if (!ALLOWED[c.status].includes(action)) {
        throw new DomainException('ILLEGAL_TRANSITION', 'conflict', `A ${c.status} case cannot ${action}`, {
          status: c.status,
          allowedActions: ALLOWED[c.status],
        });
      }
      const now = this.clock.now();
      const status = await effect(c, now);
      await this.audit.record(hospitalAudit(action, 'U', c.referralId));
      return {
        caseId,
        referralId: c.referralId,
        status,
        allowedActions: status === 'declined' ? [] : ALLOWED[status],
      };
    }, hospitalActor(hospital));
  }
}

function toDto(c: GreenCaseRecord): GreenCaseDto {
  return {
    caseId: c.caseId,
    referralId: c.referralId,
    status: c.status,
    trigger: c.trigger,
    riskLevel: c.observedRiskLevel,
    jointManagement: c.jointManagement,
    route: c.route!,
    step: c.step,
    countyDivisionCode: c.countyDivisionCode,
    reportedAt: c.reportedAt.toISOString(),
    notifiedAt: c.notifiedAt!.toISOString(),
    answerDueAt: c.answerDueAt?.toISOString() ?? null,
    acknowledgedBy: c.acknowledgedBy,
    acknowledgedAt: c.acknowledgedAt?.toISOString() ?? null,
    readmittedAt: c.readmittedAt?.toISOString() ?? null,
    allowedActions: ALLOWED[c.status],
  };
}
