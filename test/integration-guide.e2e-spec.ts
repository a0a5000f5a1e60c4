import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { demoApiKey } from '@app/auth';
import { ServiceName, SERVICES } from '@app/contracts';
import {
  AppFleet,
  dischargeRequest,
  freePort,
  opsHeaders,
  testDatabase,
  TestDatabase,
  waitFor,
} from '@app/testing';
import { DEMO_HOSPITALS } from '@apps/hospital-intake/src/hospitals/demo-hospitals';

/**
 * Issue 20: what an integrator reads is what the apps do.
 * - Every block of docs/integration.md marked `<!-- run… -->` runs exactly as printed, in order, in one shell
 *   session (variables and functions carry from block to block), against the built apps started here; each
 *   `curl` of a block must print the status its marker documents.
 * - The committed docs/openapi/<app>.json is the document each running app serves, and an organisation key of
 *   the app reads it while no credentials cannot.
 */

const ROOT = path.resolve(__dirname, '..');
const GUIDE = path.join(ROOT, 'docs', 'integration.md');
/**
 * The apps a discharge crosses to a site. employment-referral's and ops-monitor's documents are built by the same
 * `buildOpenApiDocument` and checked against their files without a running app in scripts/openapi.spec.ts.
 */
const APPS: ServiceName[] = [SERVICES.hospitalIntake, SERVICES.registration, SERVICES.rehabSite];
const HOSPITAL = DEMO_HOSPITALS[0].id;

export interface GuideBlock {
  readonly index: number;
  /** The `## ` section it is in (Hospital, Site…). */
  readonly section: string;
  readonly language: string;
  /** `run` (exit 0), `run: 201 200` (exit 0 and those statuses printed, in order) or `run: webhook-receiver`. */
  readonly marker: string;
  readonly statuses: number[];
  readonly code: string;
}

/** The fenced blocks of a markdown text that are preceded by a `<!-- run… -->` line. */
export function runnableBlocks(markdown: string): GuideBlock[] {
  const lines = markdown.split('\n');
  const blocks: GuideBlock[] = [];
  let section = '';
  for (let i = 0; i < lines.length; i++) {
    const heading = /^## (.+)$/.exec(lines[i]);
    if (heading) section = heading[1].trim();
    const marker = /^<!-- run(?::\s*(.*?))?\s*-->$/.exec(lines[i].trim());
    if (!marker) continue;
    let open = i + 1;
    while (open < lines.length && lines[open].trim() === '') open++;
    const fence = /^```(\w+)/.exec(lines[open] ?? '');
    if (!fence)
      throw new Error(`docs/integration.md:${i + 1}: a run marker must be followed by a fenced block`);
    const end = lines.findIndex((line, j) => j > open && line.startsWith('```'));
    if (end < 0) throw new Error(`docs/integration.md:${open + 1}: unterminated block`);
    const spec = marker[1] ?? '';
    blocks.push({
      index: blocks.length + 1,
      section,
      language: fence[1],
      marker: spec,
      statuses: /^[\d\s]+$/.test(spec) ? spec.split(/\s+/).filter(Boolean).map(Number) : [],
      code: lines.slice(open + 1, end).join('\n'),
    });
    i = end;
  }
  return blocks;
}

interface Outcome {
  readonly code: number | null;
  readonly output: string;
}

