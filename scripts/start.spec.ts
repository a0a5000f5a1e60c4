import * as path from 'node:path';
import {
  compareVersionsDesc,
  findNatsServer,
  findOnPath,
  findPostgresBinDir,
  formatEndpoint,
  initdbArgs,
  installHint,
  isLoopback,
  listSystemClusters,
  natsServerArgs,
  parseEndpoint,
  parseNatsEndpoints,
  parsePgConfPort,
  pgCtlStartArgs,
  planPostgresStart,
  PostgresPlanInput,
  Probe,
  redactUrl,
} from './local-services';
import {
  appFiles,
  APPS,
  baseUrl,
  childEnv,
  demoKeysBanner,
  describeExit,
  findRepoRoot,
  formatTable,
  isCleanExit,
  isTruthy,
  LinePrefixer,
  parseDemoKeys,
  parseDemoStaff,
  positiveInt,
  prefixFor,
  probeHost,
  readyBanner,
  selectApps,
  staffPagePath,
} from './start';

/** A fake machine: `files` are executables unless listed in `plain`; directories are derived from paths. */
function fakeProbe(
  options: {
    files?: string[];
    plain?: Record<string, string>;
    commands?: Record<string, string>;
  } = {},
): Probe {
  const executables = new Set(options.files ?? []);
  const plain = options.plain ?? {};
  const all = [...executables, ...Object.keys(plain)];
  return {
    isExecutable: (f) => executables.has(f),
    listDir: (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const names = all.filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length).split('/')[0]);
      return [...new Set(names)];
    },
    readFile: (f) => plain[f],
    run: (command, args) => options.commands?.[[command, ...args].join(' ')],
  };
}

const pgBin = (v: string): string[] =>
  ['initdb', 'pg_ctl', 'postgres'].map((b) => `/usr/lib/postgresql/${v}/bin/${b}`);

describe('parseEndpoint', () => {
  it('reads host and port from a postgres URL', () => {
    expect(parseEndpoint('postgres://postgres@127.0.0.1:5433/referral_bus', 5432)).toEqual({
      host: '127.0.0.1',
      port: 5433,
    });
  });

  it('falls back to the default port and accepts postgresql:// and passwords', () => {
    expect(parseEndpoint('postgresql://u:p%40ss@db.internal/referral_bus', 5432)).toEqual({
      host: 'db.internal',
      port: 5432,
    });
  });

  it('strips the brackets of an IPv6 host', () => {
    expect(parseEndpoint('nats://[::1]:4223', 4222)).toEqual({ host: '::1', port: 4223 });
    expect(formatEndpoint({ host: '::1', port: 4223 })).toBe('[::1]:4223');
  });

  it('rejects something that is not a URL without echoing a password', () => {
    expect(() => parseEndpoint('user:secret@nowhere', 5432)).toThrow(/not a valid server URL/);
    expect(() => parseEndpoint('user:secret@nowhere', 5432)).not.toThrow(/secret/);
    expect(() => parseEndpoint('127.0.0.1:5432', 5432)).toThrow(/not a valid server URL/);
  });
});

describe('parseNatsEndpoints', () => {
  it('splits a comma-separated server list', () => {
    expect(parseNatsEndpoints('nats://nats-1:4222, nats://nats-2,tls://nats-3:4443')).toEqual([
      { host: 'nats-1', port: 4222 },
      { host: 'nats-2', port: 4222 },
      { host: 'nats-3', port: 4443 },
    ]);
  });

  it('refuses an empty list', () => {
    expect(() => parseNatsEndpoints(' , ')).toThrow(/empty/);
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/referral_bus')).toBe(
      'postgres://app:***@db:5432/referral_bus',
    );
  });

  it('leaves URLs without a password alone', () => {
    expect(redactUrl('postgres://postgres@127.0.0.1:5432/referral_bus')).toBe(
      'postgres://postgres@127.0.0.1:5432/referral_bus',
    );
  });
});

describe('isLoopback', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1'])('%s is this machine', (host) => {
    expect(isLoopback(host)).toBe(true);
  });

  it.each(['10.0.0.5', 'db.internal', '0.0.0.0', '1270.0.0.1'])('%s is not', (host) => {
    expect(isLoopback(host)).toBe(false);
  });
});

