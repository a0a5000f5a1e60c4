import { DomainException } from '@app/core';
import { allowedActions, assertAllowed, REFERRAL_STATUSES, SITE_ACTIONS } from './referral-lifecycle';

describe('referral lifecycle', () => {
  it('should let an assigned referral only be accepted or declined', () => {
    expect(allowedActions('assigned')).toEqual(['accept', 'decline']);
  });

  it('should let the serving site record, transfer, close and report once accepted or in service', () => {
    for (const status of ['accepted', 'in-service'] as const) {
      expect(allowedActions(status)).toEqual([
        'record-plan',
        'record-session',
        'record-assessment',
        'transfer',
        'close',
        'report-relapse',
        'confirm-employment-readiness',
      ]);
    }
  });

  it('should offer no action on a closed, withdrawn or unplaced referral', () => {
    for (const status of ['closed', 'consent-withdrawn', 'unplaced'] as const) {
      expect(allowedActions(status)).toEqual([]);
    }
  });

  it('should refuse an illegal transition with a conflict listing the allowed actions', () => {
    let caught: unknown;
    try {
      assertAllowed('accepted', 'decline');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainException);
    expect(caught).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      kind: 'conflict',
      details: { status: 'accepted', action: 'decline', allowedActions: allowedActions('accepted') },
    });
  });

  it('should accept exactly the actions the table lists, for every status and action', () => {
    for (const status of REFERRAL_STATUSES) {
      for (const action of SITE_ACTIONS) {
        const allowed = allowedActions(status).includes(action);
        if (allowed) expect(() => assertAllowed(status, action)).not.toThrow();
        else expect(() => assertAllowed(status, action)).toThrow(DomainException);
      }
    }
  });
});
