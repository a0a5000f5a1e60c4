import { DomainException } from './domain.exception';
import { TransitionTable } from './transition-table';

describe(TransitionTable.name, () => {
  const table = new TransitionTable<'open' | 'done', 'accept' | 'finish'>(
    { open: ['accept', 'finish'], done: [] },
    'task',
  );

  it('should answer the allowed actions of a status as a copy', () => {
    const allowed = table.allowedActions('open');
    allowed.pop();
    expect(table.allowedActions('open')).toEqual(['accept', 'finish']);
    expect(table.allowedActions('done')).toEqual([]);
  });

  it('should refuse an action the status does not allow with 409 and the allowed actions', () => {
    expect(() => table.assertAllowed('open', 'accept')).not.toThrow();
    let caught: unknown;
    try {
      table.assertAllowed('done', 'finish');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainException);
    expect(caught).toMatchObject({
      code: 'ILLEGAL_TRANSITION',
      kind: 'conflict',
      message: 'A task that is done cannot be given "finish"',
      details: { status: 'done', action: 'finish', allowedActions: [] },
    });
  });
});
