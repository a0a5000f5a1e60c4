/**
 * `npm run onboard -- <hospital|site|provider> --file <json>`: registers an organisation through the owning
 * app's ops-admin API (no SQL, no seed) and prints its one-time secrets.
 *
 * - The file holds the admin API's create body (`POST /v1/admin/hospitals`, `/v1/admin/sites`,
 *   `/v1/admin/providers`); a hospital's file may also carry `webhookUrl` (set by the PATCH that follows, which
 *   answers the webhook secret). It is checked before anything is sent, with the app's own DTO and the same
 *   validation pipe and division rules: each problem is printed with its JSON pointer, and nothing is created.
 * - Calls the app at HOSPITAL_INTAKE_URL / REHAB_SITE_URL / EMPLOYMENT_REFERRAL_URL (default: the local port of
 *   `npm start`) with an ops-admin JWT minted like `npm run ops:token` (OPS_JWT_SECRET, 5 minutes), or `--token`.
 * - Prints the created record and the API key (and webhook secret) once; `--secrets-out <file>` also writes them
 *   to a new file with mode 0600 (an existing file is refused before anything is sent).
 * - An organisation that exists already: exit 1, or exit 0 with `--if-missing` (nothing changes, no key issued).
 * - `--nats-user`: for an organisation that connects to NATS itself, adds it to docker/nats/<kind>s.txt
 *   (`--nats-dir`), regenerates auth.conf there from the registry (as `npm run nats:config` does, least
 *   privilege: only its own subjects and durable) and makes its nkey seed in `--nats-keys` (default
 *   .local/nats/keys, as `npm run nats:config -- --keys`). The servers then need the new public key and a
 *   restart or reload: the command says which.
 *
 * Exit codes: 0 done (or already there with --if-missing), 1 refused (invalid file, exists, API error), 2 usage.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { loadAuthConfig, mintOpsToken } from '@app/auth';
import { defaultPortOf, SERVICES, ServiceName } from '@app/contracts';
import { createValidationPipe, DomainException, FieldError } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import {
  busUsers,
  ensureUserKeys,
  hospitalUserName,
  nkeyVariableOf,
  providerUserName,
  renderNatsConfig,
  siteUserName,
  Topology,
} from '@app/messaging';
import { validateProviderArea } from '@apps/employment-referral/src/providers/provider-area';
import { CreateProviderDto } from '@apps/employment-referral/src/providers/dto/provider.dto';
import { assertHospitalCounty } from '@apps/hospital-intake/src/hospitals/hospital-county';
import { CreateHospitalDto, UpdateHospitalDto } from '@apps/hospital-intake/src/hospitals/dto/hospital.dto';
import { validateSiteArea } from '@apps/rehab-site/src/directory/site-area';
import { CreateSiteDto } from '@apps/rehab-site/src/directory/dto/site.dto';
import {
  HOSPITALS_FILE,
  NATS_CONFIG_DIR,
  PROVIDERS_FILE,
  readIdList,
  SITES_FILE,
} from './generate-nats-config';

export const ONBOARD_KINDS = ['hospital', 'site', 'provider'] as const;
export type OnboardKind = (typeof ONBOARD_KINDS)[number];

/** Lifetime of the ops token the command mints for itself: one run, a few requests. */
export const ONBOARD_TOKEN_TTL_SECONDS = 300;
export const DEFAULT_NATS_KEYS_DIR = '.local/nats/keys';

type Json = Record<string, unknown>;

interface KindSpec {
  readonly app: ServiceName;
  readonly urlVariable: string;
  readonly path: string;
  readonly dto: new () => object;
  /** The 409 code of an organisation that exists already. */
  readonly existsCode: string;
  /** Division rules the app checks too (throws DomainException with pointers). */
  checkDivisions(divisions: DivisionDirectory, body: Json): void;
  /** The record inside the create answer. */
  readonly recordField: string;
  /** NATS: the id list `npm run nats:config` reads, and the user's name. */
  readonly natsList: string;
  natsUser(id: string): string;
  /** How to issue a new key later (printed when it exists already). */
  newKey(id: string): string;
}

