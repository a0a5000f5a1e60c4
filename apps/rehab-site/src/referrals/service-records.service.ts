import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EVENTS, ReferralServiceRecordedData, ServiceRecordKind } from '@app/contracts';
import { chinaDateTime, CLOCK_SKEW_MS, DomainException, isInFuture } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { GreenChannelService } from '../green-channel/green-channel.service';
import {
  PeriodicAssessmentDto,
  ReferralActionResultDto,
  RehabPlanDto,
  ServiceSessionDto,
} from './dto/referral.dto';
import { ReferralStatus } from './referral-lifecycle';
import { ReferralRepository } from './referral.repository';
import { SiteActions } from './site-actions';
import { SubjectFileService } from './subject-file.service';

/** The subject's file at the holding site: the rehab plan, sessions and periodic assessments (re-grading). */
@Injectable()
export class ServiceRecordsService {
  constructor(
    private readonly referrals: ReferralRepository,
    private readonly publisher: EventPublisher,
    private readonly green: GreenChannelService,
    private readonly actions: SiteActions,
    private readonly file: SubjectFileService,
  ) {}

  /** A plan; its review date starts the periodic-assessment timers (due, then overdue). */
  async recordPlan(siteId: string, referralId: string, dto: RehabPlanDto): Promise<ReferralActionResultDto> {
    const reviewBy = new Date(dto.reviewBy);
    if (reviewBy <= new Date(dto.startsAt)) {
      throw new DomainException('INVALID_REVIEW_DATE', 'invalid', 'reviewBy must be after startsAt', {
        errors: [{ pointer: '#/reviewBy', detail: 'must be after startsAt' }],
      });
    }
    return this.record(siteId, referralId, 'record-plan', 'plan', dto.startsAt, { ...dto }, {}, reviewBy);
  }

  /** A session; the first one moves an accepted referral into service. */
  async recordSession(
    siteId: string,
    referralId: string,
    dto: ServiceSessionDto,
  ): Promise<ReferralActionResultDto> {
    return this.record(
      siteId,
      referralId,
      'record-session',
      'session',
      dto.date,
      { ...dto },
      {
        serviceType: dto.type,
        durationMinutes: dto.durationMinutes,
      },
    );
  }

  async recordAssessment(
    siteId: string,
    referralId: string,
    dto: PeriodicAssessmentDto,
  ): Promise<ReferralActionResultDto> {
    return this.record(
      siteId,
      referralId,
      'record-assessment',
      'assessment',
      dto.assessedAt,
      { ...dto },
      {
        riskLevel: dto.riskLevel,
        conditionStatus: dto.conditionStatus,
      },
    );
  }

  private record(
    siteId: string,
    referralId: string,
    action: 'record-plan' | 'record-session' | 'record-assessment',
    kind: ServiceRecordKind,
    occurredAt: string,
    details: object,
    published: Pick<
      ReferralServiceRecordedData,
      'serviceType' | 'durationMinutes' | 'riskLevel' | 'conditionStatus'
    >,
    planReviewBy?: Date,
  ): Promise<ReferralActionResultDto> {
    return this.actions.run(siteId, referralId, action, async (referral, now) => {
      // A session or an assessment is recorded once it has taken place (a plan may start later).
      if (kind !== 'plan' && isInFuture(Date.parse(occurredAt), now)) {
        const field = kind === 'session' ? 'date' : 'assessedAt';
        throw new DomainException(
          'SERVICE_DATE_IN_FUTURE',
          'invalid',
          `${field} ${occurredAt} is in the future: record a ${kind} once it has taken place`,
          { errors: [{ pointer: `#/${field}`, detail: 'must not be in the future' }] },
        );
      }
      // ...and after the site accepted the referral: a session dated before it would put in-service ahead of
      // accepted on every timeline and count in the indicators of a month the patient was not yet at the site.
      if (
        kind !== 'plan' &&
        referral.acceptedAt &&
        Date.parse(occurredAt) < referral.acceptedAt.getTime() - CLOCK_SKEW_MS
      ) {
        const field = kind === 'session' ? 'date' : 'assessedAt';
        throw new DomainException(
          'SERVICE_DATE_BEFORE_ACCEPTANCE',
          'invalid',
          `${field} ${occurredAt} is before this site accepted the referral (${chinaDateTime(referral.acceptedAt)} Beijing time): record what took place since`,
          {
            errors: [
              { pointer: `#/${field}`, detail: `must not be before ${referral.acceptedAt.toISOString()}` },
            ],
          },
        );
      }
      await this.referrals.addServiceRecord({
        id: randomUUID(),
        referralId,
        siteId,
        kind,
        occurredAt,
        details,
        recordedAt: now,
      });
      // A plan sets the next review date; an assessment meets it (the timers stop until the next plan).
      let reviewBy = referral.reviewBy;
      if (planReviewBy) {
        reviewBy = planReviewBy;
        await this.referrals.setReviewBy(referralId, planReviewBy);
      } else if (kind === 'assessment') {
        reviewBy = null;
        await this.referrals.clearReviewBy(referralId);
      }
      let status: ReferralStatus = kind === 'session' ? 'in-service' : referral.status;
      if (status !== referral.status) await this.referrals.setStatus(referralId, status);
      await this.publisher.publish(
        EVENTS.referralServiceRecorded,
        { referralId, siteId, kind, occurredAt, ...published, recordedAt: now.toISOString() },
        { subject: referralId },
      );
      // Dynamic re-grading: every periodic assessment recomputes the grade; high risk or unstable opens a case.
      const { riskLevel, conditionStatus } = published;
      if (kind === 'assessment' && riskLevel !== undefined && conditionStatus) {
        if (await this.green.regrade(referral, siteId, riskLevel, conditionStatus, now)) {
          status = 'green-channel';
        }
      }
      await this.file.summarise(referralId, siteId, status, reviewBy, now);
      return this.actions.result(referralId, status);
    });
  }
}