describe('finding binaries', () => {
  it('finds a command on PATH in PATH order', () => {
    const probe = fakeProbe({ files: ['/opt/nats/nats-server', '/usr/local/bin/nats-server'] });
    expect(
      findOnPath('nats-server', ['/usr/bin', '/opt/nats', '/usr/local/bin'].join(path.delimiter), probe),
    ).toBe('/opt/nats/nats-server');
  });

  it('falls back to /usr/sbin/nats-server, which is often not on PATH', () => {
    const probe = fakeProbe({ files: ['/usr/sbin/nats-server'] });
    expect(findNatsServer('/usr/bin:/bin', probe)).toBe('/usr/sbin/nats-server');
    expect(findNatsServer('/usr/bin:/bin', fakeProbe())).toBeUndefined();
  });

  it('takes the Postgres bin dir from pg_config --bindir', () => {
    const probe = fakeProbe({
      files: ['/usr/bin/pg_config', ...pgBin('15')],
      commands: { '/usr/bin/pg_config --bindir': '/usr/lib/postgresql/15/bin\n' },
    });
    expect(findPostgresBinDir('/usr/bin', probe)).toBe('/usr/lib/postgresql/15/bin');
  });

  it('falls back to the newest /usr/lib/postgresql/<version>/bin that has the server binaries', () => {
    const probe = fakeProbe({ files: [...pgBin('9.6'), ...pgBin('15'), '/usr/lib/postgresql/16/bin/psql'] });
    expect(findPostgresBinDir('/usr/bin', probe)).toBe('/usr/lib/postgresql/15/bin');
  });

  it('ignores a pg_config whose bindir lacks the server (client-only install)', () => {
    const probe = fakeProbe({
      files: ['/usr/bin/pg_config'],
      commands: { '/usr/bin/pg_config --bindir': '/usr/bin\n' },
    });
    expect(findPostgresBinDir('/usr/bin', probe)).toBeUndefined();
  });

  it('sorts versions newest first, numerically', () => {
    expect(['9.6', '15', '10', '16'].sort(compareVersionsDesc)).toEqual(['16', '15', '10', '9.6']);
  });
});

describe('system clusters', () => {
  it('reads the port of postgresql.conf, ignoring comments', () => {
    expect(parsePgConfPort('#port = 5433\nport = 5434\t\t# (change requires restart)\n')).toBe(5434);
    expect(parsePgConfPort("port = '5435'")).toBe(5435);
    expect(parsePgConfPort('#port = 5433\n')).toBe(5432);
  });

  it('lists /etc/postgresql/<version>/<cluster> with their ports', () => {
    const probe = fakeProbe({
      plain: {
        '/etc/postgresql/15/main/postgresql.conf': 'port = 5432\n',
        '/etc/postgresql/15/other/postgresql.conf': 'port = 5440\n',
      },
    });
    expect(listSystemClusters(probe)).toEqual([
      { version: '15', name: 'main', port: 5432 },
      { version: '15', name: 'other', port: 5440 },
    ]);
  });
});

describe('planPostgresStart', () => {
  const base: PostgresPlanInput = {
    port: 5432,
    isRoot: false,
    clusters: [],
    binDir: '/usr/lib/postgresql/15/bin',
    hasPostgresUser: true,
    hasRunuser: true,
  };
  const main15 = { version: '15', name: 'main', port: 5432 };

  it('as root, prefers the packaged cluster listening on the wanted port', () => {
    expect(planPostgresStart({ ...base, isRoot: true, clusters: [main15] })).toEqual({
      kind: 'system-cluster',
      cluster: main15,
    });
  });

  it('as root with no cluster on that port, runs a local one as the postgres user', () => {
    expect(planPostgresStart({ ...base, isRoot: true, port: 5544, clusters: [main15] })).toEqual({
      kind: 'local',
      binDir: '/usr/lib/postgresql/15/bin',
      runAsPostgresUser: true,
    });
  });

  it('as an ordinary user, runs a local one directly', () => {
    expect(planPostgresStart({ ...base, clusters: [main15] })).toEqual({
      kind: 'local',
      binDir: '/usr/lib/postgresql/15/bin',
      runAsPostgresUser: false,
    });
  });

  it('is unavailable without server binaries', () => {
    expect(planPostgresStart({ ...base, binDir: undefined })).toMatchObject({ kind: 'unavailable' });
  });

  it('is unavailable as root when there is no postgres user to run it as', () => {
    expect(planPostgresStart({ ...base, isRoot: true, hasPostgresUser: false })).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringMatching(/refuses to run as root/),
    });
  });
});

