/*
 * The site workbench (rehab-site, /workbench): sign-in, the site's worklist with live updates (server-sent
 * events), one referral with its file and the actions the API allows, the staff list for coordinators.
 * Built on Alpine's CSP build: every expression in workbench.html calls a method or reads a field defined here
 * or in the shared shell (shell.js).
 */
import { allPages, ApiError } from './api.js';
import { formatDuration, fromLocalInput, remaining, shortId, toLocalInput } from './format.js';
import { problemMessage } from './session.js';
import { Alpine, api, routeOf, staffShell, startStaffPage, t, when } from './shell.js';

const BASE = '/workbench';
/** An answer due within this long is "due soon". */
const DUE_SOON_MS = 12 * 3_600_000;
/** The statuses the worklist shows, by group; closed and handed-back referrals are not work. */
const OPEN_STATUSES = ['assigned', 'accepted', 'in-service', 'green-channel', 'on-hold'];

/** Which API call each site action is, and the body its form makes. */
const ACTIONS = {
  accept: { path: 'accept', body: () => ({}) },
  decline: {
    path: 'decline',
    body: (f) => ({
      reasonCode: f.decline.reasonCode,
      ...(f.decline.reasonText.trim() ? { reasonText: f.decline.reasonText.trim() } : {}),
    }),
  },
  'record-plan': {
    path: 'plan',
    body: (f) => ({
      startsAt: fromLocalInput(f.plan.startsAt),
      reviewBy: fromLocalInput(f.plan.reviewBy),
      goals: f.plan.goals
        .split('\n')
        .map((g) => g.trim())
        .filter(Boolean),
      services: f.plan.services,
    }),
  },
  'record-session': {
    path: 'sessions',
    body: (f) => ({
      date: fromLocalInput(f.session.date),
      type: f.session.type,
      durationMinutes: Number(f.session.durationMinutes),
      staff: f.session.staff.trim(),
    }),
  },
  'record-assessment': {
    path: 'assessments',
    body: (f) => ({
      assessedAt: fromLocalInput(f.assessment.assessedAt),
      riskLevel: Number(f.assessment.riskLevel),
      conditionStatus: f.assessment.conditionStatus,
      ...(f.assessment.summary.trim() ? { summary: f.assessment.summary.trim() } : {}),
    }),
  },
  'report-relapse': {
    path: 'relapse',
    body: (f) => ({ observedRiskLevel: Number(f.relapse.observedRiskLevel) }),
  },
  'confirm-employment-readiness': {
    path: 'employment-readiness',
    body: (f) => ({
      willing: Boolean(f.employment.willing),
      ...(f.employment.programmes.length ? { programmes: f.employment.programmes } : {}),
    }),
  },
  transfer: {
    path: 'transfer',
    body: (f) => ({
      toSiteId: f.transfer.toSiteId.trim(),
      reason: f.transfer.reason.trim(),
      ...(f.transfer.newResidenceDivisionCode.trim()
        ? { newResidenceDivisionCode: f.transfer.newResidenceDivisionCode.trim() }
        : {}),
    }),
  },
  close: {
    path: 'close',
    body: (f) => ({
      outcome: f.close.outcome,
      followUp: {
        calledAt: fromLocalInput(f.close.calledAt),
        reached: f.close.reached,
        ...(f.close.note.trim() ? { note: f.close.note.trim() } : {}),
      },
    }),
  },
};

const route = routeOf(BASE, window.location.pathname, {
  '': 'worklist',
  '/sign-in': 'sign-in',
  '/staff': 'staff',
  '/referrals/:referralId': 'referral',
});

/** Every view's root: the shared shell plus the worklist's and referral's formatting. */
const workbench = () =>
  staffShell(
    {
      base: BASE,
      view: route.view,
      titleKey: 'workbench.title',
      signInHintKey: 'workbench.signInHint',
      links: [{ href: `${BASE}/staff`, key: 'staff.link', coordinatorOnly: true }],
    },
    {
      riskText(item) {
        return `${t(`codes.riskLevel.${item.riskLevel}`)} · ${t(`codes.colourGrade.${item.colourGrade}`)}`;
      },
      needsText(needs) {
        return (needs || []).map((n) => t(`codes.rehabService.${n}`)).join('、');
      },
      dueClass(item) {
        if (item.status !== 'assigned' || !item.answerDueAt) return '';
        const left = remaining(item.answerDueAt);
        return left < 0 ? 'overdue' : left < DUE_SOON_MS ? 'due-soon' : '';
      },
      dueText(item) {
        if (!item.answerDueAt) return '–';
        const at = when(item.answerDueAt);
        if (item.status !== 'assigned') return at;
        const left = remaining(item.answerDueAt);
        return left < 0
          ? t('worklist.overdueBy', { at, duration: formatDuration(-left, t) })
          : t('worklist.dueIn', { at, duration: formatDuration(left, t) });
      },
    },
  );

