/**
 * Chinese first, English available: every string of both pages is in one dictionary per language (zh-CN.json,
 * en.json beside this file). The language is the one chosen with the switch (kept in localStorage), else the
 * browser's (navigator.languages), else zh-CN. Pages read strings with the Alpine magic `$t('key', params)`
 * (`{name}` placeholders) and switch with `$store.i18n.use('en')`.
 */
export const LANGUAGES = ['zh-CN', 'en'];
export const DEFAULT_LANGUAGE = 'zh-CN';
const STORAGE_KEY = 'referral-bus.language';

export function preferredLanguage(
  stored = safeStorage(),
  browser = navigator.languages || [navigator.language],
) {
  if (LANGUAGES.includes(stored)) return stored;
  for (const tag of browser) {
    const lower = String(tag || '').toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return DEFAULT_LANGUAGE;
}

function safeStorage() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The string of `key` ("a.b.c") in `dictionary`, `{name}` filled from params; the key itself when missing. */
export function translate(dictionary, key, params = {}) {
  let value = dictionary;
  for (const part of String(key).split('.'))
    value = value && typeof value === 'object' ? value[part] : undefined;
  if (typeof value !== 'string') return key;
  return value.replace(/\{(\w+)\}/g, (whole, name) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

async function loadDictionary(staticBase, language) {
  const response = await fetch(`${staticBase}/${language}.json`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`dictionary ${language}: HTTP ${response.status}`);
  return response.json();
}

/** Registers the `i18n` store and the `$t` magic; resolves once the chosen dictionary is loaded. */
export async function installI18n(Alpine, staticBase) {
  const language = preferredLanguage();
  const dictionary = await loadDictionary(staticBase, language);
  Alpine.store('i18n', {
    lang: language,
    dictionary,
    languages: LANGUAGES,
    t(key, params) {
      return translate(this.dictionary, key, params);
    },
    async use(next) {
      if (!LANGUAGES.includes(next)) return;
      this.dictionary = await loadDictionary(staticBase, next);
      this.lang = next;
      document.documentElement.lang = next;
      try {
        localStorage.setItem(STORAGE_KEY, next);
      } catch {
        // private mode: the choice lasts for this page only
      }
    },
  });
  Alpine.magic('t', () => (key, params) => Alpine.store('i18n').t(key, params));
  document.documentElement.lang = language;
}
