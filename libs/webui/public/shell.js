/**
 * What both staff pages are made of: the root component (the header's person, language switch and sign-out,
 * the polite announcer, formatting) and the start-up (dictionary, the API's vocabulary, the session, then
 * Alpine). A page adds its own views with `register(vocabulary)`.
 */
import Alpine from './alpine.js';
import { ApiError, createApi } from './api.js';
import { formatDateTime, shortId } from './format.js';
import { installI18n } from './i18n.js';
import { problemMessage, startSession } from './session.js';

export const api = createApi();
export const t = (key, params) => Alpine.store('i18n').t(key, params);
export const lang = () => Alpine.store('i18n').lang;
export const when = (iso) => formatDateTime(iso, lang());

/** A UUID as the API's ids are: anything else in a page path is no object of the API. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value) {
  return UUID.test(value ?? '');
}

/**
 * The view a page path under `base` shows: `routes` maps a path pattern (`''`, `'/sign-in'`,
 * `'/referrals/:referralId'`) to a view name; `{ view, ...params }` (params decoded), else `{ view: 'not-found' }`.
 * The server answers the page on the same paths (the page controller's routes).
 */
export function routeOf(base, pathname, routes) {
  const rest = pathname.replace(/\/+$/, '').slice(base.length);
  for (const [pattern, view] of Object.entries(routes)) {
    const names = [];
    const source = pattern.replace(/:(\w+)/g, (_, name) => {
      names.push(name);
      return '([^/]+)';
    });
    const match = new RegExp(`^${source}$`).exec(rest);
    if (!match) continue;
    try {
      return {
        view,
        ...Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])])),
      };
    } catch {
      return { view: 'not-found' }; // a malformed %-escape
    }
  }
  return { view: 'not-found' };
}

/**
 * The root component's data: `base` (/workbench or /desk), `view`, the dictionary keys of the title and of the
 * sign-in hint, and the page's own links in the header (`{ href, key, coordinatorOnly? }`: the page's tabs, the
 * staff page for coordinators). `own` adds the page's methods.
 */
export function staffShell({ base, view, titleKey, signInHintKey, links = [] }, own = {}) {
  return {
    base,
    view,
    titleKey,
    signInHintKey,
    links,
    announcement: '',
    signedIn() {
      return Boolean(this.$store.session.person);
    },
    personName() {
      return this.$store.session.person?.displayName ?? '';
    },
    organisationName() {
      return this.$store.session.person?.organisationName ?? '';
    },
    roleKey() {
      return this.$store.session.person ? `role.${this.$store.session.person.role}` : 'common.empty';
    },
    isCoordinator() {
      return this.$store.session.person?.role === 'coordinator';
    },
    /** The header's links for the signed-in person, the current page's marked (aria-current). */
    navLinks() {
      if (!this.signedIn()) return [];
      const here = window.location.pathname.replace(/\/+$/, '') || '/';
      return this.links
        .filter((link) => !link.coordinatorOnly || this.isCoordinator())
        .map((link) => ({
          ...link,
          current: here === link.href || (link.href !== base && here.startsWith(`${link.href}/`)),
        }));
    },
    switchLanguage(event) {
      void this.$store.i18n.use(event.target.value);
    },
    /** Read by screen readers (aria-live polite); cleared first so the same words are read again. */
    announce(text) {
      this.announcement = '';
      setTimeout(() => {
        this.announcement = text;
      }, 50);
    },
    /**
     * Runs a change the person asked for: `busy` while it runs, then `message` (what `work` answers, also
     * announced) or `error` (the API's refusal, readable); `onError` sees the refusal too.
     */
    async perform(work, onError = () => {}) {
      this.busy = true;
      this.error = '';
      this.message = '';
      try {
        const message = await work();
        if (message) {
          this.message = message;
          this.announce(message);
        }
      } catch (error) {
        this.error = problemMessage(error, t);
        onError(error);
      } finally {
        this.busy = false;
      }
    },
    /** Reads what a view shows: `loading` while `work` runs, then `error` cleared, or the API's refusal. */
    async fetching(work) {
      this.loading = true;
      try {
        await work();
        this.error = '';
      } catch (error) {
        this.error = problemMessage(error, t);
      } finally {
        this.loading = false;
      }
    },
    /**
     * The `load(first)` of a view of one object by the id in its path (`id`): an id that is no UUID is not found
     * without asking; else `loading` while `read()` fetches and keeps the object, then `loadError` cleared, or
     * `notFound` on the API's 404 (another organisation's object looks the same as none), or `loadError` on any
     * other refusal. The first load moves the focus to the heading.
     */
    async loadDetail(id, first, read) {
      if (!isUuid(id)) {
        this.notFound = true;
        this.loading = false;
        this.focusHeading();
        return;
      }
      this.loading = true;
      try {
        await read();
        this.loadError = '';
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) this.notFound = true;
        else this.loadError = problemMessage(error, t);
      } finally {
        this.loading = false;
        if (first) this.focusHeading();
      }
    },
    focusHeading() {
      this.$nextTick(() => document.querySelector('main h1')?.focus());
    },
    shortId(id) {
      return shortId(id);
    },
    when(iso) {
      return when(iso);
    },
    ...own,
  };
}

/** Loads the dictionary and the API's vocabulary, checks the session (or sends to sign-in), then starts Alpine. */
export async function startStaffPage({ base, view, register }) {
  const staticBase = `${base}/static`;
  await installI18n(Alpine, staticBase);
  const vocabulary = await (await fetch(`${staticBase}/vocabulary.json`, { cache: 'no-cache' })).json();
  const session = await startSession(Alpine, api, { base, view });
  if (!session && view !== 'sign-in') return; // on its way to the sign-in page
  register(vocabulary);
  Alpine.start();
}

export { Alpine };