describe('server command lines', () => {
  const e = { host: '127.0.0.1', port: 4222 };

  it('nats-server: loopback only, JetStream, store under .local', () => {
    expect(natsServerArgs(e, '/repo/.local/nats', '/repo/.local/nats.pid')).toEqual([
      '-a',
      '127.0.0.1',
      '-p',
      '4222',
      '-js',
      '-sd',
      '/repo/.local/nats',
      '-P',
      '/repo/.local/nats.pid',
    ]);
  });

  it('initdb: superuser postgres with trust auth', () => {
    expect(initdbArgs('/repo/.local/pg')).toEqual(
      expect.arrayContaining(['-D', '/repo/.local/pg', '-U', 'postgres']),
    );
    expect(initdbArgs('/repo/.local/pg')).toContain('--auth=trust');
  });

  it('pg_ctl: port, socket dir and listen address passed to the server', () => {
    const args = pgCtlStartArgs('/repo/.local/pg', '/repo/.local/pg.log', { host: '127.0.0.1', port: 5433 });
    expect(args.slice(0, 4)).toEqual(['-D', '/repo/.local/pg', '-l', '/repo/.local/pg.log']);
    expect(args[args.indexOf('-o') + 1]).toBe('-p 5433 -k /tmp -c listen_addresses=127.0.0.1');
    expect(args[args.length - 1]).toBe('start');
  });
});

describe('installHint', () => {
  it('says which package to install and which variable to set instead', () => {
    expect(installHint('postgres', false)).toContain('sudo apt-get install -y postgresql');
    expect(installHint('postgres', false)).toContain('DATABASE_URL=');
    expect(installHint('nats', true)).toContain('  apt-get install -y nats-server');
    expect(installHint('nats', true)).not.toContain('sudo');
    expect(installHint('nats', true)).toContain('NATS_URL=');
  });
});

describe('selectApps', () => {
  it('runs every app by default', () => {
    expect(selectApps(APPS, undefined).map((a) => a.name)).toEqual([
      'hospital-intake',
      'registration',
      'rehab-site',
      'employment-referral',
      'ops-monitor',
    ]);
    expect(selectApps(APPS, ' ')).toHaveLength(5);
  });

  it('keeps the canonical order and ports for a subset', () => {
    expect(selectApps(APPS, 'ops-monitor, hospital-intake')).toEqual([
      { name: 'hospital-intake', port: 3001 },
      { name: 'ops-monitor', port: 3005 },
    ]);
  });

  it('names unknown apps', () => {
    expect(() => selectApps(APPS, 'hospital-intake,billing')).toThrow(/unknown app\(s\): billing/);
  });
});

