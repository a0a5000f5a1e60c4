import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { ApplicationRow, RawApplication, toApplication } from '../registrations/application-row';

/** The county centre's work list; application writes go through the registrations feature (which owns the rows). */
@Injectable()
export class AssessmentRequestsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Applications awaiting an assessment from the county centre of a county. */
  async findAwaitingAssessment(countyCode: string, limit: number): Promise<ApplicationRow[]> {
    const rows = await this.tx.manager.query<RawApplication[]>(
      `SELECT * FROM ${this.tx.schema}.application WHERE status = 'assessment-requested' AND residence_division_code LIKE $1
        ORDER BY received_at LIMIT $2`,
      [`${countyCode}%`, limit],
    );
    return rows.map(toApplication);
  }
}
