import { Inject, Injectable } from '@nestjs/common';
import { EVENTS } from '@app/contracts';
import { AuditEntry, AuditTrail, referralAudit } from '@app/audit';
import {
  chinaDate,
  Clock,
  decodeKeysetCursor,
  DomainException,
  encodeKeysetCursor,
  pageLimit,
} from '@app/core';
import { EventPublisher } from '@app/messaging';
import { Actor, organisationActor, TransactionHost } from '@app/persistence';
import { EMPLOYMENT_REFERRAL_CONFIG, EmploymentReferralConfig } from '../config/employment-referral.config';
import { ProviderRepository } from '../providers/provider.repository';
import {
  AcceptEmploymentDto,
  EmployerContactDto,
  EmploymentDeclineDto,
  EmploymentReferralDto,
  EmploymentReferralPageDto,
  EndEmploymentDto,
  PlacementDto,
  ProviderReferralQuery,
  RetentionCheckDto,
  StartTrainingDto,
} from './dto/employment-referral.dto';
import { allowedActions, assertAllowed, ProviderAction } from './employment-lifecycle';
import {
  EmploymentReferralRecord,
  EmploymentReferralRepository,
  RetentionCheckRecord,
} from './employment-referral.repository';
import { isCalendarDate, retentionSchedule } from './retention-schedule';
import { RetentionCheckRepository } from './retention-check.repository';
import { EmploymentOutcomes } from './employment-outcomes';
import { EmploymentRoutingService } from './routing.service';

function notFound(): DomainException {
  return new DomainException(
    'REFERRAL_NOT_FOUND',
    'not-found',
    'No such employment referral for this provider',
  );
}

/** A provider's request acts for the provider: row-level security shows it only the referrals it holds. */
function providerActor(providerId: string): Actor {
  return organisationActor(providerId, 'employment-provider');
}

