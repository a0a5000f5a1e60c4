/**
 * `npm run openapi`: writes each app's OpenAPI document to `docs/openapi/<app>.json`, exactly as the app serves
 * it at `/docs-json` (the same `buildOpenApiDocument`), for integrators who cannot reach a running app.
 *
 * `--check` (`npm run openapi:check`) writes nothing and exits 1 when a committed file differs from a fresh
 * generation (stale, missing or extra). The apps are composed in Nest's preview mode: the module graph and the
 * routes are read, no provider is instantiated, so neither Postgres nor NATS is needed.
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { ServiceName, SERVICES } from '@app/contracts';
import { buildOpenApiDocument, OpenApiInfo } from '@app/platform';
import { API_INFO as EMPLOYMENT_INFO } from '@apps/employment-referral/src/api-info';
import { AppModule as EmploymentModule } from '@apps/employment-referral/src/app.module';
import { API_INFO as INTAKE_INFO } from '@apps/hospital-intake/src/api-info';
import { AppModule as IntakeModule } from '@apps/hospital-intake/src/app.module';
import { API_INFO as OPS_INFO } from '@apps/ops-monitor/src/api-info';
import { AppModule as OpsModule } from '@apps/ops-monitor/src/app.module';
import { API_INFO as REGISTRATION_INFO } from '@apps/registration/src/api-info';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { API_INFO as SITE_INFO } from '@apps/rehab-site/src/api-info';
import { AppModule as SiteModule } from '@apps/rehab-site/src/app.module';
import { findRepoRoot } from './generate-asyncapi';
import { writeGeneratedFiles } from './generated-files';

export const OPENAPI_DIR = 'docs/openapi';

interface AppDocs {
  readonly module: () => Parameters<typeof NestFactory.create>[0];
  readonly info: OpenApiInfo;
}

export const APP_DOCS: Record<ServiceName, AppDocs> = {
  [SERVICES.hospitalIntake]: { module: () => IntakeModule.register(), info: INTAKE_INFO },
  [SERVICES.registration]: { module: () => RegistrationModule.register(), info: REGISTRATION_INFO },
  [SERVICES.rehabSite]: { module: () => SiteModule.register(), info: SITE_INFO },
  [SERVICES.employmentReferral]: { module: () => EmploymentModule.register(), info: EMPLOYMENT_INFO },
  [SERVICES.opsMonitor]: { module: () => OpsModule.register(), info: OPS_INFO },
};

export function openApiFile(app: ServiceName): string {
  return `${OPENAPI_DIR}/${app}.json`;
}

/** The committed form of a document: stable 2-space JSON and a final newline. */
export function renderOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** One app's document without Postgres or NATS (preview mode: no provider is created). */
export async function openApiDocumentOf(app: ServiceName): Promise<OpenAPIObject> {
  const { module, info } = APP_DOCS[app];
  const nest = await NestFactory.create(module(), { preview: true, logger: false, abortOnError: false });
  try {
    return buildOpenApiDocument(nest, info);
  } finally {
    await nest.close();
  }
}

export async function generatedOpenApiFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const app of Object.keys(APP_DOCS) as ServiceName[]) {
    files.set(openApiFile(app), renderOpenApi(await openApiDocumentOf(app)));
  }
  return files;
}

/** Committed files under docs/openapi that generation no longer produces. */
function extraFiles(root: string, files: Map<string, string>): string[] {
  const dir = path.join(root, OPENAPI_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .map((name) => `${OPENAPI_DIR}/${name}`)
    .filter((file) => !files.has(file))
    .sort();
}

/** What differs between the committed docs/openapi and `files` (missing, differing or extra files). */
export function openApiDifferences(root: string, files: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [file, content] of files) {
    const absolute = path.join(root, file);
    if (!fs.existsSync(absolute)) out.push(`${file} (missing)`);
    else if (fs.readFileSync(absolute, 'utf8') !== content) out.push(`${file} (differs)`);
  }
  return [...out, ...extraFiles(root, files).map((f) => `${f} (not generated)`)];
}

async function main(argv: string[]): Promise<number> {
  const root = findRepoRoot(__dirname);
  const files = await generatedOpenApiFiles();
  if (argv.includes('--check')) {
    const stale = openApiDifferences(root, files);
    if (stale.length === 0) {
      process.stdout.write(`${OPENAPI_DIR} is current (${files.size} files).\n`);
      return 0;
    }
    process.stderr.write(`Stale OpenAPI files (run \`npm run openapi\`):\n  ${stale.join('\n  ')}\n`);
    return 1;
  }
  const changed = writeGeneratedFiles(root, files, extraFiles(root, files));
  process.stdout.write(
    changed.length ? `Wrote ${changed.join(', ')}\n` : `${OPENAPI_DIR} already current.\n`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
