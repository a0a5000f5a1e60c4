import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { EVENTS, ServiceName } from '@app/contracts';
import { legacyPrefixOf } from '@app/core';
import {
  DEV_OPS_JWT_SECRET,
  loadAuthConfig,
  mintOpsToken,
  OpsRole,
  OrganisationKind,
  upsertApiKeys,
} from '@app/auth';
import { DatabaseDefinition } from '@app/persistence';
import { ServiceOverrides } from '@app/platform';
import {
  closeServices,
  expectValidFhir,
  opsHeaders,
  ServiceUnderTest,
  startService,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { AppModule as EmploymentModule } from '@apps/employment-referral/src/app.module';
import { DATABASE as EMPLOYMENT_DB } from '@apps/employment-referral/src/database';
import { AppModule as IntakeModule } from '@apps/hospital-intake/src/app.module';
import { DATABASE as INTAKE_DB } from '@apps/hospital-intake/src/database';
import { discharge } from '@apps/hospital-intake/test/fixtures';
import { AppModule as OpsModule } from '@apps/ops-monitor/src/app.module';
import { DATABASE as OPS_DB } from '@apps/ops-monitor/src/database';
import { AppModule as RegistrationModule } from '@apps/registration/src/app.module';
import { DATABASE as REGISTRATION_DB } from '@apps/registration/src/database';
import { person } from '@apps/registration/test/harness';
import { AppModule as RehabModule } from '@apps/rehab-site/src/app.module';
import { DATABASE as REHAB_DB } from '@apps/rehab-site/src/database';

/**
 * The authorization matrix: every route of every app (read from each app's router, so a new endpoint without a
 * row here fails) × every kind of caller, each cell asserted. Own/other organisation: other organisations' ids
 * in paths and their objects answer 404 (never 403).
 */

type AppName = ServiceName;

// ---------------------------------------------------------------------------------------------------------
// Callers. Every organisation key is stored in every service, so a key of the wrong kind is authenticated and
// then refused (403) rather than merely unknown (401).

interface OrgCaller {
  readonly id: string;
  readonly kind: OrganisationKind;
  readonly division: string;
  readonly key: string;
}

const tag = randomUUID().slice(0, 6);
const orgKey = () => `test_${randomUUID()}${randomUUID()}`.replace(/-/g, '');
const ORGS = {
  hospital: { id: `h-own-${tag}`, kind: 'hospital', division: '610902', key: orgKey() },
  otherHospital: { id: `h-other-${tag}`, kind: 'hospital', division: '610902', key: orgKey() },
  site: { id: `site-own-${tag}`, kind: 'site', division: '610902', key: orgKey() },
  otherSite: { id: `site-other-${tag}`, kind: 'site', division: '610902', key: orgKey() },
  familyPortal: { id: `fam-own-${tag}`, kind: 'family-portal', division: '610902', key: orgKey() },
  otherFamilyPortal: { id: `fam-other-${tag}`, kind: 'family-portal', division: '610902', key: orgKey() },
  countyCentre: { id: `cc-${tag}`, kind: 'county-centre', division: '610902', key: orgKey() },
  otherCountyCentre: { id: `cc-other-${tag}`, kind: 'county-centre', division: '610922', key: orgKey() },
  employmentProvider: { id: `emp-${tag}`, kind: 'employment-provider', division: '610902', key: orgKey() },
  otherEmploymentProvider: {
    id: `emp-other-${tag}`,
    kind: 'employment-provider',
    division: '610902',
    key: orgKey(),
  },
  expiredKey: { id: `h-expired-${tag}`, kind: 'hospital', division: '610902', key: orgKey() },
  revokedKey: { id: `site-revoked-${tag}`, kind: 'site', division: '610902', key: orgKey() },
} satisfies Record<string, OrgCaller>;
type OrgName = keyof typeof ORGS;

const OPS: Record<'opsViewer' | 'opsAdmin' | 'auditor', OpsRole> = {
  opsViewer: 'ops-viewer',
  opsAdmin: 'ops-admin',
  auditor: 'auditor',
};
type CallerName = OrgName | keyof typeof OPS | 'anonymous' | 'forgedJwt' | 'expiredJwt' | 'wrongAudienceJwt';
const UNAUTHENTICATED_CALLERS: CallerName[] = [
  'anonymous',
  'expiredKey',
  'revokedKey',
  'forgedJwt',
  'expiredJwt',
  'wrongAudienceJwt',
];
const CALLERS: CallerName[] = [
  ...(Object.keys(ORGS) as OrgName[]).filter((n) => !UNAUTHENTICATED_CALLERS.includes(n)),
  ...(Object.keys(OPS) as (keyof typeof OPS)[]),
  ...UNAUTHENTICATED_CALLERS,
];

// ---------------------------------------------------------------------------------------------------------
// Policy: one row per route. `ok` is the status an allowed caller gets for the probe request sent (an empty
// body, ids that exist only for the owning organisation); `orgs`/`roles` who is allowed.

type Expect = number | (Partial<Record<CallerName, number>> & { default: number });
interface Row {
  readonly orgs?: CallerName[];
  readonly roles?: OpsRole[];
  readonly public?: true;
  readonly ok: Expect;
  readonly body?: unknown;
  readonly contentType?: string;
  /** A route added with /v1 (under a prefix that has deprecated aliases): it has no unprefixed alias. */
  readonly v1Only?: true;
  /** A stream (server-sent events): the answer's status and headers are checked, then the call is ended. */
  readonly stream?: true;
}

const ANY_OPS: OpsRole[] = ['ops-viewer', 'ops-admin', 'auditor'];
const ALL_ORGS: CallerName[] = [
  'hospital',
  'otherHospital',
  'site',
  'otherSite',
  'familyPortal',
  'otherFamilyPortal',
  'countyCentre',
  'otherCountyCentre',
  'employmentProvider',
  'otherEmploymentProvider',
];
const CHANNELS: CallerName[] = ['familyPortal', 'otherFamilyPortal', 'countyCentre', 'otherCountyCentre'];
const CENTRES: CallerName[] = ['countyCentre', 'otherCountyCentre'];
const HOSPITALS: CallerName[] = ['hospital', 'otherHospital'];
const SITES: CallerName[] = ['site', 'otherSite'];
const PROVIDERS: CallerName[] = ['employmentProvider', 'otherEmploymentProvider'];
/**
 * The staff session and account API of a service with staff accounts (rehab-site: sites, hospital-intake:
 * hospitals). An API key has no session (401 on `current`); an ops caller names no organisation (400).
 */
function staffRows(orgs: CallerName[]): Record<string, Row> {
  return {
    'POST /v1/staff/sessions': { public: true, ok: 400, body: {}, v1Only: true },
    'GET /v1/staff/sessions/current': { orgs, ok: 401, v1Only: true },
    'DELETE /v1/staff/sessions/current': { orgs, ok: 401, v1Only: true },
    'POST /v1/staff/accounts': { orgs, roles: ['ops-admin'], ok: 400, body: {}, v1Only: true },
    'GET /v1/staff/accounts': {
      orgs,
      roles: ANY_OPS,
      ok: { default: 200, opsViewer: 400, opsAdmin: 400, auditor: 400 },
      v1Only: true,
    },
    'PATCH /v1/staff/accounts/:accountId': { orgs, roles: ['ops-admin'], ok: 404, body: {}, v1Only: true },
  };
}

/** A provider action with an empty body: the own provider gets the validation error, the other one 404. */
const PROVIDER_ACTION: Row = {
  orgs: PROVIDERS,
  ok: { default: 400, otherEmploymentProvider: 404 },
  body: {},
};

/** Rows every service has (platform + @app/auth). */
const COMMON: Record<string, Row> = {
  'GET /health/live': { public: true, ok: 200 },
  'GET /health': { roles: ANY_OPS, ok: 200 },
  'GET /health/ready': { public: true, ok: 200 },
  'GET /metrics': { roles: ANY_OPS, ok: 200 },
  'POST /v1/auth/api-key/rotation': { orgs: ALL_ORGS, ok: 201 },
  'GET /v1/admin/api-keys': { roles: ANY_OPS, ok: 200 },
  'POST /v1/admin/api-keys': { roles: ['ops-admin'], ok: 400, body: {} },
  'DELETE /v1/admin/api-keys/:id': { roles: ['ops-admin'], ok: 404 },
  'GET /v1/admin/dead-letters': { roles: ANY_OPS, ok: 200 },
  'POST /v1/admin/dead-letters/:id/replay': { roles: ['ops-admin'], ok: 404 },
};

/**
 * The OpenAPI UI and documents: every ops role, and the organisation kinds the service serves (an integrator
 * reads the API it calls; issue 20). A key of another kind is authenticated and refused (403).
 */
function docsRows(orgs: CallerName[]): Record<string, Row> {
  return {
    'GET /docs-json': { orgs, roles: ANY_OPS, ok: 200 },
    'GET /docs-yaml': { orgs, roles: ANY_OPS, ok: 200 },
    'GET /docs': { orgs, roles: ANY_OPS, ok: 200 },
    // The swagger-ui files under /docs/ (one row; the probe asks for /docs/index.html).
    'GET /docs/*': { orgs, roles: ANY_OPS, ok: 200 },
  };
}

/**
 * The unprefixed paths kept as deprecated aliases of their /v1 routes for one release (`versioned` in
 * @app/core): the same policy as the /v1 route, one row each.
 */
function withLegacyAliases(rows: Record<string, Row>): Record<string, Row> {
  const out = { ...rows };
  for (const [route, row] of Object.entries(rows)) {
    const [method, path] = route.split(' ');
    if (!path.startsWith('/v1/') || row.v1Only) continue;
    const bare = path.slice('/v1'.length);
    if (legacyPrefixOf(bare.toLowerCase().replace(/:\w+/g, 'x')) !== undefined)
      out[`${method} ${bare}`] = row;
  }
  return out;
}

/** Routes under /v1/fhir (and its deprecated alias /fhir) answer refusals as OperationOutcome, not problem+json. */
const FHIR_ROUTE = /^[A-Z]+ (\/v1)?\/fhir(\/|$)/;
const FHIR_PATH = /^(\/v1)?\/fhir(\/|$|\?)/;

const POLICY_V1: Record<AppName, Record<string, Row>> = {
  'hospital-intake': {
    ...COMMON,
    ...docsRows(HOSPITALS),
    ...staffRows(HOSPITALS),
    'POST /v1/discharges': { orgs: HOSPITALS, ok: 400, body: {} },
    // The discharge assessment sent later, for the caller's own referral (another's is 404 in the service).
    'POST /v1/discharges/:referralId/assessment': { orgs: HOSPITALS, ok: 400, body: {} },
    'POST /v1/fhir/Bundle': { orgs: HOSPITALS, ok: 400, body: {} },
    'POST /v1/fhir': { orgs: HOSPITALS, ok: 400, body: {} },
    'GET /v1/fhir/metadata': { orgs: HOSPITALS, ok: 200 },
    'POST /v1/hl7/v2': { orgs: HOSPITALS, ok: 400, body: 'MSH|^~\\&|', contentType: 'text/plain' },
    // Held discharges: a hospital's own only (the probe's :id is no held discharge: 404 to both hospitals).
    'GET /v1/held-discharges': { orgs: HOSPITALS, ok: 200 },
    'GET /v1/held-discharges/:id': { orgs: HOSPITALS, ok: 404 },
    'POST /v1/held-discharges/:id/completion': { orgs: HOSPITALS, ok: 404, body: {} },
    // :id is hospital's referral: its owner reads it, the other hospital finds nothing.
    'GET /v1/referrals/:id': { orgs: HOSPITALS, ok: { default: 200, otherHospital: 404 } },
    'GET /v1/referrals': { orgs: HOSPITALS, ok: 200 },
    'GET /v1/referrals/:id/fhir-task': { orgs: HOSPITALS, ok: { default: 200, otherHospital: 404 } },
    // An empty body is refused before the lookup (another hospital's referral is 404: hospital-timeline e2e).
    'POST /v1/referrals/:id/cancellation': { orgs: HOSPITALS, ok: 400, body: {} },
    'GET /v1/hospitals/me': { orgs: HOSPITALS, ok: { default: 200, otherHospital: 404 } },
    // :caseId is a green case held by hospital: the other hospital finds nothing and cannot act on it.
    'GET /v1/green-cases': { orgs: HOSPITALS, ok: 200 },
    'GET /v1/green-cases/:caseId': { orgs: HOSPITALS, ok: { default: 200, otherHospital: 404 } },
    'POST /v1/green-cases/:caseId/acknowledge': { orgs: HOSPITALS, ok: 400, body: {} },
    'POST /v1/green-cases/:caseId/admit': { orgs: HOSPITALS, ok: { default: 200, otherHospital: 404 } },
    'POST /v1/green-cases/:caseId/decline': { orgs: HOSPITALS, ok: 400, body: {} },
    'POST /v1/admin/hospitals': { roles: ['ops-admin'], ok: 400, body: {} },
    'GET /v1/admin/hospitals': { roles: ['ops-admin', 'ops-viewer'], ok: 200 },
    'PATCH /v1/admin/hospitals/:hospitalId': { roles: ['ops-admin'], ok: 404, body: {} },
    'PUT /v1/admin/green-designations/:divisionCode': { roles: ['ops-admin'], ok: 400, body: {} },
    'GET /v1/admin/green-designations/:divisionCode': { roles: ['ops-admin', 'ops-viewer'], ok: 200 },
    'GET /v1/audit-events': { roles: ['auditor'], ok: 200 },
    // The green-channel desk page (every view: the cases, the held discharges, one held discharge) and its files
    // hold no data (the page signs in with a staff account); the probe asks for desk.js (any other name is 404
    // problem+json).
    'GET /desk': { public: true, ok: 200 },
    'GET /desk/sign-in': { public: true, ok: 200 },
    'GET /desk/held': { public: true, ok: 200 },
    'GET /desk/held/:heldId': { public: true, ok: 200 },
    'GET /desk/static/:file': { public: true, ok: 200 },
  },
  registration: {
    ...COMMON,
    ...docsRows(CHANNELS),
    'POST /v1/applications': { orgs: CHANNELS, ok: 400, body: {} },
    'GET /v1/applications/assessment-requests': { orgs: CENTRES, ok: 200 },
    // :id is familyPortal's application (residence 610902): visible to it and to the county's centre only.
    'GET /v1/applications/:id': {
      orgs: CHANNELS,
      ok: { default: 200, otherFamilyPortal: 404, otherCountyCentre: 404 },
    },
    'POST /v1/applications/:id/verification': { orgs: CENTRES, ok: 400, body: {} },
    'POST /v1/applications/:id/assessment': { orgs: CENTRES, ok: 400, body: {} },
    // Ops read any registration (the registration office's view, links included).
    'GET /v1/registrations/:id': {
      orgs: CHANNELS,
      roles: ['ops-admin', 'ops-viewer'],
      ok: { default: 200, otherFamilyPortal: 404, otherCountyCentre: 404 },
    },
    'POST /v1/registrations/:id/consents': { orgs: CHANNELS, ok: 400, body: {} },
    'POST /v1/registrations/:id/consent-withdrawals': { orgs: CHANNELS, ok: 400, body: {} },
    // The identity review worklist: the registration office (county centre, its county) and ops only.
    'GET /v1/identity-reviews': { orgs: CENTRES, roles: ['ops-admin', 'ops-viewer'], ok: 200 },
    'POST /v1/identity-reviews/:id/merge': { orgs: CENTRES, roles: ['ops-admin'], ok: 404, body: {} },
    'POST /v1/identity-reviews/:id/keep-separate': { orgs: CENTRES, roles: ['ops-admin'], ok: 404, body: {} },
    'GET /v1/audit-events': { roles: ['auditor'], ok: 200 },
    // Notices to the patient and guardian: the registration office (its county) and ops; masked numbers only.
    'GET /v1/registrations/:id/notices': {
      v1Only: true,
      orgs: CENTRES,
      roles: ['ops-admin', 'ops-viewer'],
      ok: { default: 200, otherCountyCentre: 404 },
    },
    // The SMS gateway's delivery receipts: no API key, the body's HMAC signature is the credential (none → 401).
    'POST /v1/notices/delivery-receipts': {
      public: true,
      ok: 401,
      body: { messageId: 'm', status: 'delivered', at: '2026-12-05T00:00:00Z' },
    },
  },
  'rehab-site': {
    ...COMMON,
    ...docsRows(SITES),
    // The site workbench page (every view) and its files hold no data (the page signs in with a staff account);
    // the probe asks for workbench.js.
    'GET /workbench': { public: true, ok: 200 },
    'GET /workbench/sign-in': { public: true, ok: 200 },
    'GET /workbench/referrals/:referralId': { public: true, ok: 200 },
    'GET /workbench/staff': { public: true, ok: 200 },
    'GET /workbench/static/:file': { public: true, ok: 200 },
    // :siteId is site's own id: the other site's key on it answers 404 (as if it did not exist).
    'GET /v1/sites/:siteId/referrals': { orgs: SITES, ok: { default: 200, otherSite: 404 } },
    ...staffRows(SITES),
    'GET /v1/sites/:siteId/referrals/events': {
      orgs: SITES,
      ok: { default: 200, otherSite: 404 },
      stream: true,
      v1Only: true,
    },
    'GET /v1/sites/:siteId/referrals/:referralId': { orgs: SITES, ok: 404 },
    'GET /v1/sites/:siteId/referrals/:referralId/file': { orgs: SITES, ok: 404 },
    'POST /v1/sites/:siteId/referrals/:referralId/accept': { orgs: SITES, ok: 404 },
    'POST /v1/sites/:siteId/referrals/:referralId/decline': {
      orgs: SITES,
      ok: { default: 400, otherSite: 404 },
      body: {},
    },
    'POST /v1/sites/:siteId/referrals/:referralId/close': {
      orgs: SITES,
      ok: { default: 400, otherSite: 404 },
      body: {},
    },
    'POST /v1/sites/:siteId/referrals/:referralId/relapse': {
      orgs: SITES,
      ok: { default: 400, otherSite: 404 },
      body: {},
    },
    'POST /v1/sites/:siteId/referrals/:referralId/employment-readiness': {
      orgs: SITES,
      ok: { default: 400, otherSite: 404 },
      body: {},
    },
    'POST /v1/sites/:siteId/referrals/:referralId/plan': {
      orgs: SITES,
      ok: { default: 400, otherSite: 404 },
      body: {},
    },
    'POST /v1/sites/:siteId/referrals/:referralId/sessions': {
      orgs: SITES,
      ok: { default: 400, otherSite: 404 },
      body: {},
    },
    'POST /v1/sites/:siteId/referrals/:referralId/assessments': {
      orgs: SITES,
      ok: { default: 400, otherSite: 404 },
      body: {},
    },
    'POST /v1/sites/:siteId/referrals/:referralId/transfer': {
      orgs: SITES,
      ok: { default: 400, otherSite: 404 },
      body: {},
    },
    'POST /v1/admin/sites': { roles: ['ops-admin'], ok: 400, body: {} },
    'GET /v1/admin/sites': { roles: ['ops-admin', 'ops-viewer'], ok: 200 },
    'GET /v1/admin/sites/:siteId': { roles: ['ops-admin', 'ops-viewer'], ok: 404 },
    'PATCH /v1/admin/sites/:siteId': { roles: ['ops-admin'], ok: 404, body: {} },
    'POST /v1/admin/sites/:siteId/api-key': { roles: ['ops-admin'], ok: 404 },
    'POST /v1/admin/referrals/:referralId/placement': { roles: ['ops-admin'], ok: 400, body: {} },
    'GET /v1/audit-events': { roles: ['auditor'], ok: 200 },
  },
  'employment-referral': {
    ...COMMON,
    ...docsRows(PROVIDERS),
    // :providerId is employmentProvider's own id: the other provider's key on it answers 404.
    'GET /v1/providers/:providerId/referrals': {
      orgs: PROVIDERS,
      ok: { default: 200, otherEmploymentProvider: 404 },
    },
    'GET /v1/providers/:providerId/referrals/:referralId': { orgs: PROVIDERS, ok: 404 },
    'POST /v1/providers/:providerId/referrals/:referralId/accept': { orgs: PROVIDERS, ok: 404 },
    'POST /v1/providers/:providerId/referrals/:referralId/decline': PROVIDER_ACTION,
    'POST /v1/providers/:providerId/referrals/:referralId/employer-contacts': PROVIDER_ACTION,
    'POST /v1/providers/:providerId/referrals/:referralId/training': PROVIDER_ACTION,
    'POST /v1/providers/:providerId/referrals/:referralId/placement': PROVIDER_ACTION,
    'POST /v1/providers/:providerId/referrals/:referralId/retention-checks': PROVIDER_ACTION,
    'POST /v1/providers/:providerId/referrals/:referralId/end': PROVIDER_ACTION,
    'POST /v1/admin/providers': { roles: ['ops-admin'], ok: 400, body: {} },
    'GET /v1/admin/providers': { roles: ['ops-admin', 'ops-viewer'], ok: 200 },
    'GET /v1/admin/providers/:providerId': { roles: ['ops-admin', 'ops-viewer'], ok: 404 },
    'PATCH /v1/admin/providers/:providerId': { roles: ['ops-admin'], ok: 404, body: {} },
    'POST /v1/admin/providers/:providerId/api-key': { roles: ['ops-admin'], ok: 404 },
    'GET /v1/admin/employment-stats': { roles: ['ops-admin', 'ops-viewer'], ok: 200 },
    'GET /v1/providers/:providerId/stats': {
      orgs: PROVIDERS,
      ok: { default: 200, otherEmploymentProvider: 404 },
    },
    'GET /v1/audit-events': { roles: ['auditor'], ok: 200 },
  },
  'ops-monitor': {
    ...COMMON,
    ...docsRows([]),
    'GET /v1/referrals/:referralId/timeline': { roles: ['ops-viewer', 'ops-admin'], ok: 404 },
    'POST /v1/admin/read-model/rebuild': { roles: ['ops-admin'], ok: 200, body: {} },
    'GET /v1/alerts': { roles: ['ops-viewer', 'ops-admin'], ok: 200 },
    'POST /v1/alerts/:id/acknowledge': { roles: ['ops-viewer', 'ops-admin'], ok: 404 },
    'POST /v1/alerts/:id/resolve': { roles: ['ops-admin'], ok: 404 },
    'GET /v1/dashboard': { roles: ['ops-viewer', 'ops-admin'], ok: 200 },
    // Statutory indicators: the probe sends no period/area (400) and a random report id (404).
    'GET /v1/indicators': { roles: ANY_OPS, ok: 400 },
    'GET /v1/indicators/:code/drill-down': { roles: ANY_OPS, ok: 400 },
    'POST /v1/indicators/reports': { roles: ['ops-admin'], ok: 400, body: {} },
    'GET /v1/indicators/reports/:reportId': { roles: ANY_OPS, ok: 404 },
    'GET /v1/indicators/reports/:reportId/export': { roles: ANY_OPS, ok: 400 },
    'POST /v1/indicators/reports/:reportId/sign-off': { roles: ['ops-admin'], ok: 404 },
    // The dashboard page and its static files hold no data (the page signs in with an ops JWT).
    'GET /dashboard': { public: true, ok: 200 },
    'GET /dashboard/app.js': { public: true, ok: 200 },
    'GET /dashboard/app.css': { public: true, ok: 200 },
    'GET /dashboard/chart.umd.js': { public: true, ok: 200 },
    'GET /v1/audit-events': { roles: ['auditor'], ok: 200 },
  },
};

const POLICY = Object.fromEntries(
  Object.entries(POLICY_V1).map(([app, rows]) => [app, withLegacyAliases(rows)]),
) as Record<AppName, Record<string, Row>>;

function expected(row: Row, caller: CallerName): number {
  if (row.public) return typeof row.ok === 'number' ? row.ok : row.ok.default;
  if (UNAUTHENTICATED_CALLERS.includes(caller)) return 401;
  const role = OPS[caller as keyof typeof OPS] as OpsRole | undefined;
  const allowed = role ? (row.roles ?? []).includes(role) : (row.orgs ?? []).includes(caller);
  if (!allowed) return 403;
  return typeof row.ok === 'number' ? row.ok : (row.ok[caller] ?? row.ok.default);
}

// ---------------------------------------------------------------------------------------------------------

function routesOf(app: INestApplication): string[] {
  const express = app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  const routes = new Set<string>();
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    // Nest's catch-all that answers 404 for unknown paths (asserted in its own test).
    if (layer.route.path === '{/*splat}') continue;
    const path = layer.route.path.startsWith('/docs/') ? '/docs/*' : layer.route.path;
    for (const method of Object.keys(layer.route.methods)) routes.add(`${method.toUpperCase()} ${path}`);
  }
  return [...routes].sort();
}

