/**
 * The service catalogue: every service once, in start order, with its default HTTP port, its own Postgres
 * schema (nobody reads another's) and, for a service with one, the path of its staff page. Config, `npm start`,
 * the bench, the test fleet and CI all read this table (CI through a `node -e` call on the build); nothing else
 * lists the services.
 */
const CATALOGUE = {
  hospitalIntake: { name: 'hospital-intake', port: 3001, schema: 'hospital_intake', staffPage: 'desk' },
  registration: { name: 'registration', port: 3002, schema: 'registration' },
  rehabSite: { name: 'rehab-site', port: 3003, schema: 'rehab_site', staffPage: 'workbench' },
  employmentReferral: { name: 'employment-referral', port: 3004, schema: 'employment_referral' },
  opsMonitor: { name: 'ops-monitor', port: 3005, schema: 'ops_monitor' },
} as const;

type CatalogueKey = keyof typeof CATALOGUE;

/** The services on the bus. The value is the CloudEvents `source` of everything the service publishes. */
export const SERVICES = Object.fromEntries(
  Object.entries(CATALOGUE).map(([key, entry]) => [key, entry.name]),
) as { readonly [K in CatalogueKey]: (typeof CATALOGUE)[K]['name'] };

export type ServiceName = (typeof SERVICES)[CatalogueKey];

type StaffPageKey = {
  [K in CatalogueKey]: (typeof CATALOGUE)[K] extends { staffPage: string } ? K : never;
}[CatalogueKey];

/**
 * The staff page of each service that serves one, as the path segment its page controller is mounted on
 * (`@Controller(STAFF_PAGES.rehabSite)` serves /workbench); `npm start` prints its address for the demo staff.
 */
export const STAFF_PAGES = Object.fromEntries(
  Object.entries(CATALOGUE).flatMap(([key, entry]) => ('staffPage' in entry ? [[key, entry.staffPage]] : [])),
) as { readonly [K in StaffPageKey]: (typeof CATALOGUE)[K]['staffPage'] };

export interface ServiceEntry {
  readonly name: ServiceName;
  /** Default HTTP port (HTTP_PORT overrides it). */
  readonly port: number;
  /** Default Postgres schema (DB_SCHEMA overrides it). */
  readonly schema: string;
  /** The path segment of the service's staff page (`workbench` for /workbench), when it serves one. */
  readonly staffPage?: string;
}

/** Every service, in start order. */
export const SERVICE_CATALOGUE: readonly ServiceEntry[] = Object.values(CATALOGUE);

export const SERVICE_NAMES: readonly ServiceName[] = SERVICE_CATALOGUE.map((s) => s.name);

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

export function serviceEntry(service: ServiceName): ServiceEntry {
  return SERVICE_CATALOGUE.find((s) => s.name === service)!;
}

/** Each service owns one Postgres schema; nobody reads another's. */
export function defaultSchemaOf(service: ServiceName): string {
  return serviceEntry(service).schema;
}

/** The HTTP port a service listens on unless HTTP_PORT says otherwise. */
export function defaultPortOf(service: ServiceName): number {
  return serviceEntry(service).port;
}

/** The path of a service's staff page (`/workbench`), or undefined when it serves none. */
export function staffPagePathOf(service: ServiceName): string | undefined {
  const page = serviceEntry(service).staffPage;
  return page === undefined ? undefined : `/${page}`;
}
