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

/** A row's fields, with JSON held in text columns (outbox payloads, webhook bodies) opened. */
function opened(value: unknown): unknown {
  if (typeof value === 'string' && /^\s*[{[]/.test(value)) {
    try {
      return opened(JSON.parse(value));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(opened);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, opened(v)]));
  }
  return value;
}

export interface ClinicalScan {
  columns: number;
  /** Rows read from every table of the schema. */
  rows: number;
  responses: number;
  events: number;
  /** Every clinical column, response field or event field found (`table.column`, `response[n]…`, `event[n]…`). */
  found: string[];
}

/**
 * The data-minimisation scan: every column of the service's schema (information_schema), the contents of every
 * row of every table (JSON in text columns opened), every response body the harness received and every event
 * the service wrote.
 */
export async function scanForClinicalData(world: EmploymentHarness): Promise<ClinicalScan> {
  const columns = await world.db.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = $1`,
    [world.service.schema],
  );
  const payloads = await world.db.query<{ payload: string }>(`SELECT payload FROM ${world.schema}.outbox`);
  const tables = [...new Set(columns.map((c) => c.table_name))].sort();
  const rows: { table: string; row: unknown }[] = [];
  for (const table of tables) {
    const found = await world.db.query<{ row: unknown }>(
      `SELECT row_to_json(t) AS row FROM ${world.schema}."${table}" t`,
    );
    rows.push(...found.map(({ row }) => ({ table, row })));
  }
  return {
    columns: columns.length,
    rows: rows.length,
    responses: world.responses.length,
    events: payloads.length,
    found: [
      ...columns
        .filter((c) => CLINICAL_NAMES.test(c.column_name))
        .map((c) => `${c.table_name}.${c.column_name}`),
      ...rows.flatMap(({ table, row }, i) => clinicalFields(opened(row), `${table}[${i}]`)),
      ...world.responses.flatMap((r, i) => clinicalFields(r.body, `response[${i}]`)),
      ...payloads.flatMap((p, i) =>
        clinicalFields((JSON.parse(p.payload) as { data: unknown }).data, `event[${i}]`),
      ),
    ],
  };
}
