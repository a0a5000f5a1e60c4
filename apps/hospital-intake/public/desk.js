/*
 * The hospital's green-channel desk (hospital-intake, /desk): sign-in, the open green cases (offered and
 * acknowledged) with the countdown to the acknowledgement deadline, acknowledge / admit / decline as the API
 * allows and the person's role may. Refreshed every few seconds (`?interval=` in ms, at least 1000).
 * And the held discharges (/desk/held): messages the hospital system sent without registration data (ID number,
 * residence, consent…), listed, read, and completed with a form that asks exactly for what is missing.
 */
import { allPages, ApiError, fieldErrorsOf, withQuery } from './api.js';
import {
  formatDateTime,
  formatDuration,
  fromLocalInput,
  remaining,
  shortId,
  toLocalInput,
} from './format.js';
import { problemMessage } from './session.js';
import { Alpine, api, lang, routeOf, staffShell, startStaffPage, t, when } from './shell.js';

const BASE = '/desk';
/** The cases still waiting on this hospital: offered (acknowledge first) and acknowledged (admit or decline). */
const OPEN_STATUSES = ['offered', 'acknowledged'];
const REFRESH_MS = Math.max(
  Number(new URLSearchParams(window.location.search).get('interval')) || 5000,
  1000,
);
/** An acknowledgement due within this long is shown as urgent. */
const URGENT_MS = 10 * 60_000;
const HELD_PATH = '/v1/held-discharges';
const HELD_PAGE_SIZE = 20;
/** The server answers the page on these paths (DeskPageController). */
const route = routeOf(BASE, window.location.pathname, {
  '': 'cases',
  '/sign-in': 'sign-in',
  '/held': 'held',
  '/held/:heldId': 'held-detail',
});

