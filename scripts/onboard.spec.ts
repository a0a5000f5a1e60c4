import * as fs from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { DivisionDirectory } from '@app/divisions';
import { onboardCli, Output } from './onboard';

/** What the command prints and answers, without any app: everything here is refused before a request. */
async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const io: Output = { out: (t) => (out += t), err: (t) => (err += t) };
  const code = await onboardCli(args, { HOSPITAL_INTAKE_URL: 'http://127.0.0.1:9', ...env }, io);
  return { code, out, err };
}

describe('npm run onboard (before it sends anything)', () => {
  const dir = fs.mkdtempSync(join(os.tmpdir(), 'onboard-spec-'));
  const file = (name: string, content: unknown) => {
    const path = join(dir, name);
    fs.writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const hospital = {
    id: 'ak-hb-mhc',
    name: '安康市汉滨区精神卫生中心',
    level: 'secondary',
    countyDivisionCode: '610902',
    kind: 'psychiatric',
    onCall: { name: '精神科总值班', phone: '0915-3212120' },
  };
  // The division directory (every GB/T 2260 code, loaded once a process) takes seconds on a busy machine: load
  // it here, within a hook's own time, not within the first test that checks a county.
  beforeAll(() => DivisionDirectory.load(), 60_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('should name the line and column where the JSON breaks', async () => {
    const result = await run(['hospital', '--file', file('b.json', '{\n  "id": "a",\n  "name" "x"\n}')]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/b\.json: not valid JSON at line 3, column 10: /);
  });

  it('should refuse a file that is not one object, and a missing file', async () => {
    expect((await run(['site', '--file', file('a.json', [hospital])])).err).toContain(
      'must hold one JSON object',
    );
    expect((await run(['site', '--file', join(dir, 'none.json')])).err).toContain('cannot read it (ENOENT)');
  });

  it("should check a hospital's webhook URL with the PATCH rules and the county against the divisions", async () => {
    const result = await run([
      'hospital',
      '--file',
      file('h.json', { ...hospital, countyDivisionCode: '610999', webhookUrl: 'not a url' }),
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('/webhookUrl: webhookUrl must be a URL address');
    const county = await run([
      'hospital',
      '--file',
      file('c.json', { ...hospital, countyDivisionCode: '610999' }),
    ]);
    expect(county.err).toContain('UNKNOWN_DIVISION: 610999 is not a county');
  });

  it("should check a provider's served divisions as employment-referral does", async () => {
    const result = await run([
      'provider',
      '--file',
      file('p.json', {
        id: 'ep-hb',
        name: '汉滨区残疾人就业服务中心',
        areaCodes: ['610902', '619999', '610921'],
        programmes: ['job-placement'],
        capacity: 10,
      }),
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('INVALID_PROVIDER_AREA');
    expect(result.err).toContain('/areaCodes/1: 619999 is not an administrative division');
    expect(result.err).toContain('/areaCodes: a provider serves divisions of one county');
  });

  it('should say why it cannot reach the app', async () => {
    const result = await run(['hospital', '--file', file('ok.json', hospital)]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /cannot reach hospital-intake \(HOSPITAL_INTAKE_URL\) at http:\/\/127\.0\.0\.1:9\/v1\/admin\/hospitals/,
    );
  });

  it('should refuse an existing --secrets-out file and unknown options', async () => {
    const existing = file('secrets.json', '{}');
    const result = await run(['hospital', '--file', file('ok2.json', hospital), '--secrets-out', existing]);
    expect(result.code).toBe(1);
    expect(result.err).toContain('exists: the secrets go to a new file (nothing was sent)');
    expect((await run(['hospital', '--file', existing, '--force'])).code).toBe(2);
  });
});
