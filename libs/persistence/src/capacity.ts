/**
 * Places at an organisation that takes people in limited numbers (a rehab site, an employment provider): a
 * table with `id`, `accepting`, `capacity` and `reserved` columns. These are the only statements that move
 * `reserved`, so concurrent reservations can never overbook and a release never goes below zero.
 */

/**
 * `reserved + 1` only while the row accepts and has a free place, re-checked on the locked row. `table` is the
 * schema-qualified table, `alias` its alias in `returning`, `id` the SQL of the row's id (a placeholder or a
 * subquery). Answers the `returning` columns when a place was taken, no row otherwise.
 */
export function takePlaceSql(table: string, alias: string, id: string, returning: string): string {
  return `UPDATE ${table} ${alias} SET reserved = ${alias}.reserved + 1
           WHERE ${alias}.id = ${id} AND ${alias}.accepting AND ${alias}.reserved < ${alias}.capacity
       RETURNING ${returning}`;
}

/** Gives back one place of the row whose id is `$1` (never below zero). */
export function releasePlaceSql(table: string): string {
  return `UPDATE ${table} SET reserved = reserved - 1 WHERE id = $1 AND reserved > 0`;
}
