import { DomainException } from './domain.exception';

/**
 * One lifecycle as a table: for each status, the actions allowed next. `assertAllowed` refuses anything else
 * with 409 ILLEGAL_TRANSITION naming the status, the action and the actions that are allowed, so a client
 * can show what it may do instead.
 */
export class TransitionTable<S extends string, A extends string> {
  constructor(
    private readonly transitions: Readonly<Record<S, readonly A[]>>,
    /** What the statuses belong to, for the message (`referral` → "A referral that is …"). */
    private readonly noun: string,
  ) {}

  allowedActions(status: S): A[] {
    return [...this.transitions[status]];
  }

  isAllowed(status: S, action: A): boolean {
    return this.transitions[status].includes(action);
  }

  /** Refuses (409, listing what is allowed) an action the status does not permit. */
  assertAllowed(status: S, action: A): void {
    if (this.isAllowed(status, action)) return;
    throw new DomainException(
      'ILLEGAL_TRANSITION',
      'conflict',
      `A ${this.noun} that is ${status} cannot be ${action === 'accept' ? 'accepted' : `given "${action}"`}`,
      { status, action, allowedActions: this.allowedActions(status) },
    );
  }
}
