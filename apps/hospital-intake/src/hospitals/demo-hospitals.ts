import { issueApiKey, upsertApiKeys } from '@app/auth';
import { Hospital } from './hospital.types';

/** Demo hospitals of 安康市 (Ankang, Shaanxi; divisions 6109xx) for `npm start`. */
export const DEMO_HOSPITALS: readonly Hospital[] = [
  {
    id: 'ak-mental-health-centre',
    name: '安康市精神卫生中心（安康市第三人民医院）',
    level: 'secondary',
    countyDivisionCode: '610902',
    kind: 'psychiatric',
    onCall: { name: '精神科总值班', phone: '0915-3212120' },
  },
  {
    id: 'ak-central-hospital',
    name: '安康市中心医院',
    level: 'tertiary',
    countyDivisionCode: '610902',
    kind: 'general',
    onCall: { name: '医务科总值班', phone: '0915-3261120' },
  },
  {
    id: 'hanyin-peoples-hospital',
    name: '汉阴县人民医院',
    level: 'secondary',
    countyDivisionCode: '610921',
    kind: 'general',
    onCall: { name: '总值班室', phone: '0915-5212120' },
  },
  {
    id: 'xunyang-peoples-hospital',
    name: '旬阳市人民医院',
    level: 'secondary',
    countyDivisionCode: '610981',
    kind: 'general',
    onCall: { name: '总值班室', phone: '0915-7212120' },
  },
];

type Query = (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

/**
 * Inserts the hospitals that are missing and issues each new one an API key. Returns the new keys (the only
 * time they exist in clear); hospitals already present are left alone.
 */
export async function seedHospitals(
  query: Query,
  schema: string,
  hospitals: readonly Hospital[],
): Promise<{ hospitalId: string; apiKey: string }[]> {
  const s = `"${schema.replace(/"/g, '""')}"`;
  const issued: { hospitalId: string; apiKey: string }[] = [];
  for (const h of hospitals) {
    const { rows } = await query(
      `INSERT INTO ${s}.hospital (id, name, level, county_division_code, kind, on_call_name, on_call_phone)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [h.id, h.name, h.level, h.countyDivisionCode, h.kind, h.onCall.name, h.onCall.phone],
    );
    if (rows.length === 0) continue;
    const key = issueApiKey();
    await upsertApiKeys(query, schema, [
      {
        organisationId: h.id,
        organisationKind: 'hospital',
        organisationName: h.name,
        divisionCode: h.countyDivisionCode,
        apiKey: key.key,
      },
    ]);
    issued.push({ hospitalId: h.id, apiKey: key.key });
  }
  return issued;
}
