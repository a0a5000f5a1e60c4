import { AsyncLocalStorage } from 'node:async_hooks';
import { Actor } from './actor';

/** The person behind an HTTP request (a staff session), as the auth guard found them. */
export interface RequestPerson {
  /** The organisation the person acts for. */
  readonly organisationId: string;
  /** The audit agent user id (`staff:<accountId>`). */
  readonly userId: string;
}

interface RequestContext {
  person?: RequestPerson;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `next` (the rest of an HTTP request's handling) with an empty request context: the HTTP middleware. */
export function runWithRequestContext<T>(next: () => T): T {
  return storage.run({}, next);
}

/** Records the person of the current request (the auth guard); a no-op outside a request context. */
export function setRequestPerson(person: RequestPerson): void {
  const context = storage.getStore();
  if (context) context.person = person;
}

/**
 * The actor with the request's person as its user when the actor is that person's organisation and names no
 * user of its own: so every audit record of a staff session names the person, not only the organisation.
 */
export function withRequestPerson(actor: Actor): Actor {
  const person = storage.getStore()?.person;
  if (!person || actor.kind !== 'organisation' || actor.userId) return actor;
  if (actor.organisationId !== person.organisationId) return actor;
  return { ...actor, userId: person.userId };
}
