import { isHoldableField, shouldHold } from './holdable';

describe('held discharges: which problems keep a message as held', () => {
  it('should hold for the registration fields and their children only', () => {
    expect(isHoldableField('#/patient/idNumber')).toBe(true);
    expect(isHoldableField('#/patient/guardian/name')).toBe(true);
    expect(isHoldableField('#/consents/0/grantedBy')).toBe(true);
    expect(isHoldableField('#/patient')).toBe(false);
    expect(isHoldableField('#/patient/idNumberX')).toBe(false);
    expect(isHoldableField('#/diagnoses/0/code')).toBe(false);
    expect(isHoldableField('#/dischargedAt')).toBe(false);
    expect(isHoldableField('#/encounterId')).toBe(false);
  });

  it('should hold only a message that names its patient and lacks nothing else', () => {
    const id = { field: '#/patient/idNumber', pointer: 'PID^1^3', code: 'ID_NUMBER_MISSING', detail: 'x' };
    const dates = { field: '#/dischargedAt', pointer: 'PV1^1^45', detail: 'y' };
    expect(shouldHold([id], true)).toBe(true);
    expect(shouldHold([id], false)).toBe(false);
    expect(shouldHold([id, dates], true)).toBe(false);
    expect(shouldHold([], true)).toBe(false);
  });
});
