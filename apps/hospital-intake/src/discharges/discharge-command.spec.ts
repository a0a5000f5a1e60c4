import { DomainException, FieldError } from '@app/core';
import { dischargeRequest } from '@app/testing';
import { toAssessmentCommand, toDischargeCommand } from './discharge-command';

async function errorsOf(plain: unknown): Promise<FieldError[]> {
  try {
    await toDischargeCommand(plain);
  } catch (error) {
    if (error instanceof DomainException) return (error.details as { errors: FieldError[] }).errors;
    throw error;
  }
  throw new Error('the command was accepted');
}

describe('toDischargeCommand', () => {
  const valid = () => dischargeRequest(1, { encounterId: 'ZY2026-000123' });

  it('should accept a valid discharge', async () => {
    await expect(toDischargeCommand(valid())).resolves.toMatchObject({ encounterId: 'ZY2026-000123' });
  });

  it('should say once that an absent required field is required, not once per rule', async () => {
    const { encounterId: _absent, ...rest } = valid();
    expect(await errorsOf(rest)).toEqual([
      { pointer: '#/encounterId', code: 'REQUIRED', detail: 'encounterId is required' },
    ]);
  });

  it('should name the broken rule of a field that is present, as its code', async () => {
    const errors = await errorsOf({ ...valid(), encounterId: 'has spaces' });
    expect(errors).toEqual([
      {
        pointer: '#/encounterId',
        code: expect.stringMatching(/^[A-Z0-9_]+$/),
        detail: 'encounterId must be printable ASCII without spaces',
      },
    ]);
  });

  it('should refuse a command that is no JSON object with the code the HTTP pipe gives', async () => {
    for (const plain of [[valid()], 'discharge', 42, null]) {
      expect(await errorsOf(plain)).toEqual([
        { pointer: '#', code: 'NOT_AN_OBJECT', detail: 'the discharge must be a JSON object' },
      ]);
    }
    await expect(toAssessmentCommand([])).rejects.toMatchObject({
      details: {
        errors: [{ pointer: '#', code: 'NOT_AN_OBJECT', detail: 'the assessment must be a JSON object' }],
      },
    });
  });
});
