import {
  defaultPortOf,
  defaultSchemaOf,
  SERVICE_CATALOGUE,
  SERVICE_NAMES,
  SERVICES,
  STAFF_PAGES,
  staffPagePathOf,
} from './services';

describe('service catalogue', () => {
  it('should list every service once, in start order, under the names SERVICES gives them', () => {
    expect(SERVICE_NAMES).toEqual([
      SERVICES.hospitalIntake,
      SERVICES.registration,
      SERVICES.rehabSite,
      SERVICES.employmentReferral,
      SERVICES.opsMonitor,
    ]);
    expect(new Set(SERVICE_NAMES).size).toBe(SERVICE_NAMES.length);
  });

  it('should give every service its own port and its own schema, a lower-case SQL identifier', () => {
    expect(new Set(SERVICE_CATALOGUE.map((s) => s.port)).size).toBe(SERVICE_CATALOGUE.length);
    expect(new Set(SERVICE_CATALOGUE.map((s) => s.schema)).size).toBe(SERVICE_CATALOGUE.length);
    for (const service of SERVICE_CATALOGUE) {
      expect(service.schema).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
      expect(defaultSchemaOf(service.name)).toBe(service.schema);
      expect(defaultPortOf(service.name)).toBe(service.port);
    }
  });

  it('should give the staff page of the services that serve one, as one path segment', () => {
    expect(STAFF_PAGES).toEqual({ hospitalIntake: 'desk', rehabSite: 'workbench' });
    expect(staffPagePathOf(SERVICES.rehabSite)).toBe('/workbench');
    expect(staffPagePathOf(SERVICES.hospitalIntake)).toBe('/desk');
    expect(staffPagePathOf(SERVICES.registration)).toBeUndefined();
    for (const service of SERVICE_CATALOGUE) {
      if (service.staffPage !== undefined) expect(service.staffPage).toMatch(/^[a-z][a-z0-9-]*$/);
    }
  });
});
