import { execFile } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { nkeyVariableOf, renderNatsConfig, siteUserName } from '@app/messaging';
import {
  closeServices,
  DEMO_RESIDENCE,
  dischargeRequest,
  opsHeaders,
  ServiceUnderTest,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
  webhookReceiver,
  WebhookReceiver,
} from '@app/testing';
import { AppModule as EmploymentModule } from '@apps/employment-referral/src/app.module';
import { DATABASE as EMPLOYMENT_DB } from '@apps/employment-referral/src/database';
import { AppModule as IntakeModule } from '@apps/hospital-intake/src/app.module';
import { DATABASE as INTAKE_DB } from '@apps/hospital-intake/src/database';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies

const CLI = join(__dirname, '../dist/scripts/onboard.js');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `npm run onboard` as an operator runs it: the built CLI as a child process against hospital-intake,
 * registration, rehab-site and employment-referral booted in-process on one bus namespace. A hospital, a site
 * and a provider are onboarded from JSON files shaped like real ones (安康市汉滨区, 610902); the printed keys
 * then work: the hospital's discharge is routed to the onboarded site, which lists it with its own key, and the
 * provider lists its (empty) referrals. Bad files exit 1 with a precise message and create nothing; a re-run
 * exits 1, or 0 with --if-missing; --nats-user writes a least-privilege NATS user into the generated config.
 */