describe('small helpers', () => {
  it('isTruthy', () => {
    expect(['1', 'true', 'YES', 'on'].map(isTruthy)).toEqual([true, true, true, true]);
    expect(['0', 'false', '', undefined].map(isTruthy)).toEqual([false, false, false, false]);
  });

  it('positiveInt', () => {
    expect(positiveInt('2500', 10)).toBe(2500);
    expect(positiveInt(undefined, 10)).toBe(10);
    expect(positiveInt('', 10)).toBe(10);
    expect(positiveInt('-5', 10)).toBe(10);
    expect(positiveInt('1.5', 10)).toBe(10);
  });

  it('findRepoRoot walks up to the package.json (dist/scripts → repo root)', () => {
    const exists = (f: string): boolean => f === '/repo/package.json';
    expect(findRepoRoot('/repo/dist/scripts', exists)).toBe('/repo');
    expect(() => findRepoRoot('/elsewhere', exists)).toThrow(/no package.json/);
  });

  it('appFiles mirrors the source tree under dist', () => {
    expect(appFiles('/repo', 'rehab-site')).toEqual({
      main: '/repo/dist/apps/rehab-site/src/main.js',
      migrate: '/repo/dist/apps/rehab-site/src/migrate.js',
      seed: '/repo/dist/apps/rehab-site/src/seed.js',
    });
  });

  it('probeHost maps wildcard binds to loopback', () => {
    expect(probeHost(undefined)).toBe('127.0.0.1');
    expect(probeHost('0.0.0.0')).toBe('127.0.0.1');
    expect(probeHost('::')).toBe('::1');
    expect(probeHost('10.1.2.3')).toBe('10.1.2.3');
    expect(baseUrl('::1', 3001)).toBe('http://[::1]:3001');
  });

  it('childEnv sets the app port and the resolved server URLs over the inherited env', () => {
    const env = childEnv(
      { PATH: '/bin', HTTP_PORT: '9999', LOG_LEVEL: 'debug' },
      { name: 'registration', port: 3002 },
      { databaseUrl: 'postgres://x@127.0.0.1:5432/db', natsUrl: 'nats://127.0.0.1:4222' },
    );
    expect(env).toEqual({
      PATH: '/bin',
      LOG_LEVEL: 'debug',
      HTTP_PORT: '3002',
      DATABASE_URL: 'postgres://x@127.0.0.1:5432/db',
      NATS_URL: 'nats://127.0.0.1:4222',
    });
  });

  it('describes and classifies child exits', () => {
    expect(describeExit(3, null)).toBe('exit code 3');
    expect(describeExit(null, 'SIGKILL')).toBe('killed by SIGKILL');
    expect(isCleanExit(0, null)).toBe(true);
    expect(isCleanExit(null, 'SIGTERM')).toBe(true);
    expect(isCleanExit(1, null)).toBe(false);
    expect(isCleanExit(null, 'SIGKILL')).toBe(false);
  });
});

describe('LinePrefixer', () => {
  it('prefixes whole lines and holds a partial one until it completes', () => {
    const out: string[] = [];
    const p = new LinePrefixer('[registration]', (t) => out.push(t));
    p.push('first\r\nsec');
    p.push('ond\nthi');
    expect(out.join('')).toBe('[registration] first\n[registration] second\n');
    p.flush();
    expect(out.join('')).toBe('[registration] first\n[registration] second\n[registration] thi\n');
    p.flush();
    expect(out).toHaveLength(3);
  });

  it('does not hold an endless line forever', () => {
    const out: string[] = [];
    const p = new LinePrefixer('[x]', (t) => out.push(t), 8);
    p.push('0123456789');
    expect(out.join('')).toBe('[x] 0123456789\n');
  });

  it('pads and colours prefixes', () => {
    expect(prefixFor('registration', 15, 0, false)).toBe('[registration]   ');
    expect(prefixFor('x', 1, 0, true)).toBe('\u001b[36m[x]\u001b[0m');
  });
});

describe('tables and banner', () => {
  it('aligns columns', () => {
    expect(
      formatTable(
        ['app', 'status'],
        [
          ['hospital-intake', '200'],
          ['ops-monitor', 'ECONNREFUSED'],
        ],
      ),
    ).toBe(
      [
        'app              status',
        '---------------  ------------',
        'hospital-intake  200',
        'ops-monitor      ECONNREFUSED',
      ].join('\n'),
    );
  });

  it('lists docs, metrics and readiness URLs per app', () => {
    const banner = readyBanner([{ name: 'rehab-site', port: 3003 }], '127.0.0.1', true);
    expect(banner).toContain('ready');
    expect(banner).toMatch(
      /rehab-site\s+http:\/\/127\.0\.0\.1:3003\/docs\s+http:\/\/127\.0\.0\.1:3003\/metrics\s+http:\/\/127\.0\.0\.1:3003\/health\/ready/,
    );
    expect(readyBanner([{ name: 'rehab-site', port: 3003 }], '127.0.0.1', false)).toContain('START_NO_WAIT');
  });
});

