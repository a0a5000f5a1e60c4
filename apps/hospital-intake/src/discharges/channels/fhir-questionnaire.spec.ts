import type { QuestionnaireResponse } from 'fhir/r4';
import { answerValue, mapQuestionnaireResponse } from './fhir-questionnaire';

const AT = 'Bundle.entry[0].resource';

describe('QuestionnaireResponse → discharge assessment', () => {
  it.each([
    [{ valueBoolean: false }, false],
    [{ valueInteger: 2 }, 2],
    [{ valueDecimal: 61.5 }, 61.5],
    [{ valueString: 'stable' }, 'stable'],
    [{ valueDate: '2026-11-20' }, '2026-11-20'],
    [{ valueDateTime: '2026-11-20T10:30:00+08:00' }, '2026-11-20T10:30:00+08:00'],
    [{ valueTime: '10:30:00' }, '10:30:00'],
    [{ valueUri: 'urn:x' }, 'urn:x'],
    [{ valueCoding: { code: 'unstable' } }, 'unstable'],
    [{ valueQuantity: { value: 6 } }, 6],
    [{ valueReference: { reference: 'Practitioner/1' } }, undefined],
  ])('should read the answer %j as %j', (answer, value) => {
    expect(answerValue(answer)).toEqual(value);
  });

  it('should read items nested in groups and under answers, and the referral from encounter', () => {
    const qr: QuestionnaireResponse = {
      resourceType: 'QuestionnaireResponse',
      status: 'completed',
      authored: '2026-11-21T09:00:00+08:00',
      encounter: { reference: 'Encounter/ZY2026-000123' },
      item: [
        {
          linkId: 'group',
          item: [
            { linkId: 'risk-level', answer: [{ valueString: '2' }] },
            {
              linkId: 'condition-status',
              answer: [
                {
                  valueCoding: { code: 'stable' },
                  item: [{ linkId: 'employment-interest', answer: [{ valueCoding: { code: 'Y' } }] }],
                },
              ],
            },
            { linkId: 'psp', answer: [{ valueDecimal: 55 }] },
          ],
        },
      ],
    };

    const mapping = mapQuestionnaireResponse(qr, AT);

    expect(mapping.problems).toEqual([]);
    expect(mapping.which).toEqual({ encounterId: 'ZY2026-000123' });
    expect(mapping.assessment).toEqual({
      riskLevel: 2,
      conditionStatus: 'stable',
      functionalScores: [{ instrument: 'psp', score: 55 }],
      rehabNeeds: [],
      employmentInterest: true,
      assessedAt: '2026-11-21T09:00:00+08:00',
    });
    expect(mapping.sources.get('#/conditionStatus')).toBe(`${AT}.item[0].item[1].answer[0]`);
  });

  it('should name a question without an answer as missing', () => {
    const mapping = mapQuestionnaireResponse(
      {
        resourceType: 'QuestionnaireResponse',
        status: 'completed',
        basedOn: [{ reference: 'ServiceRequest/0b7f6a0e-1c1b-4f7e-9d5e-3f2a1b4c5d6e' }],
        item: [
          { linkId: 'risk-level' },
          { linkId: 'condition-status', answer: [{ valueCoding: { code: 'stable' } }] },
        ],
      },
      AT,
    );

    expect(mapping.which).toEqual({ referralId: '0b7f6a0e-1c1b-4f7e-9d5e-3f2a1b4c5d6e' });
    expect(mapping.assessment).toBeUndefined();
    expect(mapping.problems).toEqual([
      { pointer: `${AT}.item.where(linkId='risk-level')`, detail: expect.stringMatching(/is required/) },
    ]);
  });
});
