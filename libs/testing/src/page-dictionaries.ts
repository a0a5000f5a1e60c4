import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** libs/webui/public: the staff pages' shared files and their dictionaries (one per language). */
export const WEBUI_PUBLIC = join(__dirname, '../../webui/public');
export const PAGE_LANGUAGES = ['zh-CN', 'en'] as const;

type Dictionary = { [key: string]: string | Dictionary };

export function pageDictionary(language: (typeof PAGE_LANGUAGES)[number]): Dictionary {
  return JSON.parse(readFileSync(join(WEBUI_PUBLIC, `${language}.json`), 'utf8')) as Dictionary;
}

/** Every leaf key of a dictionary, dotted ("codes.declineReason.other"). */
export function dictionaryKeys(dictionary: Dictionary, prefix = ''): string[] {
  return Object.entries(dictionary).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : dictionaryKeys(value, `${prefix}${key}.`),
  );
}

/**
 * The dictionary keys a page's files name literally: `$t('a.b')` / `t('a.b')` and any quoted 'ns.key' whose
 * first part is a namespace of the dictionary (keys handed around before translation, e.g. 'signIn.failed').
 * Prefixes built on at run time ('codes.x.' + code) end with a dot and are left to the vocabulary check.
 */
export function keysNamedIn(files: readonly string[], namespaces: readonly string[]): string[] {
  const found = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/'([A-Za-z][\w-]*(?:\.[\w-]+)+\.?)'/g)) {
      const key = match[1];
      if (key.endsWith('.') || !namespaces.includes(key.split('.')[0])) continue;
      found.add(key);
    }
  }
  return [...found].sort();
}

/**
 * What a page's dictionaries lack: each key its files name, each code of its vocabulary under the dictionary
 * prefix that labels it (`prefixes[vocabularyName]`), and each extra key made at run time, in every language.
 */
export function missingPageStrings(
  files: readonly string[],
  vocabulary: Record<string, readonly (string | number)[]>,
  prefixes: Record<string, string>,
  extraKeys: readonly string[] = [],
): string[] {
  const missing: string[] = [];
  for (const language of PAGE_LANGUAGES) {
    const dictionary = pageDictionary(language);
    const keys = new Set(dictionaryKeys(dictionary));
    const wanted = [
      ...keysNamedIn(files, Object.keys(dictionary)),
      ...Object.entries(vocabulary).flatMap(([name, codes]) => {
        const prefix = prefixes[name];
        return prefix === undefined
          ? [`(no dictionary prefix for vocabulary ${name})`]
          : codes.map((c) => `${prefix}.${c}`);
      }),
      ...extraKeys,
    ];
    for (const key of wanted) if (!keys.has(key)) missing.push(`${language}: ${key}`);
  }
  return [...new Set(missing)];
}