const SPECS: Record<OnboardKind, KindSpec> = {
  hospital: {
    app: SERVICES.hospitalIntake,
    urlVariable: 'HOSPITAL_INTAKE_URL',
    path: '/v1/admin/hospitals',
    dto: CreateHospitalDto,
    existsCode: 'HOSPITAL_EXISTS',
    checkDivisions: (divisions, body) => assertHospitalCounty(divisions, body.countyDivisionCode as string),
    recordField: 'hospital',
    natsList: HOSPITALS_FILE,
    natsUser: hospitalUserName,
    newKey: () => 'POST /v1/admin/api-keys on hospital-intake (see docs/operations.md)',
  },
  site: {
    app: SERVICES.rehabSite,
    urlVariable: 'REHAB_SITE_URL',
    path: '/v1/admin/sites',
    dto: CreateSiteDto,
    existsCode: 'SITE_EXISTS',
    checkDivisions: (divisions, body) =>
      validateSiteArea(divisions, body.level as CreateSiteDto['level'], body.areaCodes as string[]),
    recordField: 'site',
    natsList: SITES_FILE,
    natsUser: siteUserName,
    newKey: (id) => `POST /v1/admin/sites/${id}/api-key on rehab-site (revokes its other keys)`,
  },
  provider: {
    app: SERVICES.employmentReferral,
    urlVariable: 'EMPLOYMENT_REFERRAL_URL',
    path: '/v1/admin/providers',
    dto: CreateProviderDto,
    existsCode: 'PROVIDER_EXISTS',
    checkDivisions: (divisions, body) => validateProviderArea(divisions, body.areaCodes as string[]),
    recordField: 'provider',
    natsList: PROVIDERS_FILE,
    natsUser: providerUserName,
    newKey: (id) => `POST /v1/admin/providers/${id}/api-key on employment-referral (revokes its other keys)`,
  },
};

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

const processOutput: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** A refusal the operator can act on: its lines are printed on stderr and the command exits 1. */
class Refusal extends Error {
  constructor(readonly lines: string[]) {
    super(lines[0]);
  }
}

class UsageError extends Error {}

const USAGE =
  'usage: npm run onboard -- <hospital|site|provider> --file <json> [--if-missing] [--secrets-out <file>] ' +
  '[--token <ops-admin JWT>] [--nats-user [--nats-dir docker/nats] [--nats-keys .local/nats/keys]]';

/** `line 3, column 5` of a character offset in the text. */
function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** Reads and parses the file: a refusal names where the JSON breaks. */
export function readJsonFile(file: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Refusal([`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const where = position !== undefined ? ` at ${lineAndColumn(text, Number(position))}` : '';
    throw new Refusal([
      `${file}: not valid JSON${where}: ${message.replace(/ in JSON at position \d+.*$/, '')}`,
    ]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Refusal([`${file}: must hold one JSON object (the admin API's create body)`]);
  }
  return value as Json;
}

function problemLines(file: string, error: DomainException): string[] {
  const errors = error.details.errors ?? [];
  return [
    `${file}: ${error.code}: ${error.message}`,
    ...errors.map((e) => `  ${e.pointer.replace(/^#/, '') || '/'}: ${e.detail}`),
  ];
}

/**
 * The checks the app makes before it stores anything: its DTO through the same whitelisting pipe (unknown
 * fields, types, patterns), then its division rules. Answers the body to send (and a hospital's webhook URL,
 * which the create body does not take).
 */
export async function validateOnboardFile(
  kind: OnboardKind,
  file: string,
  body: Json,
  divisions: DivisionDirectory,
): Promise<{ body: Json; webhookUrl?: string }> {
  const spec = SPECS[kind];
  const { webhookUrl, ...rest } = body;
  const createBody = kind === 'hospital' ? rest : body;
  const pipe = createValidationPipe();
  try {
    await pipe.transform(createBody, { type: 'body', metatype: spec.dto, data: '' });
    if (kind === 'hospital' && webhookUrl !== undefined) {
      await pipe.transform({ webhookUrl }, { type: 'body', metatype: UpdateHospitalDto, data: '' });
    }
    spec.checkDivisions(divisions, createBody);
  } catch (error) {
    if (error instanceof DomainException) throw new Refusal(problemLines(file, error));
    throw error;
  }
  return kind === 'hospital' && typeof webhookUrl === 'string'
    ? { body: createBody, webhookUrl }
    : { body: createBody };
}

async function opsToken(token: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (token) return token;
  try {
    return await mintOpsToken(loadAuthConfig(env), {
      subject: `onboard-${env.USER ?? 'operator'}`,
      roles: ['ops-admin'],
      ttlSeconds: ONBOARD_TOKEN_TTL_SECONDS,
    });
  } catch (error) {
    throw new Refusal([
      `cannot mint an ops token here (${(error as Error).message}); pass --token <an ops-admin JWT from your identity provider>`,
    ]);
  }
}

interface Answer {
  readonly status: number;
  readonly body: Json;
}

async function call(url: string, method: string, token: string, body: Json, label: string): Promise<Answer> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Refusal([`cannot reach ${label} at ${url} (${cause})`]);
  }
  const text = await response.text();
  let parsed: Json = {};
  try {
    parsed = text ? (JSON.parse(text) as Json) : {};
  } catch {
    parsed = { detail: text.slice(0, 500) };
  }
  return { status: response.status, body: parsed };
}