/** The holdable field a missing entry or a refused pointer concerns (`consents.0.grantedAt` → `consents`). */
function heldFieldOf(fields, path) {
  const dotted = String(path).replace(/^#\/?/, '').split('/').join('.');
  return fields.find((field) => dotted === field || dotted.startsWith(`${field}.`)) ?? null;
}

const desk = (vocabulary) =>
  staffShell(
    {
      base: BASE,
      view: route.view,
      titleKey: 'desk.title',
      signInHintKey: 'desk.signInHint',
      links: [
        { href: BASE, key: 'desk.cases' },
        { href: `${BASE}/held`, key: 'held.title' },
      ],
    },
    {
      heldHref(item) {
        return `${BASE}/held/${encodeURIComponent(item.id)}`;
      },
      /** One missing entry in words: the field, and the problem when it has a code the desk labels. */
      missingText(entry) {
        const field = heldFieldOf(vocabulary.heldFields, entry.field);
        const problem = vocabulary.heldProblems.includes(entry.code) ? t(`held.problem.${entry.code}`) : '';
        return [field ? t(`held.field.${field}`) : entry.field, problem].filter(Boolean).join(' — ');
      },
      sourceText(item) {
        return [t(`held.channel.${item.channel}`), item.messageId].filter(Boolean).join(' · ');
      },
    },
  );

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

/** The hospital's held discharges, newest first, by status (`?status=held|completed`, empty for both), paged. */
const heldList = (vocabulary) => ({
  items: [],
  nextCursor: null,
  status: new URLSearchParams(window.location.search).get('status') ?? 'held',
  loading: false,
  /** Whether a page of the current status has arrived (a test and a screen reader can tell "none" from "not yet"). */
  loaded: false,
  error: '',
  vocabulary,
  init() {
    if (this.status !== '' && !vocabulary.heldStatuses.includes(this.status)) this.status = 'held';
    void this.load(true);
    this.focusHeading();
  },
  load(fresh) {
    if (this.loading) return undefined;
    if (fresh) this.loaded = false;
    return this.fetching(async () => {
      const cursor = fresh ? undefined : this.nextCursor;
      const page = await api.get(
        withQuery(HELD_PATH, { status: this.status, limit: HELD_PAGE_SIZE, cursor }),
      );
      this.items = fresh ? page.items : [...this.items, ...page.items];
      this.nextCursor = page.nextCursor;
      this.loaded = true;
    });
  },
  /** A new status: the first page of it, and the address says it (a reload or a shared link shows the same). */
  filter() {
    const url = new URL(window.location.href);
    url.searchParams.set('status', this.status);
    window.history.replaceState(null, '', url);
    void this.load(true);
  },
  more() {
    void this.load(false);
  },
  missingList(item) {
    return item.missing.map((entry) => this.missingText(entry)).join('；');
  },
});

/**
 * Every attribute an input's descriptor may set, unset (null: no attribute). A descriptor names each one it
 * binds: a binding of a property the object lacks does not leave the attribute out in Alpine's CSP build.
 */
const UNSET = {
  type: null,
  inputmode: null,
  maxlength: null,
  pattern: null,
  autocomplete: null,
  spellcheck: null,
};

/**
 * The completion form's fields in the order it asks them: each asked one a block (`data-field`) of its control,
 * the API's refusal of it (`<id>-error`) and a hint (`<id>-hint`). `kind`: a text `input` (its `type`, `maxlength`,
 * `pattern`… as given; an attribute not given is not set), a `select` of the vocabulary named by `codes`, the
 * lacks-capacity `checkbox`, the `guardian` and `consents` fieldsets.
 */
const HELD_INPUTS = [
  {
    field: 'patient.idNumber',
    id: 'held-id-number',
    kind: 'input',
    key: 'idNumber',
    hint: 'held.hint.patient.idNumber',
    maxlength: 18,
    pattern: '[0-9]{17}[0-9Xx]',
    autocomplete: 'off',
    spellcheck: 'false',
  },
  {
    field: 'patient.residenceDivisionCode',
    id: 'held-residence',
    kind: 'input',
    key: 'residenceDivisionCode',
    hint: 'held.hint.patient.residenceDivisionCode',
    inputmode: 'numeric',
    maxlength: 12,
    pattern: '[0-9]{6}([0-9]{3}([0-9]{3})?)?',
    autocomplete: 'off',
  },
  {
    field: 'patient.name',
    id: 'held-name',
    kind: 'input',
    key: 'name',
    hint: 'held.hint.patient.name',
    maxlength: 64,
    autocomplete: 'off',
  },
  {
    field: 'patient.birthDate',
    id: 'held-birth-date',
    kind: 'input',
    key: 'birthDate',
    hint: 'held.hint.patient.birthDate',
    type: 'date',
  },
  {
    field: 'patient.sex',
    id: 'held-sex',
    kind: 'select',
    key: 'sex',
    hint: 'held.hint.patient.sex',
    codes: 'sexes',
    codeLabel: 'codes.sex.',
  },
  {
    field: 'patient.phone',
    id: 'held-phone',
    kind: 'input',
    key: 'phone',
    hint: 'held.hint.patient.phone',
    type: 'tel',
    maxlength: 20,
    pattern: '\\+?[0-9\\-]{5,20}',
    autocomplete: 'off',
  },
  {
    field: 'patient.address',
    id: 'held-address',
    kind: 'input',
    key: 'address',
    hint: 'held.hint.patient.address',
    maxlength: 200,
    autocomplete: 'off',
  },
  {
    field: 'patient.lacksCapacity',
    id: 'held-lacks-capacity',
    kind: 'checkbox',
    key: 'lacksCapacity',
    hint: 'held.hint.patient.lacksCapacity',
  },
  { field: 'patient.guardian', id: 'held-guardian', kind: 'guardian', hint: 'held.hint.patient.guardian' },
  { field: 'consents', id: 'held-consents', kind: 'consents', hint: 'held.hint.consents' },
].map((input) => ({ ...UNSET, ...input }));

/** The guardian fieldset's inputs (`form.patient.guardian[key]`): the name and relationship required, the phone not. */
const GUARDIAN_INPUTS = [
  { key: 'name', id: 'held-guardian-name', label: 'held.guardian.name', maxlength: 64, required: true },
  {
    key: 'relationship',
    id: 'held-guardian-relationship',
    label: 'held.guardian.relationship',
    maxlength: 32,
    required: true,
  },
  {
    key: 'phone',
    id: 'held-guardian-phone',
    label: 'held.guardian.phone',
    type: 'tel',
    maxlength: 20,
    pattern: '\\+?[0-9\\-]{5,20}',
  },
].map((input) => ({ ...UNSET, required: false, ...input }));

/** A consent row's choices (`consent[key]`, select `consent-<id>-<row>`), each of a vocabulary by its name. */
const CONSENT_CHOICES = [
  {
    key: 'purpose',
    id: 'purpose',
    label: 'held.consent.purpose',
    codes: 'consentPurposes',
    codeLabel: 'codes.consentPurpose.',
  },
  {
    key: 'grantedBy',
    id: 'by',
    label: 'held.consent.grantedBy',
    codes: 'consentGrantors',
    codeLabel: 'codes.consentGrantor.',
  },
  {
    key: 'method',
    id: 'method',
    label: 'held.consent.method',
    codes: 'consentMethods',
    codeLabel: 'codes.consentMethod.',
  },
];

/** The form's values: what the message carried of each asked field, for the person to correct or fill in. */
function completionForm(held) {
  const patient = held.discharge?.patient ?? {};
  const guardian = patient.guardian ?? {};
  const consents = (held.discharge?.consents ?? []).map((c) => ({
    purpose: c.purpose ?? '',
    grantedBy: c.grantedBy ?? '',
    method: c.method ?? '',
    grantedAt: c.grantedAt ? toLocalInput(new Date(c.grantedAt)) : '',
  }));
  return {
    patient: {
      idNumber: patient.idNumber ?? '',
      residenceDivisionCode: patient.residenceDivisionCode ?? '',
      name: patient.name ?? '',
      birthDate: patient.birthDate ?? '',
      sex: patient.sex ?? '',
      phone: patient.phone ?? '',
      address: patient.address ?? '',
      lacksCapacity: Boolean(patient.lacksCapacity),
      guardian: {
        name: guardian.name ?? '',
        relationship: guardian.relationship ?? '',
        phone: guardian.phone ?? '',
      },
    },
    consents: consents.length > 0 ? consents : [newConsent()],
  };
}

function newConsent() {
  return { purpose: 'community-rehab', grantedBy: 'patient', method: 'signed-at-hospital', grantedAt: '' };
}

/** The completion body: only the asked fields (`patient` fields replace the message's, `consents` its list). */
function completionBody(form, asked) {
  const patient = {};
  for (const field of asked) {
    if (!field.startsWith('patient.')) continue;
    const key = field.slice('patient.'.length);
    if (key === 'lacksCapacity') patient.lacksCapacity = Boolean(form.patient.lacksCapacity);
    else if (key === 'guardian') {
      const g = form.patient.guardian;
      patient.guardian = {
        name: g.name.trim(),
        relationship: g.relationship.trim(),
        ...(g.phone.trim() ? { phone: g.phone.trim() } : {}),
      };
    } else patient[key] = String(form.patient[key]).trim();
  }
  return {
    ...(Object.keys(patient).length > 0 ? { patient } : {}),
    ...(asked.includes('consents')
      ? {
          consents: form.consents.map((c) => ({
            purpose: c.purpose,
            grantedBy: c.grantedBy,
            method: c.method,
            grantedAt: fromLocalInput(c.grantedAt),
          })),
        }
      : {}),
  };
}

/** One held discharge: what is missing, the discharge as read, and (worker, coordinator) the completion form. */
const heldDetail = (vocabulary) => ({
  heldId: route.heldId,
  held: null,
  loading: true,
  notFound: false,
  loadError: '',
  busy: false,
  message: '',
  error: '',
  fieldErrors: {},
  form: completionForm({}),
  vocabulary,
  init() {
    void this.load(true);
  },
  load(first) {
    return this.loadDetail(this.heldId, first, async () => {
      this.held = await api.get(`${HELD_PATH}/${encodeURIComponent(this.heldId)}`);
      if (first) this.form = completionForm(this.held);
    });
  },
  /** The holdable fields the message lacks: the form asks for these and no other. */
  asked() {
    const fields = (this.held?.missing ?? []).map((m) => heldFieldOf(vocabulary.heldFields, m.field));
    return vocabulary.heldFields.filter((field) => fields.includes(field));
  },
  guardianInputs() {
    return GUARDIAN_INPUTS;
  },
  consentChoices() {
    return CONSENT_CHOICES;
  },
  /** The form's blocks (HELD_INPUTS) of the asked fields. */
  askedInputs() {
    const asked = this.asked();
    return HELD_INPUTS.filter((input) => asked.includes(input.field));
  },
  canComplete() {
    return this.held?.status === 'held' && this.$store.session.can('complete-held');
  },
  patient() {
    return this.held?.discharge?.patient ?? {};
  },
  shown(value) {
    return value === undefined || value === null || value === '' ? '–' : String(value);
  },
  sexText() {
    const sex = this.patient().sex;
    return vocabulary.sexes.includes(sex) ? t(`codes.sex.${sex}`) : this.shown(sex);
  },
  guardianText() {
    const g = this.patient().guardian;
    return g ? [g.name, g.relationship, g.phone].filter(Boolean).join(' · ') : '–';
  },
  stayTime(key) {
    return when(this.held?.discharge?.[key]);
  },
  diagnosesText() {
    return (this.held?.discharge?.diagnoses ?? []).map((d) => d.code).join('、') || '–';
  },
  consentsText() {
    const consents = this.held?.discharge?.consents ?? [];
    return consents.length === 0
      ? '–'
      : consents
          .map((c) =>
            [
              vocabulary.consentPurposes.includes(c.purpose)
                ? t(`codes.consentPurpose.${c.purpose}`)
                : c.purpose,
              vocabulary.consentGrantors.includes(c.grantedBy)
                ? t(`codes.consentGrantor.${c.grantedBy}`)
                : '',
              when(c.grantedAt),
            ]
              .filter(Boolean)
              .join(' · '),
          )
          .join('；');
  },
  /** The API's refusal of this field, shown under it. */
  fieldError(field) {
    return this.fieldErrors[field] ?? '';
  },
  invalid(field) {
    return this.fieldErrors[field] ? 'true' : null;
  },
  describedBy(id, field) {
    return [`${id}-hint`, this.fieldErrors[field] ? `${id}-error` : ''].filter(Boolean).join(' ');
  },
  addConsent() {
    this.form.consents.push(newConsent());
  },
  removeConsent(index) {
    this.form.consents.splice(index, 1);
  },
  submit() {
    this.fieldErrors = {};
    return this.perform(
      async () => {
        const receipt = await api.post(
          `${HELD_PATH}/${encodeURIComponent(this.heldId)}/completion`,
          completionBody(this.form, this.asked()),
        );
        await this.load(false);
        return t('held.completedMessage', { id: receipt.referralId });
      },
      (error) => {
        this.fieldErrors = fieldErrorsOf(error, (pointer) => heldFieldOf(vocabulary.heldFields, pointer));
        if (error instanceof ApiError && error.status === 404) this.notFound = true;
        // Completed meanwhile (by a colleague, or the encounter referred): the page shows its referral.
        if (error instanceof ApiError && error.status === 409) void this.load(false);
        this.$nextTick(() => document.querySelector('#held-form [aria-invalid="true"]')?.focus());
      },
    );
  },
});

void startStaffPage({
  base: BASE,
  view: route.view,
  register(vocabulary) {
    Alpine.data('desk', () => desk(vocabulary));
    Alpine.data('cases', () => cases(vocabulary));
    Alpine.data('heldList', () => heldList(vocabulary));
    Alpine.data('heldDetail', () => heldDetail(vocabulary));
  },
});