describe('authorization matrix: every route × every caller', () => {
  let db: TestDatabase;
  const services = new Map<AppName, ServiceUnderTest>();
  const headers = new Map<CallerName, Record<string, string>>();
  const params = new Map<AppName, Record<string, string>>();
  const namespace = uniqueName('am');

  const SPECS: [
    AppName,
    (o: ServiceOverrides) => ReturnType<typeof IntakeModule.register>,
    DatabaseDefinition,
  ][] = [
    ['hospital-intake', (o) => IntakeModule.register(o), INTAKE_DB],
    ['registration', (o) => RegistrationModule.register(o), REGISTRATION_DB],
    ['rehab-site', (o) => RehabModule.register(o), REHAB_DB],
    ['employment-referral', (o) => EmploymentModule.register(o), EMPLOYMENT_DB],
    ['ops-monitor', (o) => OpsModule.register(o), OPS_DB],
  ];

  async function call(
    app: AppName,
    method: string,
    path: string,
    caller: CallerName,
    body?: unknown,
    contentType = 'application/json',
    stream = false,
  ): Promise<{ status: number; body: string; contentType: string }> {
    const ended = new AbortController();
    const response = await fetch(`${services.get(app)!.url}${path}`, {
      method,
      signal: ended.signal,
      headers: {
        ...headers.get(caller),
        ...(body !== undefined ? { 'content-type': contentType } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    if (stream && response.status === 200) {
      ended.abort();
      return { status: 200, body: '', contentType: response.headers.get('content-type') ?? '' };
    }
    const text = await response.text();
    // Every answer on a FHIR path, refusals included, is checked against the official FHIR R4 JSON schema.
    if (app === 'hospital-intake' && FHIR_PATH.test(path)) {
      expectValidFhir(text, `${method} ${path} as ${caller} → ${response.status}`);
    }
    return {
      status: response.status,
      body: text,
      contentType: response.headers.get('content-type') ?? '',
    };
  }

  beforeAll(async () => {
    db = await testDatabase();
    for (const [name, register, database] of SPECS) {
      services.set(name, await startService({ register, database, namespace }));
    }
    // Callers.
    const config = loadAuthConfig();
    headers.set('anonymous', {});
    for (const [name, org] of Object.entries(ORGS)) headers.set(name as CallerName, { 'x-api-key': org.key });
    for (const [name, role] of Object.entries(OPS)) headers.set(name as CallerName, await opsHeaders(role));
    const forged = await mintOpsToken(
      { ...config, jwtSecret: `${DEV_OPS_JWT_SECRET} but not ours` },
      { subject: 'mallory', roles: ['ops-admin'] },
    );
    const expired = await mintOpsToken(config, { subject: 'late', roles: ['ops-admin'], ttlSeconds: -60 });
    const wrongAudience = await mintOpsToken(
      { ...config, jwtAudience: 'someone-else' },
      { subject: 'elsewhere', roles: ['ops-admin'] },
    );
    headers.set('forgedJwt', { authorization: `Bearer ${forged}` });
    headers.set('expiredJwt', { authorization: `Bearer ${expired}` });
    headers.set('wrongAudienceJwt', { authorization: `Bearer ${wrongAudience}` });
    for (const service of services.values()) {
      await upsertApiKeys(
        (sql, values) => db.query(sql, values),
        service.schema,
        Object.values(ORGS).map((o) => ({
          organisationId: o.id,
          organisationKind: o.kind,
          organisationName: o.id,
          divisionCode: o.division,
          apiKey: o.key,
        })),
      );
      const s = `"${service.schema}"`;
      await db.query(
        `UPDATE ${s}.api_key SET expires_at = now() - interval '1 minute' WHERE organisation_id = $1`,
        [ORGS.expiredKey.id],
      );
      await db.query(`UPDATE ${s}.api_key SET revoked_at = now() WHERE organisation_id = $1`, [
        ORGS.revokedKey.id,
      ]);
    }
    // Objects owned by one organisation.
    const intake = services.get('hospital-intake')!;
    await db.query(
      `INSERT INTO "${intake.schema}".hospital (id, name, level, county_division_code, kind, on_call_name, on_call_phone)
       VALUES ($1, $1, 'secondary', '610902', 'psychiatric', '总值班', '0915-0000000')`,
      [ORGS.hospital.id],
    );
    const referral = await call('hospital-intake', 'POST', '/v1/discharges', 'hospital', discharge());
    expect(referral.status).toBe(201);
    const referralId = (JSON.parse(referral.body) as { referralId: string }).referralId;
    const caseId = randomUUID();
    await db.query(
      `INSERT INTO "${intake.schema}".green_case (event_id, referral_id, site_id, observed_risk_level, reported_at,
         status, hospital_id, route, step, tried_hospital_ids, notified_at, answer_due_at)
       VALUES ($1, $2, 'site-1', 2, now(), 'offered', $3, 'discharging-hospital', 1, ARRAY[$3], now(),
               now() + interval '30 minutes')`,
      [caseId, referralId, ORGS.hospital.id],
    );
    params.set('hospital-intake', { id: referralId, caseId, heldId: randomUUID(), file: 'desk.js' });
    const application = await call('registration', 'POST', '/v1/applications', 'familyPortal', {
      channel: 'family',
      patient: person(),
      needs: ['day-care'],
      consents: [],
    });
    expect(application.status).toBe(201);
    const filed = JSON.parse(application.body) as { applicationId: string; registrationId: string };
    params.set('registration', { id: filed.applicationId, registrationId: filed.registrationId });
    params.set('rehab-site', { siteId: ORGS.site.id, referralId: randomUUID(), file: 'workbench.js' });
    params.set('employment-referral', { providerId: ORGS.employmentProvider.id, referralId: randomUUID() });
    for (const name of services.keys()) {
      await waitFor(async () => (await call(name, 'GET', '/health/ready', 'opsViewer')).status === 200, {
        message: `${name} ready`,
      });
    }
  });

  afterAll(async () => {
    await closeServices(services.values(), namespace, db);
  });

  it.each(SPECS.map(([name]) => name))('%s: every route has a policy row and every row a route', (name) => {
    const routes = routesOf(services.get(name)!.app);
    expect(routes).toEqual(Object.keys(POLICY[name]).sort());
  });

  it.each(SPECS.map(([name]) => name))('%s: every cell answers as the policy says', async (name) => {
    const failures: string[] = [];
    let cells = 0;
    for (const [route, row] of Object.entries(POLICY[name])) {
      const [method, pattern] = route.split(' ');
      const values = params.get(name) ?? {};
      // The callers of one route in parallel (each cell is independent; the routes stay in order).
      const check = async (caller: CallerName) => {
        const path =
          pattern === '/docs/*'
            ? '/docs/index.html'
            : pattern.replace(/:(\w+)/g, (_, p: string) =>
                p === 'id' && /^(\/v1)?\/registrations/.test(pattern)
                  ? values.registrationId
                  : (values[p] ?? randomUUID()),
              );
        const answer = await call(name, method, path, caller, row.body, row.contentType, row.stream);
        const want = expected(row, caller);
        cells++;
        if (answer.status !== want)
          failures.push(`${route} as ${caller}: ${answer.status}, expected ${want}`);
        if (
          [401, 403, 404].includes(want) &&
          answer.status === want &&
          !row.public &&
          !FHIR_ROUTE.test(route)
        ) {
          // Refusals are problem+json with a stable code, and never leak the object.
          if (!answer.contentType.startsWith('application/problem+json')) {
            failures.push(`${route} as ${caller}: ${want} without problem+json (${answer.contentType})`);
          }
        }
        if (FHIR_ROUTE.test(route) && [401, 403].includes(want) && answer.status === want) {
          // FHIR clients get an OperationOutcome naming the code.
          if (!answer.body.includes('"OperationOutcome"'))
            failures.push(`${route} as ${caller}: no OperationOutcome`);
        }
      };
      await Promise.all(CALLERS.map(check));
    }
    expect(failures).toEqual([]);
    expect(cells).toBe(Object.keys(POLICY[name]).length * CALLERS.length);
  });
  it('should answer an unknown path with 404 problem+json, whoever asks', async () => {
    for (const caller of ['anonymous', 'hospital', 'opsAdmin'] as CallerName[]) {
      const answer = await call('ops-monitor', 'GET', `/no-such-path-${tag}`, caller);
      expect(answer.status).toBe(404);
      expect(answer.contentType).toContain('application/problem+json');
    }
  });

  it('should rotate a key with a grace period, and let ops issue and revoke keys', async () => {
    const app: AppName = 'employment-referral';
    const url = services.get(app)!.url;
    const schema = `"${services.get(app)!.schema}"`;
    const asKey = (key: string, path = '/v1/auth/api-key/rotation', method = 'POST') =>
      fetch(`${url}${path}`, { method, headers: { 'x-api-key': key } });
    // An ops admin issues a key for a new provider (only the kinds this service serves).
    const issued = await call(app, 'POST', '/v1/admin/api-keys', 'opsAdmin', {
      organisationId: `emp-new-${tag}`,
      organisationKind: 'employment-provider',
      organisationName: '安康市残联 就业服务中心',
      divisionCode: '610902',
    });
    expect(issued.status).toBe(201);
    const first = JSON.parse(issued.body) as { apiKey: string; key: { id: string; prefix: string } };
    expect(first.apiKey).toMatch(/^rbk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(first.apiKey.slice(4, 12)).toBe(first.key.prefix);
    const stored = await db.query(`SELECT * FROM ${schema}.api_key WHERE id = $1`, [first.key.id]);
    expect(JSON.stringify(stored)).not.toContain(first.apiKey.slice(13));
    const wrongKind = await call(app, 'POST', '/v1/admin/api-keys', 'opsAdmin', {
      organisationId: `h-new-${tag}`,
      organisationKind: 'hospital',
      organisationName: 'not served here',
      divisionCode: '610902',
    });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body).toContain('ORGANISATION_KIND_NOT_SERVED');
    const unknownField = await call(app, 'POST', '/v1/admin/api-keys', 'opsAdmin', {
      organisationId: `emp-x-${tag}`,
      organisationKind: 'employment-provider',
      organisationName: 'x',
      divisionCode: '610902',
      isAdmin: true,
    });
    expect(unknownField.status).toBe(400);

    // The provider rotates: the new key works at once, the old one until the grace period ends.
    const rotated = await asKey(first.apiKey);
    expect(rotated.status).toBe(201);
    const second = (await rotated.json()) as {
      apiKey: string;
      key: { id: string };
      previousKeyExpiresAt: string;
    };
    const grace = Date.parse(second.previousKeyExpiresAt) - Date.now();
    expect(grace).toBeGreaterThan(23.9 * 3_600_000);
    expect(grace).toBeLessThanOrEqual(24 * 3_600_000);
    expect((await asKey(second.apiKey, '/v1/admin/api-keys', 'GET')).status).toBe(403); // authenticated, not ops
    expect((await asKey(first.apiKey, '/v1/admin/api-keys', 'GET')).status).toBe(403); // still in its grace
    await db.query(`UPDATE ${schema}.api_key SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      first.key.id,
    ]);
    expect((await asKey(first.apiKey, '/v1/admin/api-keys', 'GET')).status).toBe(401); // grace over

    // Ops revoke the new key: it stops at once; revoking again is 404; only ops-admin may revoke.
    expect((await call(app, 'DELETE', `/v1/admin/api-keys/${second.key.id}`, 'opsViewer')).status).toBe(403);
    expect((await call(app, 'DELETE', `/v1/admin/api-keys/${second.key.id}`, 'opsAdmin')).status).toBe(200);
    expect((await asKey(second.apiKey, '/v1/admin/api-keys', 'GET')).status).toBe(401);
    expect((await call(app, 'DELETE', `/v1/admin/api-keys/${second.key.id}`, 'opsAdmin')).status).toBe(404);
    const listed = await call(app, 'GET', `/v1/admin/api-keys?organisationId=emp-new-${tag}`, 'auditor');
    expect(JSON.parse(listed.body)).toHaveLength(2);
    expect(listed.body).not.toContain(second.apiKey.slice(13));
    expect((await call(app, 'GET', '/v1/admin/api-keys?limit=201', 'opsAdmin')).status).toBe(400);
  });

  it('should refuse a request that carries both an API key and a JWT', async () => {
    const response = await fetch(`${services.get('hospital-intake')!.url}/v1/hospitals/me`, {
      headers: { 'x-api-key': ORGS.hospital.key, ...headers.get('opsAdmin') },
    });
    expect(response.status).toBe(401);
  });
  it('should answer 404 when another organisation acts on an object, and change nothing', async () => {
    const { id, registrationId } = params.get('registration')!;
    const before = await db.query(
      `SELECT status FROM "${services.get('registration')!.schema}".application WHERE id = $1`,
      [id],
    );
    const verify = await call(
      'registration',
      'POST',
      `/v1/applications/${id}/verification`,
      'otherCountyCentre',
      {
        outcome: 'verified',
      },
    );
    expect(verify.status).toBe(404);
    const consent = await call(
      'registration',
      'POST',
      `/v1/registrations/${registrationId}/consents`,
      'otherFamilyPortal',
      {
        purpose: 'community-rehab',
        grantedBy: 'patient',
        method: 'signed-at-hospital',
        grantedAt: new Date().toISOString(),
      },
    );
    expect(consent.status).toBe(404);
    const withdraw = await call(
      'registration',
      'POST',
      `/v1/registrations/${registrationId}/consent-withdrawals`,
      'otherCountyCentre',
      { purpose: 'community-rehab', withdrawnBy: 'patient' },
    );
    expect(withdraw.status).toBe(404);
    const after = await db.query(
      `SELECT status FROM "${services.get('registration')!.schema}".application WHERE id = $1`,
      [id],
    );
    expect(after).toEqual(before);
    // The owning centre (same county) may act on it.
    const own = await call('registration', 'POST', `/v1/applications/${id}/verification`, 'countyCentre', {
      outcome: 'verified',
    });
    expect(own.status).toBe(200);
  });

  it('should rate-limit per principal (429 problem+json with Retry-After) and per IP before authentication', async () => {
    const limited = await startService({
      register: (o) =>
        OpsModule.register({ ...o, auth: { rateLimit: 3, ipRateLimit: 8, rateLimitWindowMs: 60_000 } }),
      database: OPS_DB,
      namespace,
    });
    try {
      const get = (path: string, h: Record<string, string> = {}) =>
        fetch(`${limited.url}${path}`, { headers: h });
      const viewer = headers.get('opsViewer')!;
      for (let i = 0; i < 3; i++) expect((await get('/metrics', viewer)).status).toBe(200);
      const refused = await get('/metrics', viewer);
      expect(refused.status).toBe(429);
      expect(refused.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { code: string }).code).toBe('RATE_LIMITED');
      // Another principal has its own budget.
      expect((await get('/metrics', headers.get('opsAdmin'))).status).toBe(200);
      // Every request counts against the IP (5 so far), guesses with wrong keys too: the budget of 8 ends
      // guessing with 429, and then even a valid credential is refused before it is looked at.
      const guesses: number[] = [];
      for (let i = 0; i < 4; i++) guesses.push((await get('/metrics', { 'x-api-key': orgKey() })).status);
      expect(guesses).toEqual([401, 401, 401, 429]);
      const afterBudget = await get('/metrics', headers.get('opsAdmin'));
      expect(afterBudget.status).toBe(429);
      expect(afterBudget.headers.get('content-type')).toContain('application/problem+json');
      expect(Number(afterBudget.headers.get('retry-after'))).toBeGreaterThan(0);
      // Liveness probes are never limited.
      expect((await get('/health/live')).status).toBe(200);
    } finally {
      await limited.close();
      await db.dropSchemas(limited.schema);
    }
  });
  it('should refuse unknown query parameters and page sizes above the cap on list endpoints (400)', async () => {
    const cases: [AppName, string, CallerName][] = [
      ['ops-monitor', '/v1/admin/api-keys?limit=201', 'opsAdmin'],
      ['ops-monitor', '/v1/admin/api-keys?sort=secret', 'opsAdmin'],
      ['ops-monitor', '/v1/admin/dead-letters?limit=501', 'opsAdmin'],
      ['ops-monitor', '/v1/admin/dead-letters?payload=true', 'opsAdmin'],
      ['rehab-site', '/v1/admin/sites?limit=501', 'opsAdmin'],
      ['rehab-site', '/v1/admin/sites?owner=x', 'opsAdmin'],
      ['rehab-site', `/v1/sites/${ORGS.site.id}/referrals?limit=1001`, 'site'],
      ['rehab-site', `/v1/sites/${ORGS.site.id}/referrals?siteId=${ORGS.otherSite.id}`, 'site'],
      ['employment-referral', '/v1/admin/providers?limit=501', 'opsAdmin'],
      [
        'employment-referral',
        `/v1/providers/${ORGS.employmentProvider.id}/referrals?limit=1001`,
        'employmentProvider',
      ],
      [
        'employment-referral',
        `/v1/providers/${ORGS.employmentProvider.id}/referrals?providerId=${ORGS.otherEmploymentProvider.id}`,
        'employmentProvider',
      ],
      ['hospital-intake', '/v1/green-cases?limit=1001', 'hospital'],
      ['hospital-intake', `/v1/green-cases?hospitalId=${ORGS.otherHospital.id}`, 'hospital'],
      ['hospital-intake', '/v1/admin/hospitals?limit=501', 'opsAdmin'],
    ];
    for (const [app, path, caller] of cases) {
      expect({ path, status: (await call(app, 'GET', path, caller)).status }).toEqual({ path, status: 400 });
    }
  });
  it('should let ops list dead letters and an ops-admin replay one over HTTP', async () => {
    const app: AppName = 'employment-referral';
    const schema = `"${services.get(app)!.schema}"`;
    const id = randomUUID();
    await db.query(
      `INSERT INTO ${schema}.dead_letter (id, consumer, stream, stream_seq, subject, event_id, event_type, payload,
                                         error_code, error_message, deliveries)
       VALUES ($1, 'test-consumer', 'REFERRAL', 1, $2, $3, 'test', '{}', 'TEST_POISON', 'poison', 5)`,
      [id, EVENTS.referralDischarged.subject, randomUUID()],
    );
    const listed = await call(app, 'GET', '/v1/admin/dead-letters', 'auditor');
    expect(JSON.parse(listed.body)).toEqual([
      expect.objectContaining({ id, errorCode: 'TEST_POISON', replayedAt: null }),
    ]);
    expect(listed.body).not.toContain('payload');
    expect((await call(app, 'POST', `/v1/admin/dead-letters/${id}/replay`, 'opsViewer')).status).toBe(403);
    const replayed = await call(app, 'POST', `/v1/admin/dead-letters/${id}/replay`, 'opsAdmin');
    expect(replayed.status).toBe(200);
    const { replayMessageId } = JSON.parse(replayed.body) as { replayMessageId: string };
    expect(await db.count(`SELECT count(*) FROM ${schema}.outbox WHERE id = $1`, [replayMessageId])).toBe(1);
    expect(JSON.parse((await call(app, 'GET', '/v1/admin/dead-letters', 'opsViewer')).body)).toEqual([]);
  });
});