function apiRefusal(label: string, answer: Answer): Refusal {
  const errors = Array.isArray(answer.body.errors) ? (answer.body.errors as FieldError[]) : [];
  const code = typeof answer.body.code === 'string' ? answer.body.code : 'HTTP_ERROR';
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const detail = text(answer.body.detail) || text(answer.body.title);
  return new Refusal([
    `${label} answered ${answer.status} ${code}: ${detail}`,
    ...errors.map((e) => `  ${String(e.pointer).replace(/^#/, '')}: ${e.detail}`),
  ]);
}

/** Adds the organisation to its NATS id list, regenerates auth.conf and makes its nkey seed. */
export function issueNatsUser(
  kind: OnboardKind,
  id: string,
  natsDir: string,
  keysDir: string,
): { user: string; seedFile: string; publicKey: string; lines: string[] } {
  const spec = SPECS[kind];
  const user = spec.natsUser(id);
  const listFile = path.join(natsDir, path.basename(spec.natsList));
  const listed = readIdList(listFile);
  if (!listed.includes(id)) {
    const before = fs.existsSync(listFile) ? fs.readFileSync(listFile, 'utf8') : '';
    fs.writeFileSync(listFile, `${before}${before === '' || before.endsWith('\n') ? '' : '\n'}${id}\n`);
  }
  const lists = {
    sites: readIdList(path.join(natsDir, path.basename(SITES_FILE))),
    providers: readIdList(path.join(natsDir, path.basename(PROVIDERS_FILE))),
    hospitals: readIdList(path.join(natsDir, path.basename(HOSPITALS_FILE))),
  };
  const authFile = path.join(natsDir, 'auth.conf');
  fs.writeFileSync(authFile, renderNatsConfig(lists)['auth.conf']);
  const users = busUsers({ topology: new Topology(), ...lists });
  const key = ensureUserKeys(
    keysDir,
    users.map((u) => u.name),
  ).find((k) => k.user === user)!;
  const permissions = users.find((u) => u.name === user)!.permissions;
  const variable = nkeyVariableOf(user);
  return {
    user,
    seedFile: key.seedFile,
    publicKey: key.publicKey,
    lines: [
      `NATS user ${user} (${listed.includes(id) ? 'already listed' : 'added'} in ${listFile}; ${authFile} regenerated)`,
      `  may publish:   ${permissions.publish.join(', ')}`,
      `  may subscribe: ${permissions.subscribe.join(', ')}`,
      `  nkey seed (give it to the organisation, NATS_NKEY_SEED_FILE): ${key.seedFile} (mode 0600)`,
      `  public key: ${key.publicKey} (${variable} in ${path.join(keysDir, 'nkeys.env')})`,
      'The NATS servers know the user only once they run with the new auth.conf AND the new public key:',
      `  - docker/ (auth.conf reads ${variable} from the environment, compose's env_file nkeys.env): recreate the`,
      '    nodes one at a time, e.g. docker compose -f docker/docker-compose.yml up -d --force-recreate --no-deps nats-1',
      '    (then nats-2, nats-3). A reload alone fails: it re-reads the files, not the environment;',
      '  - a server whose config has the public keys written in: nats-server --signal reload=<pid>',
    ],
  };
}

/** What `--secrets-out` writes: the one-time secrets of one organisation. */
interface Secrets {
  kind: OnboardKind;
  id: string;
  apiKey: string;
  webhookSecret?: string;
}

function writeSecrets(file: string, secrets: Secrets): void {
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  fs.chmodSync(file, 0o600);
}

