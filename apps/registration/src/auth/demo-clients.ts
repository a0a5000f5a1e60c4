import { upsertApiKeys } from '@app/auth';
import { OrganisationKind } from './caller';

export interface ApiClientSeed {
  readonly organisationId: string;
  readonly organisationName: string;
  readonly kind: OrganisationKind;
  readonly divisionCode: string;
  readonly apiKey: string;
}

/** Demo organisations of 安康市 (6109xx) and their demo keys (development only; README lists them). */
export const DEMO_CLIENTS: readonly ApiClientSeed[] = [
  {
    organisationId: 'ak-hanbin-county-centre',
    organisationName: '汉滨区精神卫生福利中心',
    kind: 'county-centre',
    divisionCode: '610902',
    apiKey: 'demo-ak-hanbin-county-centre',
  },
  {
    organisationId: 'ak-hanbin-family-portal',
    organisationName: '汉滨区残联 家属自助申请窗口',
    kind: 'family-portal',
    divisionCode: '610902',
    apiKey: 'demo-ak-hanbin-family-portal',
  },
  {
    organisationId: 'ak-hanbin-laocheng-jwh',
    organisationName: '汉滨区老城街道 居委会',
    kind: 'village-committee',
    divisionCode: '610902001',
    apiKey: 'demo-ak-hanbin-laocheng-jwh',
  },
  {
    organisationId: 'ak-xinyuan-social-org',
    organisationName: '安康心援社会工作服务中心',
    kind: 'social-organisation',
    divisionCode: '610902',
    apiKey: 'demo-ak-xinyuan-social-org',
  },
  {
    organisationId: 'ak-shiquan-enterprise',
    organisationName: '石泉县 福利企业',
    kind: 'enterprise',
    divisionCode: '610922',
    apiKey: 'demo-ak-shiquan-enterprise',
  },
];

/** Idempotent upsert of the clients' keys into the service's api_key table (only the sha256 is stored). */
export async function upsertApiClients(
  query: (sql: string, params: unknown[]) => Promise<unknown>,
  schema: string,
  clients: readonly ApiClientSeed[],
): Promise<void> {
  await upsertApiKeys(
    query,
    schema,
    clients.map((c) => ({
      organisationId: c.organisationId,
      organisationKind: c.kind,
      organisationName: c.organisationName,
      divisionCode: c.divisionCode,
      apiKey: c.apiKey,
    })),
  );
}
