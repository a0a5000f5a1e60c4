/*
 * The hospital's green-channel desk (hospital-intake, /desk): sign-in, the open green cases (offered and
 * acknowledged) with the countdown to the acknowledgement deadline, acknowledge / admit / decline as the API
 * allows and the person's role may. Refreshed every few seconds (`?interval=` in ms, at least 1000).
 */
import { allPages } from './api.js';
import { formatDateTime, formatDuration, remaining, shortId } from './format.js';
import { problemMessage } from './session.js';
import { Alpine, api, lang, staffShell, startStaffPage, t, when } from './shell.js';

const BASE = '/desk';
/** The cases still waiting on this hospital: offered (acknowledge first) and acknowledged (admit or decline). */
const OPEN_STATUSES = ['offered', 'acknowledged'];
const REFRESH_MS = Math.max(
  Number(new URLSearchParams(window.location.search).get('interval')) || 5000,
  1000,
);
/** An acknowledgement due within this long is shown as urgent. */
const URGENT_MS = 10 * 60_000;
/** The server answers the page on /desk and /desk/sign-in only. */
const view = window.location.pathname.replace(/\/+$/, '') === `${BASE}/sign-in` ? 'sign-in' : 'cases';

const desk = () => staffShell({ base: BASE, view, titleKey: 'desk.title', signInHintKey: 'desk.signInHint' });

const cases = (vocabulary) => ({
  items: [],
  loading: false,
  refreshedAt: null,
  now: Date.now(),
  open: null,
  busy: false,
  message: '',
  error: '',
  forms: { acknowledgedBy: '', reason: '' },
  vocabulary,
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
    this.focusHeading();
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
      ? t('desk.overdue', { duration: formatDuration(-left, t) })
      : t('desk.left', { duration: formatDuration(left, t) });
  },
  timerClass(item) {
    const left = remaining(item.answerDueAt, this.now);
    return left < 0 ? 'overdue' : left < URGENT_MS ? 'due-soon' : '';
  },
  routeText(item) {
    return `${t(`codes.greenRoute.${item.route}`)} · ${t('desk.step', { n: item.step })}`;
  },
  acknowledgedText(item) {
    return [item.acknowledgedBy, when(item.acknowledgedAt)].filter(Boolean).join(' · ');
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
  submit(item, action) {
    const body =
      action === 'acknowledge'
        ? { acknowledgedBy: this.forms.acknowledgedBy.trim() }
        : action === 'decline'
          ? { reason: this.forms.reason }
          : {};
    return this.perform(async () => {
      const result = await api.post(`/v1/green-cases/${encodeURIComponent(item.caseId)}/${action}`, body);
      this.open = null;
      this.forms.reason = '';
      await this.refresh();
      return t('desk.done', {
        id: shortId(item.caseId),
        action: t(`desk.actions.${action}`),
        status: t(`codes.greenCaseStatus.${result.status}`),
      });
    });
  },
});

void startStaffPage({
  base: BASE,
  view,
  register(vocabulary) {
    Alpine.data('desk', desk);
    Alpine.data('cases', () => cases(vocabulary));
  },
});