/** The command; answers the exit code. */
export async function onboardCli(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Output = processOutput,
): Promise<number> {
  try {
    return await onboard(argv, env, io);
  } catch (error) {
    if (error instanceof Refusal) {
      io.err(error.lines.map((l) => `onboard: ${l}\n`).join(''));
      return 1;
    }
    if (error instanceof UsageError) {
      io.err(`onboard: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

async function onboard(argv: string[], env: NodeJS.ProcessEnv, io: Output): Promise<number> {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const kind = positionals[0] as OnboardKind;
  if (positionals.length !== 1 || !ONBOARD_KINDS.includes(kind)) {
    throw new UsageError(`say what to onboard: ${ONBOARD_KINDS.join(', ')}`);
  }
  if (!values.file) throw new UsageError('--file <json> is required');
  const spec = SPECS[kind];
  if (values['secrets-out'] && fs.existsSync(values['secrets-out'])) {
    throw new Refusal([`${values['secrets-out']} exists: the secrets go to a new file (nothing was sent)`]);
  }

  const { body, webhookUrl } = await validateOnboardFile(
    kind,
    values.file,
    readJsonFile(values.file),
    await DivisionDirectory.load(),
  );
  const id = body.id as string;
  const base = (env[spec.urlVariable]?.trim() || `http://127.0.0.1:${defaultPortOf(spec.app)}`).replace(
    /\/+$/,
    '',
  );
  const label = `${spec.app} (${spec.urlVariable})`;
  const token = await opsToken(values.token, env);

  const created = await call(`${base}${spec.path}`, 'POST', token, body, label);
  let exitCode = 0;
  if (created.status === 409 && created.body.code === spec.existsCode) {
    const message = `${kind} ${id} already exists on ${spec.app} at ${base}: nothing changed, no key issued (a new key: ${spec.newKey(id)})`;
    if (!values['if-missing']) throw new Refusal([message, 'pass --if-missing to accept an existing one']);
    io.out(`${message}\n`);
  } else if (created.status !== 201) {
    throw apiRefusal(label, created);
  } else {
    const secrets: Secrets = { kind, id, apiKey: String(created.body.apiKey) };
    if (typeof created.body.webhookSecret === 'string') secrets.webhookSecret = created.body.webhookSecret;
    let record = created.body[spec.recordField];
    let webhookFailure: Refusal | undefined;
    if (webhookUrl) {
      const patched = await call(
        `${base}${spec.path}/${encodeURIComponent(id)}`,
        'PATCH',
        token,
        { webhookUrl },
        label,
      );
      if (patched.status === 200) {
        record = patched.body.hospital;
        if (typeof patched.body.webhookSecret === 'string')
          secrets.webhookSecret = patched.body.webhookSecret;
      } else {
        webhookFailure = apiRefusal(label, patched);
      }
    }
    io.out(`created ${kind} ${id} on ${spec.app} at ${base}:\n${JSON.stringify(record, null, 2)}\n\n`);
    io.out('ONE-TIME SECRETS: shown now and never again (only their hashes or sealed copies are kept)\n');
    io.out(`  API key (X-API-Key): ${secrets.apiKey}\n`);
    if (secrets.webhookSecret) io.out(`  webhook secret: ${secrets.webhookSecret}\n`);
    if (values['secrets-out']) {
      writeSecrets(values['secrets-out'], secrets);
      io.out(`  written to ${values['secrets-out']} (mode 0600)\n`);
    }
    if (webhookFailure) {
      io.err(
        `onboard: the ${kind} was created but its webhook URL was not set; set it with PATCH ${spec.path}/${id}\n`,
      );
      io.err(webhookFailure.lines.map((l) => `onboard: ${l}\n`).join(''));
      exitCode = 1;
    }
  }

  if (values['nats-user']) {
    const nats = issueNatsUser(
      kind,
      id,
      values['nats-dir'] ?? NATS_CONFIG_DIR,
      values['nats-keys'] ?? DEFAULT_NATS_KEYS_DIR,
    );
    io.out(`\n${nats.lines.join('\n')}\n`);
  }
  return exitCode;
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: 'string' },
      'if-missing': { type: 'boolean', default: false },
      'secrets-out': { type: 'string' },
      token: { type: 'string' },
      'nats-user': { type: 'boolean', default: false },
      'nats-dir': { type: 'string' },
      'nats-keys': { type: 'string' },
    },
  });
}

if (require.main === module) {
  onboardCli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`onboard: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