/** The worklist: the site's open referrals in four groups, refreshed when the server says one came or went. */
const worklist = () => ({
  groupOrder: ['new', 'dueSoon', 'overdue', 'inService', 'other'],
  groups: { new: [], dueSoon: [], overdue: [], inService: [], other: [] },
  loading: false,
  error: '',
  live: 'connecting',
  source: null,
  init() {
    void this.refresh();
    this.subscribe();
  },
  destroy() {
    this.source?.close();
  },
  siteId() {
    return this.$store.session.person.organisationId;
  },
  referralHref(item) {
    return `${BASE}/referrals/${encodeURIComponent(item.referralId)}`;
  },
  refresh() {
    return this.fetching(async () => {
      const path = `/v1/sites/${encodeURIComponent(this.siteId())}/referrals`;
      const lists = await Promise.all(
        OPEN_STATUSES.map((status) => allPages(api, path, { status, limit: 100 })),
      );
      const groups = { new: [], dueSoon: [], overdue: [], inService: [], other: [] };
      for (const item of lists.flat()) groups[groupOf(item)].push(item);
      this.groups = groups;
    });
  },
  subscribe() {
    const source = new EventSource(`/v1/sites/${encodeURIComponent(this.siteId())}/referrals/events`);
    this.source = source;
    // `ready` comes once the server listens on the bus for this site: only then is nothing missed. Look again
    // then, to catch what was assigned between the list's first load (or a dropped line) and that moment.
    source.addEventListener('ready', () => {
      void this.refresh();
      this.live = 'connected';
    });
    source.addEventListener('error', () => {
      this.live = source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting';
    });
    source.addEventListener('assigned', (event) => void this.changed('live.assigned', event));
    source.addEventListener('revoked', (event) => void this.changed('live.revoked', event));
  },
  async changed(key, event) {
    let id = '';
    try {
      id = JSON.parse(event.data).referralId || '';
    } catch {
      // a notice without data still means: look again
    }
    await this.refresh();
    this.announce(t(key, { id: shortId(id) }));
  },
});

function groupOf(item) {
  if (item.status === 'assigned') {
    const left = item.answerDueAt ? remaining(item.answerDueAt) : Infinity;
    return left < 0 ? 'overdue' : left < DUE_SOON_MS ? 'dueSoon' : 'new';
  }
  return item.status === 'accepted' || item.status === 'in-service' ? 'inService' : 'other';
}

function emptyForms(person, referral) {
  const now = toLocalInput(new Date());
  const in90Days = toLocalInput(new Date(Date.now() + 90 * 86_400_000));
  const firstNeed = referral?.needs?.[0] ?? '';
  return {
    decline: { reasonCode: '', reasonText: '' },
    plan: { startsAt: now, reviewBy: in90Days, goals: '', services: [...(referral?.needs ?? [])] },
    session: { date: now, type: firstNeed, durationMinutes: 60, staff: person?.displayName ?? '' },
    assessment: {
      assessedAt: now,
      riskLevel: String(referral?.riskLevel ?? 0),
      conditionStatus: '',
      summary: '',
    },
    relapse: { observedRiskLevel: '3' },
    employment: { willing: true, programmes: [] },
    transfer: { toSiteId: '', newResidenceDivisionCode: '', reason: '' },
    close: { outcome: '', calledAt: now, reached: '', note: '' },
  };
}