describe('npm run onboard: a hospital, a site and a provider without SQL', () => {
  const namespace = uniqueName('onb');
  const services = new Map<string, ServiceUnderTest>();
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'onboard-'));
  const suffix = randomUUID().slice(0, 6);
  const hospitalId = `ak-hb-mhc-${suffix}`;
  const siteId = `ak-610902001003-${suffix}`;
  const providerId = `ep-610902-${suffix}`;
  let db: TestDatabase;
  let hook: WebhookReceiver;
  let ops: Record<string, string> = {};
  let env: NodeJS.ProcessEnv = {};

  const url = (service: string) => services.get(service)!.url;
  async function call(
    service: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: unknown,
  ) {
    const response = await fetch(`${url(service)}${path}`, {
      method,
      headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    const parsed: Json = text ? JSON.parse(text) : undefined;
    return { status: response.status, body: parsed };
  }
  const file = (name: string, content: unknown): string => {
    const path = join(dir, name);
    fs.writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
    return path;
  };
  const onboard = (...args: string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      );
    });
  const apiKeyIn = (run: Run): string => {
    const key = /API key \(X-API-Key\): (\S+)/.exec(run.stdout)?.[1];
    if (!key) throw new Error(`no API key printed:\n${run.stdout}\n${run.stderr}`);
    return key;
  };

  const hospitalFile = () => ({
    id: hospitalId,
    name: '安康市汉滨区精神卫生中心',
    level: 'secondary',
    countyDivisionCode: '610902',
    kind: 'psychiatric',
    onCall: { name: '精神科总值班', phone: '0915-3212120' },
    takesGreenCases: true,
    webhookUrl: hook.url,
  });
  const siteFile = {
    id: siteId,
    name: '汉滨区老城街道育才社区精康驿站',
    level: 'community-station',
    areaCodes: [DEMO_RESIDENCE],
    services: ['day-care', 'social-skills', 'family-support'],
    maxRiskLevel: 2,
    capacity: 20,
    contactAddress: '陕西省安康市汉滨区老城街道育才路12号',
    contactPhone: '0915-3212345',
  };
  const providerFile = {
    id: providerId,
    name: '汉滨区残疾人就业服务中心',
    areaCodes: ['610902'],
    programmes: ['vocational-training', 'supported-employment'],
    capacity: 30,
  };

  beforeAll(async () => {
    db = await testDatabase();
    hook = await webhookReceiver();
    const specs: [string, (o: Json) => Json, Json][] = [
      ['hospital-intake', (o) => IntakeModule.register(o), INTAKE_DB],
      ['registration', (o) => RegistrationModule.register(o), REGISTRATION_DB],
      ['rehab-site', (o) => RehabModule.register(o), REHAB_DB],
      ['employment-referral', (o) => EmploymentModule.register(o), EMPLOYMENT_DB],
    ];
    for (const [name, register, database] of specs) {
      services.set(
        name,
        await startService({ register, database, namespace, config: { outboxPollIntervalMs: 50 } }),
      );
    }
    ops = await opsHeaders('ops-admin');
    for (const name of services.keys()) {
      await waitFor(async () => (await call(name, 'GET', '/health/ready', ops)).status === 200, {
        message: `${name} ready`,
      });
    }
    // The operator's environment: the same ops JWT secret as the apps (the development one here), their URLs.
    env = {
      ...process.env,
      HOSPITAL_INTAKE_URL: url('hospital-intake'),
      REHAB_SITE_URL: url('rehab-site'),
      EMPLOYMENT_REFERRAL_URL: url('employment-referral'),
    };
  }, 240_000);

  afterAll(async () => {
    await hook?.close();
    await closeServices(services.values(), namespace, db);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('should refuse a bad file with exit 1 and a precise message, and create nothing', async () => {
    const broken = await onboard(
      'hospital',
      '--file',
      file('broken.json', '{\n  "id": "x",\n  "name": "安康市中心医院"\n  "level": "tertiary"\n}\n'),
    );
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/broken\.json: not valid JSON at line 4, column 3/);

    const invalid = await onboard(
      'hospital',
      '--file',
      file('invalid.json', { ...hospitalFile(), level: '三级甲等', onCall: { name: '总值班' }, beds: 300 }),
    );
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('VALIDATION_FAILED');
    expect(invalid.stderr).toContain('/beds: beds is not a known field');
    expect(invalid.stderr).toMatch(/\/level: level must be one of/);
    expect(invalid.stderr).toMatch(/\/onCall\/phone: phone is required/);

    const notACounty = await onboard(
      'hospital',
      '--file',
      file('city.json', { ...hospitalFile(), countyDivisionCode: '610900' }),
    );
    expect(notACounty.code).toBe(1);
    expect(notACounty.stderr).toContain('UNKNOWN_DIVISION: 610900 is not a county');

    const wrongArea = await onboard(
      'site',
      '--file',
      file('site-bad.json', { ...siteFile, areaCodes: [DEMO_RESIDENCE, '610902001999', '610921100001'] }),
    );
    expect(wrongArea.code).toBe(1);
    expect(wrongArea.stderr).toContain('/areaCodes/1: 610902001999 is not an administrative division');
    expect(wrongArea.stderr).toContain('/areaCodes: a site serves divisions of one county');

    const noKind = await onboard('clinic', '--file', file('clinic.json', {}));
    expect(noKind.code).toBe(2);
    expect(noKind.stderr).toContain('say what to onboard: hospital, site, provider');

    // Nothing reached the apps.
    expect((await call('hospital-intake', 'GET', '/v1/admin/hospitals', ops)).body).toEqual([]);
    expect((await call('rehab-site', 'GET', `/v1/admin/sites/${siteId}`, ops)).status).toBe(404);
  });

  it('should onboard a hospital, a site and a provider whose printed keys work end to end', async () => {
    const secretsFile = join(dir, 'hospital.secrets.json');
    const hospital = await onboard(
      'hospital',
      '--file',
      file('hospital.json', hospitalFile()),
      '--secrets-out',
      secretsFile,
    );
    expect(hospital.stderr).toBe('');
    expect(hospital.code).toBe(0);
    expect(hospital.stdout).toContain(`created hospital ${hospitalId} on hospital-intake`);
    expect(hospital.stdout).toContain('"name": "安康市汉滨区精神卫生中心"');
    expect(hospital.stdout).toContain(`"webhookUrl": "${hook.url}"`);
    const hospitalKey = apiKeyIn(hospital);
    const webhookSecret = /webhook secret: (\S+)/.exec(hospital.stdout)?.[1];
    expect(webhookSecret).toMatch(/^whsec_/);
    expect(fs.statSync(secretsFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(secretsFile, 'utf8'))).toEqual({
      kind: 'hospital',
      id: hospitalId,
      apiKey: hospitalKey,
      webhookSecret,
    });

    const site = await onboard('site', '--file', file('site.json', siteFile));
    expect(site.code).toBe(0);
    expect(site.stdout).toContain(`created site ${siteId} on rehab-site`);
    expect(site.stdout).toContain('"countyCode": "610902"');
    const siteKey = apiKeyIn(site);

    const provider = await onboard('provider', '--file', file('provider.json', providerFile));
    expect(provider.code).toBe(0);
    expect(provider.stdout).toContain(`created provider ${providerId} on employment-referral`);
    const providerKey = apiKeyIn(provider);

    // The hospital key authenticates as the registered hospital.
    const me = await call('hospital-intake', 'GET', '/v1/hospitals/me', { 'x-api-key': hospitalKey });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: hospitalId, countyDivisionCode: '610902', kind: 'psychiatric' });

    // Its discharge (a resident of the site's community) is routed to the onboarded site...
    const sent = await call(
      'hospital-intake',
      'POST',
      '/v1/discharges',
      { 'x-api-key': hospitalKey },
      dischargeRequest(randomInt(1_000_000_000)),
    );
    expect(sent.status).toBe(201);
    const referralId = sent.body.referralId as string;
    // ...which sees it with its own key.
    const listed = await waitFor(
      async () => {
        const page = await call('rehab-site', 'GET', `/v1/sites/${siteId}/referrals`, {
          'x-api-key': siteKey,
        });
        return (page.body?.items as Json[] | undefined)?.find((r) => r.referralId === referralId);
      },
      { timeoutMs: 60_000, message: `${referralId} listed by the onboarded site` },
    );
    expect(listed).toMatchObject({ referralId });

    const providerList = await call('employment-referral', 'GET', `/v1/providers/${providerId}/referrals`, {
      'x-api-key': providerKey,
    });
    expect(providerList.status).toBe(200);
    expect(providerList.body.items).toEqual([]);
  });

  it('should answer a re-run "already exists": exit 1, or 0 with --if-missing, and issue no key', async () => {
    const path = join(dir, 'site.json');
    const again = await onboard('site', '--file', path);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`site ${siteId} already exists on rehab-site`);
    expect(again.stderr).toContain('pass --if-missing');

    const tolerated = await onboard('site', '--file', path, '--if-missing');
    expect(tolerated.code).toBe(0);
    expect(tolerated.stdout).toContain(`site ${siteId} already exists`);
    expect(tolerated.stdout).not.toContain('API key');

    // --token: the operator's own JWT is used as given; an ops-viewer may not onboard (403, exit 1, nothing made).
    const viewer = (await opsHeaders('ops-viewer')).authorization.replace('Bearer ', '');
    const refused = await onboard(
      'provider',
      '--file',
      file('p2.json', { ...providerFile, id: `${providerId}-2` }),
      '--token',
      viewer,
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('employment-referral (EMPLOYMENT_REFERRAL_URL) answered 403 FORBIDDEN');
    expect(
      (await call('employment-referral', 'GET', `/v1/admin/providers/${providerId}-2`, ops)).status,
    ).toBe(404);

    const existingSecrets = join(dir, 'hospital.secrets.json');
    const noOverwrite = await onboard(
      'hospital',
      '--file',
      join(dir, 'hospital.json'),
      '--secrets-out',
      existingSecrets,
    );
    expect(noOverwrite.code).toBe(1);
    expect(noOverwrite.stderr).toContain('exists: the secrets go to a new file (nothing was sent)');
  });

  it('should write the site’s NATS user, limited to its own subjects, into the generated config with --nats-user', async () => {
    const natsDir = join(dir, 'nats');
    const keysDir = join(dir, 'keys');
    fs.mkdirSync(natsDir);
    for (const list of ['sites.txt', 'hospitals.txt', 'providers.txt']) {
      fs.copyFileSync(join(__dirname, '../docker/nats', list), join(natsDir, list));
    }
    const run = await onboard(
      'site',
      '--file',
      join(dir, 'site.json'),
      '--if-missing',
      '--nats-user',
      '--nats-dir',
      natsDir,
      '--nats-keys',
      keysDir,
    );
    expect(run.code).toBe(0);
    const user = siteUserName(siteId);
    expect(run.stdout).toContain(`NATS user ${user} (added in ${join(natsDir, 'sites.txt')}`);
    expect(run.stdout).toContain('nats-server --signal reload');
    expect(fs.readFileSync(join(natsDir, 'sites.txt'), 'utf8').trim().split('\n').pop()).toBe(siteId);
    const auth = fs.readFileSync(join(natsDir, 'auth.conf'), 'utf8');
    // The same rendering `npm run nats:config` makes from these lists, with the new user in it.
    const lists = (name: string) =>
      fs
        .readFileSync(join(natsDir, name), 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean);
    expect(auth).toBe(
      renderNatsConfig({
        sites: lists('sites.txt'),
        hospitals: lists('hospitals.txt'),
        providers: lists('providers.txt'),
      })['auth.conf'],
    );
    expect(auth).toContain(`$${nkeyVariableOf(user)}`);
    expect(auth).toContain(`"site.${siteId}.>"`);
    const seed = join(keysDir, `${user}.nk`);
    expect(fs.statSync(seed).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(join(keysDir, 'nkeys.env'), 'utf8')).toContain(`${nkeyVariableOf(user)}=U`);

    // Idempotent: a second run keeps the seed and lists the site once.
    const before = fs.readFileSync(seed, 'utf8');
    const rerun = await onboard(
      'site',
      '--file',
      join(dir, 'site.json'),
      '--if-missing',
      '--nats-user',
      '--nats-dir',
      natsDir,
      '--nats-keys',
      keysDir,
    );
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain('already listed');
    expect(fs.readFileSync(seed, 'utf8')).toBe(before);
    expect(lists('sites.txt').filter((s) => s === siteId)).toHaveLength(1);
  });
});
