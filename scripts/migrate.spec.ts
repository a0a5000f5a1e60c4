import { SERVICE_NAMES } from '@app/contracts';
import { DATABASES, main, parseMigrateArgs, UsageError } from './migrate';

describe('parseMigrateArgs', () => {
  it('should migrate every app up, in catalogue order, by default', () => {
    expect(parseMigrateArgs([])).toEqual({ direction: 'up', apps: [...SERVICE_NAMES], help: false });
    expect(parseMigrateArgs(['up']).apps).toEqual([...SERVICE_NAMES]);
  });

  it('should migrate every app down in reverse order', () => {
    expect(parseMigrateArgs(['down'])).toEqual({
      direction: 'down',
      apps: [...SERVICE_NAMES].reverse(),
      help: false,
    });
  });

  it('should migrate only the apps named with --app, in canonical order', () => {
    expect(parseMigrateArgs(['up', '--app', 'registration']).apps).toEqual(['registration']);
    expect(parseMigrateArgs(['--app=registration', 'down']).apps).toEqual(['registration']);
    expect(parseMigrateArgs(['up', '--app', 'rehab-site', '--app', 'hospital-intake']).apps).toEqual([
      'hospital-intake',
      'rehab-site',
    ]);
    expect(parseMigrateArgs(['down', '--app', 'hospital-intake', '--app', 'rehab-site']).apps).toEqual([
      'rehab-site',
      'hospital-intake',
    ]);
  });

  it.each([
    [['sideways'], /unknown direction "sideways"/],
    [['up', 'down'], /one direction at most/],
    [['up', '--app', 'pharmacy'], /unknown app\(s\): pharmacy; known: hospital-intake, registration/],
    [['up', '--app'], /argument missing/],
    [['up', '--steps', '2'], /Unknown option '--steps'/],
  ])('should refuse %j', (argv, message) => {
    expect(() => parseMigrateArgs(argv)).toThrow(UsageError);
    expect(() => parseMigrateArgs(argv)).toThrow(message);
  });

  it('should read --help', () => {
    expect(parseMigrateArgs(['--help']).help).toBe(true);
    expect(parseMigrateArgs(['-h']).help).toBe(true);
  });

  it('should know the schema of every app in the catalogue', () => {
    for (const name of SERVICE_NAMES) expect(DATABASES[name].migrations).not.toHaveLength(0);
  });
});

describe('main', () => {
  let stderr: jest.SpyInstance;

  beforeEach(() => {
    stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => stderr.mockRestore());

  it('should exit 2 with the usage on bad arguments, before touching a database', async () => {
    await expect(main(['sideways'], {})).resolves.toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('usage: migrate'));
  });

  it('should refuse one DB_SCHEMA for several apps', async () => {
    await expect(main(['up'], { DB_SCHEMA: 'shared' })).resolves.toBe(2);
    expect(stderr).toHaveBeenCalledWith(expect.stringContaining('DB_SCHEMA names one schema'));
  });
});
