import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { Caller, OrganisationKind } from './api-key';

@Injectable()
export class ApiClientRepository {
  constructor(private readonly tx: TransactionHost) {}

  async findActiveByHash(keyHash: string): Promise<(Caller & { keyHash: string }) | undefined> {
    const rows = await this.tx.manager.query<
      {
        organisation_id: string;
        organisation_name: string;
        organisation_kind: OrganisationKind;
        division_code: string;
        key_hash: string;
      }[]
    >(
      `SELECT organisation_id, organisation_name, organisation_kind, division_code, key_hash
         FROM ${this.tx.schema}.api_client WHERE key_hash = $1 AND active`,
      [keyHash],
    );
    const r = rows[0];
    return r
      ? {
          organisationId: r.organisation_id,
          organisationName: r.organisation_name,
          kind: r.organisation_kind,
          divisionCode: r.division_code,
          keyHash: r.key_hash,
        }
      : undefined;
  }
}
