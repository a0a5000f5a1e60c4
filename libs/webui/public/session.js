/**
 * The staff session of a page: the sign-in form (POST /v1/staff/sessions), the current session
 * (GET /v1/staff/sessions/current: the person and the CSRF token), sign-out, and the rule that a signed-out
 * browser on any page of the app is sent to `<base>/sign-in?next=<where it was>`. The session cookie is HttpOnly:
 * the page never sees it, only the CSRF token the API hands back.
 */
import { ApiError } from './api.js';

export const SESSION_PATH = '/v1/staff/sessions';

/** Where to go after signing in: a path of this app only (never another site). */
export function safeNext(base, next) {
  if (typeof next !== 'string' || next.startsWith('//') || !/^\/[\w\-./?=&%]*$/.test(next)) return base;
  return next === base || next.startsWith(`${base}/`) || next.startsWith(`${base}?`) ? next : base;
}

export function signInPath(base, next) {
  return `${base}/sign-in?next=${encodeURIComponent(next)}`;
}

async function currentSession(api) {
  try {
    return await api.get(`${SESSION_PATH}/current`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Role rules the server enforces too (a viewer only reads): used to hide what a person may not do. */
export const ROLE_ACTIONS = {
  viewer: [],
  worker: [
    'record-plan',
    'record-session',
    'record-assessment',
    'report-relapse',
    'confirm-employment-readiness',
    'acknowledge',
    'complete-held',
  ],
  coordinator: ['*'],
};

export function roleAllows(role, action) {
  const allowed = ROLE_ACTIONS[role] || [];
  return allowed.includes('*') || allowed.includes(action);
}

/**
 * Registers the `session` store and, on the sign-in page, the `signIn` form; elsewhere makes sure a session
 * exists (else sends the browser to sign in) and resolves with it. `view` is 'sign-in' or the page's own.
 */
export async function startSession(Alpine, api, { base, view }) {
  const store = {
    person: null,
    expiresAt: null,
    signingOut: false,
    can(action) {
      return Boolean(this.person) && roleAllows(this.person.role, action);
    },
    roleLabel() {
      return this.person ? `role.${this.person.role}` : '';
    },
    async signOut() {
      this.signingOut = true;
      try {
        await api.delete(`${SESSION_PATH}/current`);
      } catch {
        // already signed out or expired: the sign-in page either way
      }
      window.location.assign(`${base}/sign-in`);
    },
  };
  Alpine.store('session', store);
  // A call refused with 401 while signing out (a refresh in flight) must not send the person back with a
  // `next`: sign-out goes to the plain sign-in page itself.
  const goToSignIn = () => {
    if (store.signingOut) return;
    window.location.replace(signInPath(base, `${window.location.pathname}${window.location.search}`));
  };
  window.addEventListener('rb:signed-out', goToSignIn);

  const session = await currentSession(api);
  const next = safeNext(base, new URLSearchParams(window.location.search).get('next'));
  if (view === 'sign-in') {
    if (session) {
      window.location.replace(next);
      return null;
    }
    Alpine.data('signIn', () => signInForm(api, next));
    return null;
  }
  if (!session) {
    goToSignIn();
    return null;
  }
  api.setCsrfToken(session.csrfToken);
  Alpine.store('session').person = session.person;
  Alpine.store('session').expiresAt = session.expiresAt;
  return session;
}

function signInForm(api, next) {
  return {
    username: '',
    password: '',
    busy: false,
    error: '',
    async submit() {
      this.busy = true;
      this.error = '';
      try {
        await api.post(SESSION_PATH, { username: this.username.trim(), password: this.password });
        this.password = '';
        window.location.assign(next);
      } catch (error) {
        this.password = '';
        this.error =
          error instanceof ApiError && (error.status === 401 || error.status === 400)
            ? 'signIn.failed'
            : error instanceof ApiError && error.status === 429
              ? 'signIn.tooMany'
              : 'errors.network';
        this.busy = false;
        this.$nextTick(() => this.$refs.username?.focus());
      }
    },
  };
}

/** A readable message for a refused call: the API's problem title and detail, and each field error. */
export function problemMessage(error, t) {
  if (!(error instanceof ApiError)) return t('errors.unexpected');
  if (error.status === 0) return t('errors.network');
  const known = t(`errors.codes.${error.code}`);
  // A code the page knows says it all in the page's language; only a refused form also names its fields.
  if (known !== `errors.codes.${error.code}` && error.code !== 'VALIDATION_FAILED') return known;
  const head = known !== `errors.codes.${error.code}` ? known : error.title || t('errors.unexpected');
  // Each field's problem in the page's language when its code is one the page knows, else as the API says it.
  const fieldText = (e) => {
    const label = e.code ? t(`errors.codes.${e.code}`) : '';
    return label && label !== `errors.codes.${e.code}` ? label : e.detail;
  };
  const fields = error.errors
    .filter((e) => e && e.detail)
    .map((e) => (e.pointer ? `${String(e.pointer).replace(/^#\//, '')}: ${fieldText(e)}` : fieldText(e)));
  return [head, error.detail && error.detail !== head ? error.detail : '', ...fields]
    .filter(Boolean)
    .join(' — ');
}
