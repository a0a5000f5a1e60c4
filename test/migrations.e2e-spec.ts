import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SERVICE_NAMES } from '@app/contracts';
import { TEST_DATABASE_URL, testDatabase, TestDatabase, uniqueName } from '@app/testing';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');

/** Every app's migrations, as built: up, down to nothing, and up again, each in a fresh schema. */
describe('migrations', () => {
  let db: TestDatabase;
  const schemas: string[] = [];

  beforeAll(async () => {
    db = await testDatabase();
  });

  afterAll(async () => {
    await db.dropSchemas(...schemas);
    await db.close();
  });

  const tables = (schema: string) =>
    db.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
      [schema],
    );

  it.each(SERVICE_NAMES)('should apply, revert and re-apply the %s migrations cleanly', async (service) => {
    const schema = uniqueName('m');
    schemas.push(schema);
    const migrate = (direction: string) =>
      run(process.execPath, [join(ROOT, 'dist/apps', service, 'src/migrate.js'), direction], {
        env: { ...process.env, DATABASE_URL: TEST_DATABASE_URL, DB_SCHEMA: schema },
      });

    const up = await migrate('up');
    expect(up.stdout).toMatch(/migration\(s\) applied/);
    const created = (await tables(schema)).map((t) => t.table_name);
    expect(created).toEqual(expect.arrayContaining(['outbox', 'inbox', 'dead_letter', 'schema_migrations']));

    const again = await migrate('up');
    expect(again.stdout).toContain('0 migration(s) applied');

    await migrate('down');
    expect((await tables(schema)).map((t) => t.table_name)).toEqual(['schema_migrations']);
    expect(
      await db.count(
        `SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = $1`,
        [schema],
      ),
    ).toBe(0);

    await migrate('up');
    expect((await tables(schema)).map((t) => t.table_name)).toEqual(created);
  });

  it('should fail with a clear message and a non-zero exit when the database is unreachable', async () => {
    await expect(
      run(process.execPath, [join(ROOT, 'dist/apps/registration/src/migrate.js'), 'up'], {
        env: { ...process.env, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' },
      }),
    ).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('registration migration failed') });
  });
});
