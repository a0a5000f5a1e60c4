/**
 * The service catalogue: every service once, in start order, with its default HTTP port and its own Postgres
 * schema (nobody reads another's). Config, `npm start`, the bench, the test fleet and CI all read this table
 * (CI through a `node -e` call on the build); nothing else lists the services.
 */
const CATALOGUE = {
  hospitalIntake: { name: 'hospital-intake', port: 3001, schema: 'hospital_intake' },
  registration: { name: 'registration', port: 3002, schema: 'registration' },
  rehabSite: { name: 'rehab-site', port: 3003, schema: 'rehab_site' },
  employmentReferral: { name: 'employment-referral', port: 3004, schema: 'employment_referral' },
  opsMonitor: { name: 'ops-monitor', port: 3005, schema: 'ops_monitor' },
} as const;

type CatalogueKey = keyof typeof CATALOGUE;

/** The services on the bus. The value is the CloudEvents `source` of everything the service publishes. */
export const SERVICES = Object.fromEntries(
  Object.entries(CATALOGUE).map(([key, entry]) => [key, entry.name]),
) as { readonly [K in CatalogueKey]: (typeof CATALOGUE)[K]['name'] };

export type ServiceName = (typeof SERVICES)[CatalogueKey];

export interface ServiceEntry {
  readonly name: ServiceName;
  /** Default HTTP port (HTTP_PORT overrides it). */
  readonly port: number;
  /** Default Postgres schema (DB_SCHEMA overrides it). */
  readonly schema: string;
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
