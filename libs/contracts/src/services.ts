/** The services on the bus. The value is the CloudEvents `source` of everything the service publishes. */
export const SERVICES = {
  hospitalIntake: 'hospital-intake',
  registration: 'registration',
  rehabSite: 'rehab-site',
  employmentReferral: 'employment-referral',
  opsMonitor: 'ops-monitor',
} as const;

export type ServiceName = (typeof SERVICES)[keyof typeof SERVICES];

export const SERVICE_NAMES: readonly ServiceName[] = Object.values(SERVICES);

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

/** Each service owns one Postgres schema; nobody reads another's. */
export function defaultSchemaOf(service: ServiceName): string {
  return service.replace(/-/g, '_');
}
