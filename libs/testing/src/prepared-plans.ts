/**
 * Plan-cache checks (issue #22): a prepared statement is planned for its first five executions whatever happens;
 * after that Postgres (plan_cache_mode=auto) either keeps its generic plan or plans every call again. A check runs
 * the statement this many times on one connection, then reads how it was planned. For jest specs only: imported
 * as `@app/testing/prepared-plans`, not through the package index, which the build compiles without jest's types.
 */
export const PLAN_CHECK_EXECUTIONS = 16;

/** How Postgres planned one of a connection's prepared statements so far. */
export interface PlanCounts {
  generic: number;
  custom: number;
}

interface Queryable {
  query<T>(sql: string, parameters?: unknown[]): Promise<T>;
}

/**
 * The plan counts of the one prepared statement of this connection (`manager`: a unit of work's, so the
 * connection that ran the statement) whose text matches `like` and not `unlike` (SQL LIKE patterns).
 */
export async function preparedPlanCounts(
  manager: Queryable,
  like: string,
  unlike?: string,
): Promise<PlanCounts> {
  const rows = await manager.query<{ statement: string; generic_plans: string; custom_plans: string }[]>(
    `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
      WHERE statement LIKE $1 AND ($2::text IS NULL OR statement NOT LIKE $2)`,
    [like, unlike ?? null],
  );
  if (rows.length !== 1) {
    throw new Error(
      `expected one prepared statement LIKE ${like}${unlike ? ` NOT LIKE ${unlike}` : ''}, found ${rows.length}:\n` +
        rows.map((r) => r.statement.slice(0, 120)).join('\n'),
    );
  }
  return { generic: Number(rows[0].generic_plans), custom: Number(rows[0].custom_plans) };
}

/**
 * The statement kept its generic plan: at most the five custom plans every prepared statement starts with, and a
 * generic plan for (nearly) every execution after them.
 */
export function expectGenericPlanKept(counts: PlanCounts): void {
  expect(counts.custom).toBeLessThanOrEqual(5);
  expect(counts.generic).toBeGreaterThanOrEqual(PLAN_CHECK_EXECUTIONS - 5);
}
