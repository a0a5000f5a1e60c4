/**
 * Times as the staff read them: Beijing time (Asia/Shanghai, UTC+8 all year) in the page's language, whatever
 * the computer's own zone; countdowns to deadlines; datetime-local form values read as Beijing time.
 */
export const TIME_ZONE = 'Asia/Shanghai';
const OFFSET = '+08:00';

export function formatDateTime(iso, language) {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '–';
  return new Intl.DateTimeFormat(language, {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(date);
}

/** Milliseconds left until `iso`; negative when passed. */
export function remaining(iso, now = Date.now()) {
  if (!iso) return null;
  return new Date(iso).getTime() - now;
}

/** `[N days ]hh:mm:ss` with the days in the page's words (`t` of i18n.js: `common.days`). */
export function formatDuration(ms, t) {
  const sign = ms < 0 ? '-' : '';
  let seconds = Math.floor(Math.abs(ms) / 1000);
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  const clock = [hours, minutes, seconds].map((n) => String(n).padStart(2, '0')).join(':');
  return `${sign}${days > 0 ? t('common.days', { n: days }) : ''}${clock}`;
}

/** A datetime-local value (YYYY-MM-DDTHH:mm) for a moment, in Beijing time. */
export function toLocalInput(date = new Date()) {
  const shifted = new Date(date.getTime() + 8 * 3_600_000);
  return shifted.toISOString().slice(0, 16);
}

/** The ISO timestamp of a datetime-local value read as Beijing time (null when empty or invalid). */
export function fromLocalInput(value) {
  if (!value) return null;
  const date = new Date(`${value.length === 16 ? `${value}:00` : value}${OFFSET}`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function shortId(id) {
  return id ? String(id).slice(0, 8) : '';
}
