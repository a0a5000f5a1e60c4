import { EventDefinition, EVENTS } from './events';
import { eventDataSchemas } from './json-schema';
import { SERVICES } from './services';

/** Clinical names no employment event may carry (diagnosis, ICD code, risk, colour grade, hospital, condition). */
const CLINICAL = /diagnos|icd|risk|colou?r|grade|hospital|condition|symptom|medicat|psychiatr/i;

function propertyNames(schema: unknown): string[] {
  if (Array.isArray(schema)) return schema.flatMap(propertyNames);
  if (!schema || typeof schema !== 'object') return [];
  const record = schema as Record<string, unknown>;
  const own =
    record.properties && typeof record.properties === 'object' ? Object.keys(record.properties) : [];
  return [...own, ...Object.values(record).flatMap(propertyNames)];
}

describe('employment contracts carry no clinical data', () => {
  const employmentEvents = Object.values<EventDefinition>(EVENTS).filter(
    (e) => e.stream === 'EMPLOYMENT' || e.stream === 'PROVIDER' || e.producer === SERVICES.employmentReferral,
  );

  it('should cover every employment and per-provider event', () => {
    expect(employmentEvents.length).toBe(15);
  });

  it.each(employmentEvents.map((e) => [e.type, e] as const))('%s has no clinical field', (_type, event) => {
    const names = propertyNames(eventDataSchemas()[event.type]);
    expect(names.length).toBeGreaterThan(1);
    expect(names.filter((n) => CLINICAL.test(n))).toEqual([]);
  });

  it('should notice a clinical field where there is one (the check can fail)', () => {
    const names = propertyNames(eventDataSchemas()[EVENTS.referralAssessed.type]);
    expect(names.filter((n) => CLINICAL.test(n))).toEqual(
      expect.arrayContaining(['riskLevel', 'colourGrade', 'hospitalId']),
    );
  });
});
