import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CONSUMERS, EVENTS, SERVICE_NAMES, SERVICES } from '@app/contracts';
import {
  ensureRouteCredentials,
  nkeyVariableOf,
  providerPermissions,
  renderNatsConfig,
  servicePermissions,
  sitePermissions,
  Topology,
} from '@app/messaging';
import {
  HOSPITALS_FILE,
  main,
  NATS_CONFIG_DIR,
  PROVIDERS_FILE,
  readIdList,
  SITES_FILE,
} from './generate-nats-config';

const root = path.resolve(__dirname, '..');

describe('generate-nats-config', () => {
  it('should match the committed docker/nats/auth.conf and tls.conf (run npm run nats:config)', () => {
    const files = renderNatsConfig({
      sites: readIdList(path.join(root, SITES_FILE)),
      providers: readIdList(path.join(root, PROVIDERS_FILE)),
      hospitals: readIdList(path.join(root, HOSPITALS_FILE)),
    });

    for (const [name, content] of Object.entries(files)) {
      expect(fs.readFileSync(path.join(root, NATS_CONFIG_DIR, name), 'utf8')).toBe(content);
    }
  });

  it('should reference every user key as an environment variable, never a literal key or seed', () => {
    const auth = renderNatsConfig({ sites: ['cc-610902'], hospitals: ['h1'] })['auth.conf'];

    for (const user of [...SERVICE_NAMES, 'site-cc-610902', 'hospital-h1', 'admin']) {
      expect(auth).toContain(`nkey: $${nkeyVariableOf(user)}\n`);
    }
    expect(auth).not.toMatch(/\bS[UA][A-Z2-7]{56}\b/);
    expect(auth).not.toMatch(/"_INBOX\.>"/);
  });

  it('should write literal public keys when given and refuse something that is not one', () => {
    const key = 'UBLBQDJCVEP266WYH3MCD6AMXMENZ5XQQ53E43RTRF2I32RMK2TD3PPY';

    expect(renderNatsConfig({ publicKeys: { admin: key } })['auth.conf']).toContain(`nkey: ${key}\n`);
    expect(() => renderNatsConfig({ publicKeys: { admin: 'SUAOHBJW' } })).toThrow(/not a user public nkey/);
  });

  it('should turn on client-certificate verification only when asked', () => {
    expect(renderNatsConfig()['tls.conf']).toContain('verify: false');
    expect(renderNatsConfig({ tlsVerify: true })['tls.conf']).toContain('verify: true');
  });

  it('should make routes authenticate with the password from the environment and run over verified TLS', () => {
    const cluster = renderNatsConfig()['cluster.conf'];
    expect(cluster).toMatch(/authorization \{\n {2}user: route\n {2}password: \$RB_ROUTE_PASSWORD\n/);
    expect(cluster).toMatch(/tls \{[^}]*verify: true/);
    for (const n of [1, 2, 3]) {
      const node = fs.readFileSync(path.join(root, NATS_CONFIG_DIR, `nats-${n}.conf`), 'utf8');
      expect(node).toMatch(/cluster \{[^}]*include \.\/cluster\.conf/);
      expect(node).toContain('$RB_ROUTE_NATS_1');
      expect(node).not.toMatch(/nats-route:\/\/nats-/);
    }
  });

  it('should keep one random route password and write route URLs with it, readable by the owner only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'route-'));
    const file = ensureRouteCredentials(dir);
    const first = fs.readFileSync(file, 'utf8');
    const password = /^RB_ROUTE_PASSWORD=([0-9a-f]{64})$/m.exec(first)?.[1];
    expect(password).toBeDefined();
    expect(first).toContain(`RB_ROUTE_NATS_2=nats-route://route:${password}@nats-2:6222\n`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(ensureRouteCredentials(dir), 'utf8')).toBe(first);
    expect(
      fs.readFileSync(ensureRouteCredentials(fs.mkdtempSync(path.join(os.tmpdir(), 'route-'))), 'utf8'),
    ).not.toBe(first);
  });

  it("should rotate one user's nkey and the route password when their files are deleted (docs/operations.md#rotating-keys)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nats-rotate-'));
    const keys = path.join(dir, 'keys');
    const run = () => main(['--out', path.join(dir, 'conf'), '--keys', keys]);
    const publicKeys = () =>
      new Map(
        fs
          .readFileSync(path.join(keys, 'nkeys.env'), 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split('=') as [string, string]),
      );
    const quiet = jest.spyOn(process.stdout, 'write').mockReturnValue(true);
    try {
      expect(run()).toBe(0);
      const before = publicKeys();
      const route = fs.readFileSync(path.join(keys, 'route.env'), 'utf8');
      const seed = fs.readFileSync(path.join(keys, 'rehab-site.nk'), 'utf8');
      expect(run()).toBe(0); // re-running rotates nothing
      expect(publicKeys()).toEqual(before);

      fs.rmSync(path.join(keys, 'rehab-site.nk'));
      fs.rmSync(path.join(keys, 'route.env'));
      expect(run()).toBe(0);
      const after = publicKeys();
      const variable = nkeyVariableOf('rehab-site');
      expect(after.get(variable)).toMatch(/^U[A-Z2-7]{55}$/);
      expect(after.get(variable)).not.toBe(before.get(variable));
      expect(fs.readFileSync(path.join(keys, 'rehab-site.nk'), 'utf8')).not.toBe(seed);
      for (const [name, key] of before) if (name !== variable) expect(after.get(name)).toBe(key);
      expect(fs.readFileSync(path.join(keys, 'route.env'), 'utf8')).not.toBe(route);
    } finally {
      quiet.mockRestore();
    }
  });

  it('should read id lists without comments and blank lines', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ids-')), 'sites.txt');
    fs.writeFileSync(file, '# sites\ncc-1\n\n  ss-2  # street site\n');

    expect(readIdList(file)).toEqual(['cc-1', 'ss-2']);
    expect(readIdList(`${file}.absent`)).toEqual([]);
  });
});

