import { DomainException } from '@app/core';
import { allowedActions, assertAllowed, EMPLOYMENT_STATUSES } from './employment-lifecycle';

describe('employment referral lifecycle', () => {
  it('should go referred → accepted → training → placed → ended, retention checks only once placed', () => {
    expect(allowedActions('referred')).toEqual(['accept', 'decline']);
    expect(allowedActions('accepted')).toEqual(['record-employer-contact', 'start-training', 'place', 'end']);
    expect(allowedActions('training')).toEqual(['record-employer-contact', 'place', 'end']);
    expect(allowedActions('placed')).toEqual(['record-retention-check', 'end']);
  });

  it('should offer the provider nothing on a paused, ended or unplaced referral', () => {
    for (const status of ['paused', 'ended', 'unplaced'] as const) expect(allowedActions(status)).toEqual([]);
    expect(EMPLOYMENT_STATUSES).toHaveLength(7);
  });

  it('should refuse a placement before acceptance with 409 and the allowed actions', () => {
    expect(() => assertAllowed('referred', 'place')).toThrow(DomainException);
    try {
      assertAllowed('referred', 'place');
    } catch (error) {
      expect(error).toMatchObject({
        code: 'ILLEGAL_TRANSITION',
        kind: 'conflict',
        details: { status: 'referred', action: 'place', allowedActions: ['accept', 'decline'] },
      });
    }
  });
});
