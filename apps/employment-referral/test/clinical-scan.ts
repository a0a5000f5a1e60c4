import { EmploymentHarness } from './harness';

/** Names no employment-referral column, response field or event field may have. */
export const CLINICAL_NAMES = /diagnos|icd|risk|colou?r|grade|hospital|condition|symptom|medicat|psychiatr/i;
/** Values that would be clinical data in any field: ICD-10 F codes and diagnoses. */
export const CLINICAL_VALUES = /\bF\d{2}(\.\d)?\b|精神分裂|双相|抑郁/;

/** Paths of clinical field names or values anywhere in a JSON value. */
export function clinicalFields(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => clinicalFields(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(CLINICAL_NAMES.test(k) ? [`${path}.${k}`] : []),
      ...clinicalFields(v, `${path}.${k}`),
    ]);
  }
  return typeof value === 'string' && CLINICAL_VALUES.test(value) ? [`${path} = ${value}`] : [];
}

/**
 * The data-minimisation check: every column of the service's schema (information_schema), every response
 * body the harness received and every event it wrote carry no clinical name or value.
 */
export async function expectNoClinicalData(world: EmploymentHarness): Promise<void> {
  // The scan itself sees a clinical field when one is there.
  expect(clinicalFields({ items: [{ riskLevel: 1, note: 'F20.0' }] })).toEqual([
    '$.items[0].riskLevel',
    '$.items[0].note = F20.0',
  ]);
  const columns = await world.db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1`,
    [world.service.schema],
  );
  expect(columns.length).toBeGreaterThan(40);
  const clinicalColumns = columns
    .filter((c) => CLINICAL_NAMES.test(c.column_name))
    .map((c) => `${c.table_name}.${c.column_name}`);
  expect(clinicalColumns).toEqual([]);
  expect(world.responses.length).toBeGreaterThan(10);
  expect(world.responses.flatMap((r) => clinicalFields(r.body))).toEqual([]);
  const payloads = await world.db.query<{ payload: string }>(`SELECT payload FROM ${world.schema}.outbox`);
  expect(payloads.length).toBeGreaterThan(10);
  expect(payloads.flatMap((p) => clinicalFields((JSON.parse(p.payload) as { data: unknown }).data))).toEqual(
    [],
  );
}