/** One referral: its detail and file, and the forms of the actions the API allows and the role may do. */
const referral = (vocabulary) => ({
  referralId: route.referralId,
  referral: null,
  file: null,
  loading: true,
  notFound: false,
  loadError: '',
  fileError: '',
  open: null,
  busy: false,
  message: '',
  error: '',
  forms: emptyForms(null, null),
  vocabulary,
  init() {
    void this.load(true);
  },
  basePath() {
    const siteId = encodeURIComponent(this.$store.session.person.organisationId);
    return `/v1/sites/${siteId}/referrals/${encodeURIComponent(this.referralId)}`;
  },
  load(first) {
    return this.loadDetail(this.referralId, first, async () => {
      const [referral] = await Promise.all([api.get(this.basePath()), this.loadFile()]);
      this.referral = referral;
      if (first) this.forms = emptyForms(this.$store.session.person, referral);
    });
  },
  async loadFile() {
    try {
      this.file = await api.get(`${this.basePath()}/file`);
      this.fileError = '';
    } catch (error) {
      this.file = null;
      // The detail's own 404 decides the page; the file's refusal is shown in its box.
      if (!(error instanceof ApiError && error.status === 404)) this.fileError = problemMessage(error, t);
    }
  },
  visibleActions() {
    if (!this.referral) return [];
    return this.referral.allowedActions.filter((action) => this.$store.session.can(action));
  },
  choose(action) {
    this.message = '';
    this.error = '';
    this.open = this.open === action ? null : action;
    if (this.open) {
      this.$nextTick(() => {
        const form = document.getElementById(`form-${action}`);
        (form?.querySelector('[data-autofocus]') ?? form?.querySelector('button[type=submit]'))?.focus();
      });
    }
  },
  submit(action) {
    const spec = ACTIONS[action];
    if (!spec) return undefined;
    return this.perform(
      async () => {
        const result = await api.post(`${this.basePath()}/${spec.path}`, spec.body(this.forms));
        this.open = null;
        if (action === 'decline' || action === 'transfer') {
          // No longer this site's: the file is not ours to read any more.
          this.referral = { ...this.referral, status: result.status, allowedActions: result.allowedActions };
          this.file = null;
        } else {
          const person = this.$store.session.person;
          const keep = this.forms;
          await this.load(false);
          // A new empty form of the action just done, the others as they were.
          const fresh = emptyForms(person, this.referral);
          this.forms = { ...keep, [formKey(action)]: fresh[formKey(action)] };
        }
        return t('actions.done', {
          action: t(`actions.${action}`),
          status: t(`codes.referralStatus.${result.status}`),
        });
      },
      (error) => {
        if (error instanceof ApiError && error.status === 404) this.notFound = true;
      },
    );
  },
  guardianText() {
    const g = this.referral?.contact?.guardian;
    return g ? [g.name, g.relationship, g.phone].filter(Boolean).join(' · ') : '';
  },
  countOf(kind) {
    return (this.file?.records ?? []).filter((r) => r.kind === kind).length;
  },
  recordText(record) {
    const d = record.details || {};
    switch (record.kind) {
      case 'plan':
        return [
          (d.goals || []).join('；'),
          (d.services || []).map((s) => t(`codes.rehabService.${s}`)).join('、'),
          d.reviewBy ? `${t('file.reviewBy')} ${when(d.reviewBy)}` : '',
        ]
          .filter(Boolean)
          .join(' — ');
      case 'session':
        return [t(`codes.rehabService.${d.type}`), t('file.minutes', { n: d.durationMinutes }), d.staff]
          .filter(Boolean)
          .join(' · ');
      case 'assessment':
        return [
          t(`codes.riskLevel.${d.riskLevel}`),
          d.conditionStatus ? t(`codes.conditionStatus.${d.conditionStatus}`) : '',
          d.summary,
        ]
          .filter(Boolean)
          .join(' · ');
      default:
        return '';
    }
  },
});

function formKey(action) {
  return (
    {
      'record-plan': 'plan',
      'record-session': 'session',
      'record-assessment': 'assessment',
      'report-relapse': 'relapse',
      'confirm-employment-readiness': 'employment',
    }[action] ?? action
  );
}

/** Coordinators: the site's staff accounts, and a form to add a person. */
const staff = () => ({
  accounts: [],
  busy: false,
  message: '',
  error: '',
  form: { username: '', displayName: '', role: 'worker', password: '' },
  init() {
    if (this.isCoordinator()) void this.load();
    this.focusHeading();
  },
  async load() {
    try {
      const answer = await api.get('/v1/staff/accounts');
      this.accounts = Array.isArray(answer) ? answer : (answer.items ?? []);
    } catch (error) {
      this.error = problemMessage(error, t);
    }
  },
  accountState(account) {
    if (account.disabled) return t('staff.disabled');
    if (account.lockedUntil && new Date(account.lockedUntil).getTime() > Date.now()) return t('staff.locked');
    return t('staff.active');
  },
  create() {
    return this.perform(async () => {
      const created = await api.post('/v1/staff/accounts', {
        ...this.form,
        username: this.form.username.trim(),
      });
      this.form = { username: '', displayName: '', role: 'worker', password: '' };
      await this.load();
      return t('staff.created', { username: created.username });
    });
  },
});

void startStaffPage({
  base: BASE,
  view: route.view,
  register(vocabulary) {
    Alpine.data('workbench', workbench);
    Alpine.data('worklist', worklist);
    Alpine.data('referral', () => referral(vocabulary));
    Alpine.data('staff', staff);
  },
});
