import { Injectable } from '@nestjs/common';
import { organisationActor, systemActor, TransactionHost } from '@app/persistence';
import { EmploymentStatsDto } from './dto/employment-stats.dto';
import { StatsRepository } from './stats.repository';

const STATS_READER = systemActor('employment-stats');

/** IPS-style measures for ops (all providers or one) and for a provider (its own referrals only). */
@Injectable()
export class StatsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly stats: StatsRepository,
  ) {}

  forOps(providerId?: string): Promise<EmploymentStatsDto> {
    return this.tx.run(() => this.measures(providerId), STATS_READER);
  }

  /** As the provider: row-level security keeps every figure to the referrals it holds. */
  forProvider(providerId: string): Promise<EmploymentStatsDto> {
    return this.tx.run(() => this.measures(providerId), organisationActor(providerId, 'employment-provider'));
  }

  private async measures(providerId?: string): Promise<EmploymentStatsDto> {
    const m = await this.stats.measures(providerId);
    const caseloads = m.caseloadPerSpecialist.map((c) => c.caseload);
    return {
      ...m,
      meanCaseloadPerSpecialist:
        caseloads.length === 0
          ? null
          : Math.round((caseloads.reduce((a, b) => a + b, 0) / caseloads.length) * 10) / 10,
      competitiveShare: m.placed === 0 ? null : Math.round((m.placedCompetitive / m.placed) * 1000) / 1000,
    };
  }
}