describe('demo keys', () => {
  const hospitalSeed = [
    'hospital-intake seed: 4 demo hospitals, 2 new',
    '  ak-mental-health-centre  X-API-Key: rbk_abcd1234_secret',
    '  ak-central-hospital  X-API-Key: rbk_efgh5678_secret',
    '',
  ].join('\n');
  const registrationSeed = [
    'registration seed: 5 demo API clients',
    '  ak-hanbin-county-centre [county-centre]  X-API-Key: demo-ak-hanbin-county-centre',
    '',
  ].join('\n');
  const siteSeed = [
    'rehab-site seed: 安康市 10 county centres, 3 street/township sites, 4 community stations (0 new)',
    '  demo key cc-610902 (汉滨区精神卫生福利中心): X-API-Key: demo_0123456789abcdef',
    "  every seeded site's demo key is demo_ + the first 40 hex of sha256(...); directory admin: an ops-admin JWT",
    '',
  ].join('\n');

  it('reads the keys each seed printed, with the organisation kind', () => {
    expect(parseDemoKeys('hospital-intake', hospitalSeed)).toEqual([
      { organisation: 'ak-mental-health-centre', kind: 'hospital', key: 'rbk_abcd1234_secret' },
      { organisation: 'ak-central-hospital', kind: 'hospital', key: 'rbk_efgh5678_secret' },
    ]);
    expect(parseDemoKeys('registration', registrationSeed)).toEqual([
      {
        organisation: 'ak-hanbin-county-centre',
        kind: 'county-centre',
        key: 'demo-ak-hanbin-county-centre',
      },
    ]);
    expect(parseDemoKeys('rehab-site', siteSeed)).toEqual([
      { organisation: 'cc-610902', kind: 'site', key: 'demo_0123456789abcdef' },
    ]);
    expect(
      parseDemoKeys('hospital-intake', 'hospital-intake seed: skipped in production (no demo keys)\n'),
    ).toEqual([]);
  });

  it('prints a table of organisation, kind and key and the ops token command', () => {
    const keys = [
      ...parseDemoKeys('hospital-intake', hospitalSeed),
      ...parseDemoKeys('rehab-site', siteSeed),
    ];
    const banner = demoKeysBanner(keys, ['hospital-intake', 'rehab-site'], {});
    expect(banner).toMatch(/^organisation\s+kind\s+key$/m);
    expect(banner).toMatch(/^ak-mental-health-centre\s+hospital\s+rbk_abcd1234_secret$/m);
    expect(banner).toMatch(/^cc-610902\s+site\s+demo_0123456789abcdef$/m);
    expect(banner).toContain('npm run -s ops:token -- --role ops-admin');
    expect(banner).not.toContain('only by the run that issues them');
  });

  it('says why hospital keys are missing when this run issued none', () => {
    expect(demoKeysBanner([], ['hospital-intake'], {})).toContain('only by the run that issues them');
    expect(demoKeysBanner([], ['rehab-site'], {})).not.toContain('only by the run that issues them');
  });
  it("should take each app's staff page path from the service catalogue", () => {
    expect(staffPagePath('rehab-site')).toBe('/workbench');
    expect(staffPagePath('hospital-intake')).toBe('/desk');
    expect(staffPagePath('registration')).toBe('');
    expect(staffPagePath('no-such-app')).toBe('');
  });

  it('should read the demo staff sign-ins a seed printed and list them in the banner', () => {
    const staff = parseDemoStaff(
      'rehab-site',
      'rehab-site seed: …\n  demo staff cc-610902: username cc-610902.coordinator password demo-0123456789abcdef01234567\n',
    );
    expect(staff).toEqual([
      {
        app: 'rehab-site',
        organisation: 'cc-610902',
        username: 'cc-610902.coordinator',
        password: 'demo-0123456789abcdef01234567',
      },
    ]);
    expect(demoKeysBanner([], ['rehab-site'], {}, staff)).toMatch(
      /\/workbench\s+cc-610902\s+cc-610902\.coordinator\s+demo-0123456789abcdef01234567/,
    );
    expect(
      demoKeysBanner([], ['rehab-site'], {}, staff, (app) => `http://127.0.0.1:3003${staffPagePath(app)}`),
    ).toContain('http://127.0.0.1:3003/workbench');
    expect(demoKeysBanner([], ['rehab-site'], { NODE_ENV: 'production' }, staff)).toBe('');
  });

  it('prints nothing in production, whatever the seeds printed', () => {
    const keys = parseDemoKeys('hospital-intake', hospitalSeed);
    expect(demoKeysBanner(keys, ['hospital-intake'], { NODE_ENV: 'production' })).toBe('');
  });

  it('offers no ops token command when tokens come from an identity provider', () => {
    expect(demoKeysBanner([], [], { OPS_JWT_PUBLIC_KEY: '-----BEGIN PUBLIC KEY-----' })).not.toContain(
      'ops:token',
    );
  });
});
