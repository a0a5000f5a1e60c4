/*
 * The hospital's green-channel desk (hospital-intake, /desk): sign-in, the open green cases (offered and
 * acknowledged) with the countdown to the acknowledgement deadline, acknowledge / admit / decline as the API
 * allows and the person's role may. Refreshed every few seconds (`?interval=` in ms, at least 1000).
 */
import Alpine from './alpine.js';
import { allPages, createApi } from './api.js';
import { formatDateTime, formatDuration, remaining, shortId } from './format.js';
import { installI18n } from './i18n.js';
import { problemMessage, startSession } from './session.js';

const BASE = '/desk';
const STATIC = `${BASE}/static`;
/** The cases still waiting on this hospital: offered (acknowledge first) and acknowledged (admit or decline). */
const OPEN_STATUSES = ['offered', 'acknowledged'];
const REFRESH_MS = Math.max(
  Number(new URLSearchParams(window.location.search).get('interval')) || 5000,
  1000,
);
/** An acknowledgement due within this long is shown as urgent. */
const URGENT_MS = 10 * 60_000;

const path = window.location.pathname.replace(/\/+$/, '');
const view = path === BASE ? 'cases' : path === `${BASE}/sign-in` ? 'sign-in' : 'not-found';
const api = createApi();
const t = (key, params) => Alpine.store('i18n').t(key, params);
const lang = () => Alpine.store('i18n').lang;
/** The API's codes (vocabulary.json, made by the server from @app/contracts). */
let VOCABULARY = {};

Alpine.data('desk', () => ({
  view,
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
  switchLanguage(event) {
    void this.$store.i18n.use(event.target.value);
  },
  announce(text) {
    this.announcement = '';
    setTimeout(() => {
      this.announcement = text;
    }, 50);
  },
  shortId(id) {
    return shortId(id);
  },
  when(iso) {
    return formatDateTime(iso, lang());
  },
}));

Alpine.data('cases', () => ({
  items: [],
  loading: false,
  refreshedAt: null,
  now: Date.now(),
  open: null,
  busy: false,
  message: '',
  error: '',
  forms: { acknowledgedBy: '', reason: '' },
  vocabulary: VOCABULARY,
  timers: [],
  init() {
    this.forms.acknowledgedBy = this.$store.session.person?.displayName ?? '';
    void this.refresh();
    this.timers.push(setInterval(() => void this.refresh(), REFRESH_MS));
    this.timers.push(
      setInterval(() => {
        this.now = Date.now();
      }, 1000),
    );
    this.$nextTick(() => document.querySelector('main h1')?.focus());
  },
  destroy() {
    this.timers.forEach(clearInterval);
  },
  async refresh() {
    if (this.loading) return;
    this.loading = true;
    try {
      const first = this.refreshedAt === null;
      const before = new Set(this.items.map((i) => i.caseId));
      const lists = await Promise.all(
        OPEN_STATUSES.map((status) => allPages(api, '/v1/green-cases', { status, limit: 100 })),
      );
      const items = lists.flat().sort((a, b) => (a.reportedAt < b.reportedAt ? -1 : 1));
      const arrived = items.filter((i) => !before.has(i.caseId));
      this.items = items;
      this.refreshedAt = Date.now();
      // New cases are announced politely; the first load is what the page shows anyway.
      if (!first && arrived.length > 0) this.announce(t('desk.arrived', { n: arrived.length }));
      if (this.error && !this.busy) this.error = '';
    } catch (error) {
      this.error = problemMessage(error, t);
    } finally {
      this.loading = false;
    }
  },
  refreshedText() {
    return this.refreshedAt
      ? t('desk.refreshed', { at: formatDateTime(new Date(this.refreshedAt).toISOString(), lang()) })
      : t('common.loading');
  },
  timerText(item) {
    const left = remaining(item.answerDueAt, this.now);
    return left < 0
      ? t('desk.overdue', { duration: formatDuration(-left) })
      : t('desk.left', { duration: formatDuration(left) });
  },
  timerClass(item) {
    const left = remaining(item.answerDueAt, this.now);
    return left < 0 ? 'overdue' : left < URGENT_MS ? 'due-soon' : '';
  },
  routeText(item) {
    return `${t(`codes.greenRoute.${item.route}`)} · ${t('desk.step', { n: item.step })}`;
  },
  acknowledgedText(item) {
    return [item.acknowledgedBy, formatDateTime(item.acknowledgedAt, lang())].filter(Boolean).join(' · ');
  },
  visibleActions(item) {
    return item.allowedActions.filter((action) => this.$store.session.can(action));
  },
  formId(item, name) {
    return `case-${item.caseId}-${name}`;
  },
  isOpen(item, action) {
    return this.open === `${item.caseId}:${action}`;
  },
  choose(item, action) {
    this.message = '';
    this.error = '';
    const key = `${item.caseId}:${action}`;
    this.open = this.open === key ? null : key;
    if (this.open) {
      this.$nextTick(() => {
        const form = document.getElementById(this.formId(item, action));
        (form?.querySelector('[data-autofocus]') ?? form?.querySelector('button[type=submit]'))?.focus();
      });
    }
  },
  async submit(item, action) {
    const body =
      action === 'acknowledge'
        ? { acknowledgedBy: this.forms.acknowledgedBy.trim() }
        : action === 'decline'
          ? { reason: this.forms.reason }
          : {};
    this.busy = true;
    this.error = '';
    this.message = '';
    try {
      const result = await api.post(`/v1/green-cases/${encodeURIComponent(item.caseId)}/${action}`, body);
      this.open = null;
      this.forms.reason = '';
      this.message = t('desk.done', {
        id: shortId(item.caseId),
        action: t(`desk.actions.${action}`),
        status: t(`codes.greenCaseStatus.${result.status}`),
      });
      this.announce(this.message);
      await this.refresh();
    } catch (error) {
      this.error = problemMessage(error, t);
    } finally {
      this.busy = false;
    }
  },
}));

async function main() {
  await installI18n(Alpine, STATIC);
  VOCABULARY = await (await fetch(`${STATIC}/vocabulary.json`, { cache: 'no-cache' })).json();
  const session = await startSession(Alpine, api, { base: BASE, view });
  if (!session && view !== 'sign-in') return; // on its way to the sign-in page
  Alpine.start();
}

void main();
