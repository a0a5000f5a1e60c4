/**
 * What both staff pages are made of: the root component (the header's person, language switch and sign-out,
 * the polite announcer, formatting) and the start-up (dictionary, the API's vocabulary, the session, then
 * Alpine). A page adds its own views with `register(vocabulary)`.
 */
import Alpine from './alpine.js';
import { createApi } from './api.js';
import { formatDateTime, shortId } from './format.js';
import { installI18n } from './i18n.js';
import { problemMessage, startSession } from './session.js';

export const api = createApi();
export const t = (key, params) => Alpine.store('i18n').t(key, params);
export const lang = () => Alpine.store('i18n').lang;
export const when = (iso) => formatDateTime(iso, lang());

/**
 * The root component's data: `base` (/workbench or /desk), `view`, the dictionary keys of the title and of the
 * sign-in hint, and the staff page's path for coordinators (none on the desk). `own` adds the page's methods.
 */
export function staffShell({ base, view, titleKey, signInHintKey, staffPath = '' }, own = {}) {
  return {
    base,
    view,
    titleKey,
    signInHintKey,
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
    staffHref() {
      return staffPath && this.isCoordinator() ? staffPath : '';
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
