import { MixedList, EntitySchema } from 'typeorm';

/** What one service keeps in its own Postgres schema. */
export interface DatabaseDefinition {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly migrations: MixedList<Function | string>;
}