describe('NATS permissions from the registry', () => {
  const topology = new Topology('ns');

  it('should let a service publish exactly the events it produces plus the shared ops records', () => {
    const publish = servicePermissions(SERVICES.registration, topology).publish;
    const events = Object.values(EVENTS).filter((e) => publish.includes(`ns.${e.subject}`));

    expect(events.map((e) => e.subject).sort()).toEqual(
      [
        ...Object.values(EVENTS)
          .filter((e) => e.producer === SERVICES.registration)
          .map((e) => e.subject),
        'dlq.recorded',
        'ops.alert.raised',
      ].sort(),
    );
  });

  it('should give rehab-site every site (one token) but nothing past the event name', () => {
    const publish = servicePermissions(SERVICES.rehabSite, topology).publish;

    expect(publish).toContain('ns.site.*.referral.assigned');
    expect(publish).toContain('ns.site.*.referral.revoked');
    expect(publish.filter((s) => s.startsWith('ns.site.') && s.endsWith('>'))).toEqual([]);
  });

  it('should grant each durable to its owner only', () => {
    for (const consumer of Object.values(CONSUMERS)) {
      const next = `$JS.API.CONSUMER.MSG.NEXT.ns_${consumer.stream}.ns_${consumer.durable}`;
      for (const service of SERVICE_NAMES) {
        expect([service, servicePermissions(service, topology).publish.includes(next)]).toEqual([
          service,
          service === consumer.service,
        ]);
      }
    }
  });

  it('should pin a site to its own subjects and its own durable', () => {
    const site = sitePermissions('cc-1', topology);

    expect(site.subscribe).toEqual(['_INBOX.site-cc-1.>', 'ns.site.cc-1.>']);
    expect(site.publish).toEqual(
      [
        '$JS.ACK.ns_SITE.ns_site__cc-1.>',
        '$JS.API.CONSUMER.CREATE.ns_SITE.ns_site__cc-1.ns.site.cc-1.>',
        '$JS.API.CONSUMER.INFO.ns_SITE.ns_site__cc-1',
        '$JS.API.CONSUMER.MSG.NEXT.ns_SITE.ns_site__cc-1',
      ].sort(),
    );
    expect(() => sitePermissions('a.b', topology)).toThrow(/invalid site id/);
  });

  it("should pin an employment provider to its own subjects and durable, never another provider's", () => {
    const provider = providerPermissions('ep-a', topology);

    expect(provider.subscribe).toEqual(['_INBOX.provider-ep-a.>', 'ns.provider.ep-a.>']);
    expect(provider.publish).toEqual(
      [
        '$JS.ACK.ns_PROVIDER.ns_provider__ep-a.>',
        '$JS.API.CONSUMER.CREATE.ns_PROVIDER.ns_provider__ep-a.ns.provider.ep-a.>',
        '$JS.API.CONSUMER.INFO.ns_PROVIDER.ns_provider__ep-a',
        '$JS.API.CONSUMER.MSG.NEXT.ns_PROVIDER.ns_provider__ep-a',
      ].sort(),
    );
    const granted = [...provider.publish, ...provider.subscribe].join(' ');
    expect(granted).not.toContain('ep-b');
    expect(granted).not.toMatch(/provider\.\*|provider\.>/);
    expect(() => providerPermissions('a.b', topology)).toThrow(/invalid provider id/);
  });
});