const restAudit = (subtype: string, action: 'R' | 'U', referralId: string): AuditEntry =>
  referralAudit('rest', subtype, action, referralId);

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** The provider-facing side: its own employment referrals and the stages it records. */
@Injectable()
export class ProviderReferralsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly referrals: EmploymentReferralRepository,
    private readonly checks: RetentionCheckRepository,
    private readonly providers: ProviderRepository,
    private readonly routing: EmploymentRoutingService,
    private readonly outcomes: EmploymentOutcomes,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(EMPLOYMENT_REFERRAL_CONFIG) private readonly config: EmploymentReferralConfig,
  ) {}

  async list(providerId: string, query: ProviderReferralQuery): Promise<EmploymentReferralPageDto> {
    const limit = pageLimit(query.limit, this.config.pageLimitMax);
    const after = query.cursor ? decodeKeysetCursor(query.cursor) : undefined;
    const { rows, checks } = await this.tx.run(async () => {
      const found = await this.referrals.pageForProvider(providerId, query.status, after, limit + 1);
      const page = found.slice(0, limit);
      await this.audit.recordAll(page.map((r) => restAudit('search', 'R', r.referralId)));
      return { rows: found, checks: await this.checks.forReferrals(page.map((r) => r.referralId)) };
    }, providerActor(providerId));
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => this.view(r, checks)),
      nextCursor:
        rows.length > limit && last?.referredAt ? encodeKeysetCursor(last.referredAt, last.referralId) : null,
    };
  }

  async get(providerId: string, referralId: string): Promise<EmploymentReferralDto> {
    return this.audit.audited(providerActor(providerId), restAudit('read', 'R', referralId), async () => {
      const referral = await this.referrals.findHeldBy(providerId, referralId);
      if (!referral) throw notFound();
      return this.view(referral, await this.checks.forReferrals([referralId]));
    });
  }

  /** Accepts; the employment specialist who takes the person on (a staff code) counts towards IPS caseload. */
  accept(providerId: string, referralId: string, dto: AcceptEmploymentDto): Promise<EmploymentReferralDto> {
    return this.act(providerId, referralId, 'accept', async (referral, now) => {
      await this.referrals.update(referralId, {
        status: 'accepted',
        acceptedAt: now,
        employmentSpecialist: dto.employmentSpecialist ?? null,
      });
      await this.publisher.publish(
        EVENTS.employmentReferralAccepted,
        { referralId, providerId, acceptedAt: now.toISOString() },
        { subject: referralId },
      );
      await this.outcomes.announce(referral, 'accepted', now);
      return referral;
    });
  }

  /** IPS: the first contact with an employer made for the person (the earliest date recorded counts). */
  recordEmployerContact(
    providerId: string,
    referralId: string,
    dto: EmployerContactDto,
  ): Promise<EmploymentReferralDto> {
    if (!isCalendarDate(dto.contactedOn)) {
      throw new DomainException('INVALID_CONTACT_DATE', 'invalid', 'contactedOn is not a calendar date', {
        errors: [{ pointer: '#/contactedOn', detail: 'not a calendar date' }],
      });
    }
    return this.act(providerId, referralId, 'record-employer-contact', async (referral, now) => {
      const today = now.toISOString().slice(0, 10);
      if (dto.contactedOn > today || dto.contactedOn < referral.readyAt.toISOString().slice(0, 10)) {
        throw new DomainException(
          'INVALID_CONTACT_DATE',
          'invalid',
          'contactedOn must lie between readiness and today',
          { errors: [{ pointer: '#/contactedOn', detail: 'before readiness or in the future' }] },
        );
      }
      await this.referrals.recordEmployerContact(referralId, dto.contactedOn);
      return referral;
    });
  }

  /** Declines with a coded reason: never offered to this provider again, re-routed at once (hop limit). */
  async decline(
    providerId: string,
    referralId: string,
    dto: EmploymentDeclineDto,
  ): Promise<EmploymentReferralDto> {
    return this.act(providerId, referralId, 'decline', async (referral, now) => {
      await this.referrals.exclude(referralId, providerId, dto.reasonCode, dto.reasonText, referral.hop, now);
      if (referral.holdsPlace) await this.providers.releasePlace(providerId);
      await this.publisher.publish(
        EVENTS.employmentReferralDeclined,
        {
          referralId,
          providerId,
          reasonCode: dto.reasonCode,
          ...(dto.reasonText ? { reasonText: dto.reasonText } : {}),
          declinedAt: now.toISOString(),
        },
        { subject: referralId },
      );
      // Re-routing hands the referral to another provider: the service does it.
      await this.tx.elevated(() => this.routing.route(referral, now));
      return referral;
    });
  }

  startTraining(
    providerId: string,
    referralId: string,
    dto: StartTrainingDto,
  ): Promise<EmploymentReferralDto> {
    return this.act(providerId, referralId, 'start-training', async (referral, now) => {
      await this.referrals.update(referralId, {
        status: 'training',
        trainingProgramme: dto.programme,
        trainingStartedAt: now,
      });
      await this.publisher.publish(
        EVENTS.employmentTrainingStarted,
        { referralId, providerId, programme: dto.programme, startedAt: now.toISOString() },
        { subject: referralId },
      );
      await this.outcomes.announce(referral, 'training', now);
      return referral;
    });
  }

  /** In a job: retention checks fall due 1, 3 and 6 months after its first day. */
  place(providerId: string, referralId: string, dto: PlacementDto): Promise<EmploymentReferralDto> {
    if (!isCalendarDate(dto.startDate)) {
      throw new DomainException('INVALID_START_DATE', 'invalid', 'startDate is not a calendar date', {
        errors: [{ pointer: '#/startDate', detail: 'not a calendar date' }],
      });
    }
    return this.act(providerId, referralId, 'place', async (referral, now) => {
      // A start more than a year from today either way is a typing slip (a start in 2020 made every retention
      // check overdue at once); a job begun a few weeks before the placement is recorded is not.
      const earliest = chinaDate(new Date(now.getTime() - START_WINDOW_MS));
      const latest = chinaDate(new Date(now.getTime() + START_WINDOW_MS));
      if (dto.startDate < earliest || dto.startDate > latest) {
        throw new DomainException(
          'INVALID_START_DATE',
          'invalid',
          `startDate ${dto.startDate} must lie within a year of today (${earliest} to ${latest})`,
          { errors: [{ pointer: '#/startDate', detail: `not between ${earliest} and ${latest}` }] },
        );
      }
      await this.referrals.update(referralId, {
        status: 'placed',
        placementType: dto.placementType,
        employerName: dto.employerName,
        jobStartDate: dto.startDate,
        placedAt: now,
      });
      await this.checks.cancelOpen(referralId);
      await this.checks.schedule(referralId, providerId, retentionSchedule(dto.startDate));
      await this.publisher.publish(
        EVENTS.employmentPlaced,
        { referralId, providerId, ...dto, placedAt: now.toISOString() },
        { subject: referralId },
      );
      await this.outcomes.announce(referral, 'placed', now, { placementType: dto.placementType });
      return referral;
    });
  }

  /**
   * Records a due retention check. Retained at 6 months: the referral ends (retention-completed). Not
   * retained: the job ended, later checks are dropped and the provider looks for another (back to accepted).
   */
  recordRetentionCheck(
    providerId: string,
    referralId: string,
    dto: RetentionCheckDto,
  ): Promise<EmploymentReferralDto> {
    return this.act(providerId, referralId, 'record-retention-check', async (referral, now) => {
      const [check] = (await this.checks.forReferrals([referralId])).filter((c) => c.month === dto.month);
      if (!check || check.checkedAt) {
        throw new DomainException('RETENTION_CHECK_NOT_OPEN', 'conflict', `No open ${dto.month}-month check`);
      }
      if (check.dueAt > now) {
        throw new DomainException('RETENTION_CHECK_NOT_DUE', 'conflict', 'The check is not due yet', {
          dueAt: check.dueAt.toISOString(),
        });
      }
      await this.checks.record(referralId, dto.month, dto.retained, now);
      await this.publisher.publish(
        EVENTS.employmentRetentionChecked,
        { referralId, providerId, month: dto.month, retained: dto.retained, checkedAt: now.toISOString() },
        { subject: referralId },
      );
      await this.outcomes.announce(referral, 'retention-checked', now, {
        retentionMonth: dto.month,
        retained: dto.retained,
      });
      if (!dto.retained) {
        await this.checks.cancelOpen(referralId);
        await this.referrals.update(referralId, { status: 'accepted' });
      } else if (dto.month === 6) {
        await this.finish(referral, 'retention-completed', now);
      }
      return referral;
    });
  }

  end(providerId: string, referralId: string, dto: EndEmploymentDto): Promise<EmploymentReferralDto> {
    return this.act(providerId, referralId, 'end', async (referral, now) => {
      await this.checks.cancelOpen(referralId);
      await this.finish(referral, dto.reason, now);
      return referral;
    });
  }

  private async finish(
    referral: EmploymentReferralRecord,
    reason: EndEmploymentDto['reason'],
    now: Date,
  ): Promise<void> {
    const { referralId, providerId } = referral;
    if (referral.holdsPlace && providerId) await this.providers.releasePlace(providerId);
    await this.referrals.update(referralId, {
      status: 'ended',
      holdsPlace: false,
      endedAt: now,
      endReason: reason,
    });
    await this.publisher.publish(
      EVENTS.employmentReferralEnded,
      { referralId, ...(providerId ? { providerId } : {}), reason, endedAt: now.toISOString() },
      { subject: referralId },
    );
    await this.outcomes.announce(referral, 'ended', now, { endReason: reason });
  }

  /** Locks the provider's referral, checks the transition table, does the work, answers the referral now. */
  private act(
    providerId: string,
    referralId: string,
    action: ProviderAction,
    work: (referral: EmploymentReferralRecord, now: Date) => Promise<unknown>,
  ): Promise<EmploymentReferralDto> {
    return this.audit.audited(providerActor(providerId), restAudit(action, 'U', referralId), async () => {
      const referral = await this.referrals.lockHeldBy(providerId, referralId);
      if (!referral) throw notFound();
      assertAllowed(referral.status, action);
      await work(referral, this.clock.now());
      const after = await this.referrals.findHeldBy(providerId, referralId);
      // Declined: re-routed to another provider, which this one no longer sees.
      if (!after) return { ...this.view(referral, []), status: 'declined', allowedActions: [] };
      return this.view(after, await this.checks.forReferrals([referralId]));
    });
  }

  private view(r: EmploymentReferralRecord, checks: RetentionCheckRecord[]): EmploymentReferralDto {
    return {
      referralId: r.referralId,
      status: r.status,
      siteId: r.siteId,
      residenceDivisionCode: r.residenceDivisionCode,
      programmes: r.programmes,
      hop: r.hop,
      referredAt: iso(r.referredAt)!,
      acceptedAt: iso(r.acceptedAt),
      trainingProgramme: r.trainingProgramme,
      placement:
        r.placementType && r.employerName && r.jobStartDate
          ? { placementType: r.placementType, employerName: r.employerName, startDate: r.jobStartDate }
          : null,
      retentionChecks: checks
        .filter((c) => c.referralId === r.referralId)
        .map((c) => ({
          month: c.month,
          dueAt: c.dueAt.toISOString(),
          checkedAt: iso(c.checkedAt),
          retained: c.retained,
          overdue: c.overdueAt !== null,
        })),
      endedAt: iso(r.endedAt),
      endReason: r.endReason,
      employmentSpecialist: r.employmentSpecialist,
      firstEmployerContactOn: r.firstEmployerContactOn,
      allowedActions: allowedActions(r.status),
    };
  }
}

/** How far from the day its placement is recorded a job may start, either way. */
const START_WINDOW_MS = 366 * 24 * 3_600_000;