function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('the integration guide and the API documents (issue 20)', () => {
  const blocks = runnableBlocks(fs.readFileSync(GUIDE, 'utf8'));
  let fleet: AppFleet;
  let db: TestDatabase;
  let workDir: string;
  let receiver: ChildProcess | undefined;
  let receiverOutput = '';
  const env: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    db = await testDatabase();
    const mllpPort = await freePort();
    fleet = await AppFleet.start({
      apps: APPS,
      // A shared machine: migrations, seeds and boots can be slow.
      readyTimeoutMs: 240_000,
      appEnv: {
        [SERVICES.hospitalIntake]: {
          INTAKE_MLLP_PORT: String(mllpPort),
          INTAKE_MLLP_HOST: '127.0.0.1',
          INTAKE_MLLP_FACILITIES: `AKSJSWZX=${HOSPITAL}`,
        },
      },
    });
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'integration-guide-'));
    // What "Before you start" asks the reader to set (the site's id and key once a referral reached it).
    Object.assign(env, {
      INTAKE_URL: fleet.app(SERVICES.hospitalIntake).url,
      SITE_URL: fleet.app(SERVICES.rehabSite).url,
      HOSPITAL_KEY: fleet.hospitalKey(HOSPITAL),
      MLLP_HOST: '127.0.0.1',
      MLLP_PORT: String(mllpPort),
    });
  }, 900_000);

  afterAll(async () => {
    receiver?.kill('SIGTERM');
    await fleet?.dispose();
    await db?.close();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  describe('OpenAPI', () => {
    it.each(APPS)('%s serves exactly the committed docs/openapi file', async (app) => {
      const served = await fetch(`${fleet.app(app).url}/docs-json`, {
        headers: await opsHeaders('ops-viewer'),
      });
      expect(served.status).toBe(200);
      const committed: unknown = JSON.parse(
        fs.readFileSync(path.join(ROOT, 'docs', 'openapi', `${app}.json`), 'utf8'),
      );
      expect(await served.json()).toEqual(committed);
    });

    it('should let an organisation key of the app read /docs-json, and refuse no credentials (401)', async () => {
      const intake = fleet.app(SERVICES.hospitalIntake).url;
      const site = fleet.app(SERVICES.rehabSite).url;
      const siteKey = demoApiKey('site', 'cc-610902');
      for (const url of [intake, site]) {
        expect((await fetch(`${url}/docs-json`)).status).toBe(401);
        expect((await fetch(`${url}/DOCS-JSON/`)).status).toBe(401);
      }
      const asHospital = await fetch(`${intake}/docs-json`, { headers: { 'x-api-key': env.HOSPITAL_KEY! } });
      expect(asHospital.status).toBe(200);
      const doc = (await asHospital.json()) as { paths: Record<string, unknown> };
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/discharges', '/v1/fhir']));
      expect((await fetch(`${site}/docs`, { headers: { 'x-api-key': siteKey } })).status).toBe(200);
      // A key this app does not know is not a credential here.
      expect((await fetch(`${site}/docs-json`, { headers: { 'x-api-key': env.HOSPITAL_KEY! } })).status).toBe(
        401,
      );
    });

    it('should answer a deprecated unprefixed path like its /v1 route, with Deprecation, Sunset and Link', async () => {
      const intake = fleet.app(SERVICES.hospitalIntake).url;
      const headers = { 'x-api-key': env.HOSPITAL_KEY! };
      const old = await fetch(`${intake}/fhir/metadata`, { headers });
      const current = await fetch(`${intake}/v1/fhir/metadata`, { headers });
      expect(old.status).toBe(200);
      expect(current.status).toBe(200);
      expect(old.headers.get('deprecation')).toMatch(/^@\d+$/);
      expect(old.headers.get('sunset')).toBe('Wed, 30 Jun 2027 00:00:00 GMT');
      expect(old.headers.get('link')).toBe('</v1/fhir/metadata>; rel="successor-version"');
      expect(current.headers.get('deprecation')).toBeNull();
    });
  });

  describe('docs/integration.md', () => {
    it('should have runnable examples for a hospital and for a site', () => {
      expect(blocks.filter((b) => b.section === 'Hospital').length).toBeGreaterThanOrEqual(6);
      expect(blocks.filter((b) => b.section === 'Site').length).toBeGreaterThanOrEqual(4);
    });

    /** Runs one bash block in the session: the state (variables, functions) of the blocks before it. */
    async function runBash(block: GuideBlock): Promise<Outcome> {
      const script = [
        'set -a',
        '[ -f state.sh ] && . ./state.sh',
        'set -o pipefail',
        block.code,
        '__rc=$?',
        '{ export -p; declare -f; } > state.sh',
        'exit $__rc',
      ].join('\n');
      fs.writeFileSync(path.join(workDir, `block-${block.index}.sh`), script);
      return run('bash', [`block-${block.index}.sh`], { cwd: workDir, env: { ...process.env, ...env } });
    }

    /** The site section starts once the guide's two assessed discharges reached one site (routing is async). */
    async function siteOfTheGuide(): Promise<string> {
      const schema = fleet.app(SERVICES.rehabSite).schema;
      return waitFor(
        async () => {
          const rows = await db.query<{ site_id: string; n: number }>(
            `SELECT site_id, count(*)::int AS n FROM "${schema}".referral
              WHERE site_id IS NOT NULL AND status = 'assigned' GROUP BY site_id ORDER BY n DESC`,
          );
          return rows[0]?.n >= 2 ? rows[0].site_id : undefined;
        },
        { timeoutMs: 120_000, message: 'the JSON and FHIR discharges of the guide assigned to one site' },
      );
    }

    async function startWebhookReceiver(block: GuideBlock): Promise<void> {
      // Beside the repository's node_modules, so that `import 'standardwebhooks'` resolves as in a project.
      const dir = path.join(ROOT, 'dist', 'integration-guide');
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, 'webhook-receiver.mjs');
      fs.writeFileSync(file, block.code);
      const port = await freePort();
      const patched = await fetch(`${env.SITE_URL}/v1/admin/sites/${env.SITE_ID}`, {
        method: 'PATCH',
        headers: { ...(await opsHeaders('ops-admin')), 'content-type': 'application/json' },
        body: JSON.stringify({ webhookUrl: `http://127.0.0.1:${port}/notices` }),
      });
      expect(patched.status).toBe(200);
      const { webhookSecret } = (await patched.json()) as { webhookSecret: string };
      receiver = spawn('node', [file], {
        cwd: dir,
        env: { ...process.env, WEBHOOK_SECRET: webhookSecret, WEBHOOK_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      receiver.stdout!.on('data', (chunk: Buffer) => (receiverOutput += chunk.toString('utf8')));
      receiver.stderr!.on('data', (chunk: Buffer) => (receiverOutput += chunk.toString('utf8')));
      await waitFor(() => receiverOutput.includes('listening') || receiver!.exitCode !== null, {
        timeoutMs: 20_000,
        message: 'the webhook receiver listening',
      });
      expect(receiverOutput).toContain('listening');
    }

    for (const block of blocks) {
      const title = `block ${block.index} (${block.section}, ${block.language}${block.marker ? `: ${block.marker}` : ''}): ${
        block.code
          .split('\n')
          .find((l) => /\S/.test(l) && !l.startsWith('//'))
          ?.slice(0, 60) ?? ''
      }`;
      it(
        title,
        async () => {
          if (block.section === 'Site' && !env.SITE_ID) {
            env.SITE_ID = await siteOfTheGuide();
            env.SITE_KEY = demoApiKey('site', env.SITE_ID);
          }
          if (block.marker === 'webhook-receiver') {
            await startWebhookReceiver(block);
            // A new referral routed to the same site: its assignment notice is delivered to the receiver.
            const sent = await fetch(`${env.INTAKE_URL}/v1/discharges`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-api-key': env.HOSPITAL_KEY! },
              body: JSON.stringify(dischargeRequest(7)),
            });
            expect(sent.status).toBe(201);
            await waitFor(() => /verified \S+/.test(receiverOutput) || /refused/.test(receiverOutput), {
              timeoutMs: 120_000,
              message: `a verified webhook (receiver said: ${receiverOutput})`,
            });
            expect(receiverOutput).not.toContain('refused');
            return;
          }
          expect(block.language).toBe('bash');
          const outcome = await runBash(block);
          const printed = outcome.output
            .split(/\r?\n/)
            .filter((line) => /^\d{3}$/.test(line.trim()))
            .map((line) => Number(line.trim()));
          const context = `block ${block.index} printed:\n${outcome.output}`;
          expect({ exit: outcome.code, statuses: printed, context }).toEqual({
            exit: 0,
            statuses: block.statuses,
            context,
          });
        },
        180_000,
      );
    }
  });
});
