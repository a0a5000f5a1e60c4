import { FhirMappingError, mapFhirBundle } from './fhir.mapper';

const bundle = (entries: object[]) => ({
  resourceType: 'Bundle',
  type: 'transaction',
  entry: entries.map((resource) => ({ resource })),
});

const PATIENT = {
  resourceType: 'Patient',
  identifier: [{ type: { coding: [{ code: 'NNCHN' }] }, value: '11010519491231002X' }],
  name: [{ family: '陈', given: ['建国'] }],
  gender: 'male',
  birthDate: '1949-12-31',
  address: [{ text: '西大街 8 号', district: '610902001003' }],
};
const ENCOUNTER = {
  resourceType: 'Encounter',
  id: 'enc-1',
  status: 'finished',
  period: { start: '2026-10-01T09:00:00+08:00', end: '2026-11-19T10:00:00+08:00' },
};
const CONDITION = {
  resourceType: 'Condition',
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'F20.0' }] },
};
const REQUEST = { resourceType: 'ServiceRequest', status: 'active', intent: 'order' };

describe(mapFhirBundle.name, () => {
  it('should read the patient, encounter and diagnoses, falling back to Encounter.id and a numeric district', () => {
    const mapping = mapFhirBundle(bundle([PATIENT, ENCOUNTER, CONDITION, REQUEST]));
    const { command, sources } = mapping;

    expect(command).toMatchObject({
      encounterId: 'enc-1',
      dischargedAt: '2026-11-19T10:00:00+08:00',
      patient: {
        name: '陈建国',
        idNumber: '11010519491231002X',
        sex: 'male',
      },
      diagnoses: [{ code: 'F20.0' }],
    });
    expect(mapping.residence.codes).toEqual([
      { code: '610902001003', at: 'Bundle.entry[0].resource.address[0].district' },
    ]);
    expect(sources.get('#/assessment/riskLevel')).toBe('Bundle.entry.resource.ofType(Observation)');
  });

  it('should name each missing or repeated resource (the ServiceRequest is optional, but only one)', () => {
    expect(() => mapFhirBundle(bundle([PATIENT, ENCOUNTER, CONDITION]))).not.toThrow();
    try {
      mapFhirBundle(bundle([PATIENT, PATIENT, CONDITION, REQUEST, REQUEST]));
      throw new Error('mapped');
    } catch (error) {
      expect(error).toBeInstanceOf(FhirMappingError);
      expect((error as FhirMappingError).errors.map((e) => e.pointer)).toEqual([
        'Bundle.entry.resource.ofType(Patient)',
        'Bundle.entry.resource.ofType(Encounter)',
        'Bundle.entry.resource.ofType(ServiceRequest)',
      ]);
    }
  });

  it('should refuse what is not a Bundle, and a Bundle of another type', () => {
    expect(() => mapFhirBundle({ resourceType: 'Patient' })).toThrow(FhirMappingError);
    expect(() =>
      mapFhirBundle({ ...bundle([PATIENT, ENCOUNTER, CONDITION, REQUEST]), type: 'searchset' }),
    ).toThrow(FhirMappingError);
  });

  it('should refuse unknown top-level Bundle elements and accept its own (issue 14: they were ignored)', () => {
    const base = bundle([PATIENT, ENCOUNTER, CONDITION, REQUEST]);
    try {
      mapFhirBundle({ ...base, smuggled: true, extension: [] });
      throw new Error('mapped');
    } catch (error) {
      expect(error).toBeInstanceOf(FhirMappingError);
      expect((error as FhirMappingError).errors.map((e) => e.pointer)).toEqual([
        'Bundle.smuggled',
        'Bundle.extension',
      ]);
    }
    expect(() =>
      mapFhirBundle({ ...base, id: 'b1', timestamp: '2026-11-19T10:00:00+08:00', _timestamp: {} }),
    ).not.toThrow();
  });
  it('should check each element by its R4 type: one Identifier on the Bundle and a Reference, a list on a resource', () => {
    const pointers = (input: unknown) => {
      try {
        mapFhirBundle(input);
        return [];
      } catch (error) {
        return (error as FhirMappingError).errors.map((e) => `${e.pointer}: ${e.detail}`);
      }
    };
    const single = { system: 'urn:oid:1.2.156.112604.1.2.1', value: 'DS-1' };
    const valid = {
      ...bundle([
        PATIENT,
        { ...ENCOUNTER, serviceProvider: { reference: 'Organization/o1', identifier: single } },
        CONDITION,
        { resourceType: 'Organization', id: 'o1', name: '安康市精神卫生中心' },
      ]),
      identifier: single,
    };
    expect(pointers(valid)).toEqual([]);
    expect(
      pointers({
        ...bundle([{ ...PATIENT, identifier: single, name: '陈建国' }, ENCOUNTER, CONDITION]),
        identifier: [single],
      }),
    ).toEqual([
      'Bundle.entry[0].resource.identifier: identifier must be an array of elements',
      'Bundle.entry[0].resource.name: name must be an array of elements',
      'Bundle.identifier: identifier must be an element (a JSON object)',
    ]);
    expect(
      pointers(
        bundle([
          PATIENT,
          ENCOUNTER,
          { ...CONDITION, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 20 }] } },
        ]),
      ),
    ).toEqual(['Bundle.entry[2].resource.code.coding[0].code: code must be a string']);
  });
});
