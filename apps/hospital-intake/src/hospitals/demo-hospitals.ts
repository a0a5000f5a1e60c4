import { issueApiKey, upsertApiKeys } from '@app/auth';
import type { NewHospital } from './hospital.service';

/** Demo hospitals of 安康市 (Ankang, Shaanxi; divisions 6109xx) for `npm start`. */
export const DEMO_HOSPITALS: readonly NewHospital[] = [
  {
    id: 'ak-mental-health-centre',
    name: '安康市精神卫生中心（安康市第三人民医院）',
    level: 'secondary',
    countyDivisionCode: '610902',
    kind: 'psychiatric',
    onCall: { name: '精神科总值班', phone: '0915-3212120' },
    hasPsychiatricWard: true,
    takesGreenCases: true,
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

/**
 * Green-channel designations of the demo: 安康市精神卫生中心 is the psychiatric hospital of the prefecture
 * (610900) and of 汉滨区 (610902), where it stands; counties without a designation of their own fall to the
 * prefecture's. Maintained through `PUT /v1/admin/green-designations/:divisionCode`.
 */
export const DEMO_GREEN_DESIGNATIONS: Readonly<Record<string, readonly string[]>> = {
  '610902': ['ak-mental-health-centre'],
  '610900': ['ak-mental-health-centre'],
};

type Query = (sql: string, params: unknown[]) => Promise<{ rows: unknown[] }>;

/**
 * Inserts the hospitals that are missing and issues each new one an API key. Returns the new keys (the only
 * time they exist in clear); hospitals already present are left alone.
 */
export async function seedHospitals(
  query: Query,
  schema: string,
  hospitals: readonly NewHospital[],
): Promise<{ hospitalId: string; apiKey: string }[]> {
  const s = `"${schema.replace(/"/g, '""')}"`;
  const issued: { hospitalId: string; apiKey: string }[] = [];
  for (const h of hospitals) {
    const { rows } = await query(
      `INSERT INTO ${s}.hospital (id, name, level, county_division_code, kind, on_call_name, on_call_phone,
                                 has_psychiatric_ward, takes_green_cases)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        h.id,
        h.name,
        h.level,
        h.countyDivisionCode,
        h.kind,
        h.onCall.name,
        h.onCall.phone,
        h.hasPsychiatricWard ?? false,
        h.takesGreenCases ?? true,
      ],
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

/** Adds the demo designations that are missing (an existing designation of a division is left alone). */
export async function seedGreenDesignations(
  query: Query,
  schema: string,
  designations: Readonly<Record<string, readonly string[]>>,
): Promise<void> {
  const s = `"${schema.replace(/"/g, '""')}"`;
  for (const [divisionCode, hospitalIds] of Object.entries(designations)) {
    await query(
      `INSERT INTO ${s}.green_designation (division_code, hospital_id, rank)
       SELECT $1, id, rank FROM unnest($2::text[]) WITH ORDINALITY AS d(id, rank)
        WHERE NOT EXISTS (SELECT 1 FROM ${s}.green_designation WHERE division_code = $1)`,
      [divisionCode, hospitalIds],
    );
  }
}
