import { join } from 'node:path';
import {
  dictionaryKeys,
  missingPageStrings,
  pageDictionary,
  PAGE_LANGUAGES,
  WEBUI_PUBLIC,
} from '@app/testing';
import { WORKBENCH_FOLDER, WORKBENCH_VOCABULARY } from './workbench-page.controller';

/** Where each vocabulary of the workbench is labelled in the dictionaries. */
const PREFIXES: Record<keyof typeof WORKBENCH_VOCABULARY, string> = {
  declineReasons: 'codes.declineReason',
  closureOutcomes: 'codes.closureOutcome',
  followUpReached: 'codes.followUpReached',
  rehabServices: 'codes.rehabService',
  conditionStatuses: 'codes.conditionStatus',
  employmentProgrammes: 'codes.employmentProgramme',
  employmentStages: 'codes.employmentStage',
  riskLevels: 'codes.riskLevel',
  colourGrades: 'codes.colourGrade',
  referralStatuses: 'codes.referralStatus',
  siteActions: 'actions',
  recordKinds: 'codes.recordKind',
};

/** Keys the page builds at run time from values that are not API codes. */
const RUNTIME_KEYS = [
  ...['new', 'dueSoon', 'overdue', 'inService', 'other'].map((g) => `worklist.groups.${g}`),
  ...['connecting', 'connected', 'reconnecting', 'closed'].map((s) => `live.${s}`),
  ...['coordinator', 'worker', 'viewer'].map((r) => `role.${r}`),
  // What an action answers beyond the lifecycle's statuses (the referral left this site).
  'codes.referralStatus.declined',
  'codes.referralStatus.transferred',
];

const FILES = [
  join(WORKBENCH_FOLDER, 'workbench.html'),
  join(WORKBENCH_FOLDER, 'workbench.js'),
  ...['api.js', 'i18n.js', 'session.js', 'format.js', 'shell.js', 'header.html', 'sign-in.html'].map((f) =>
    join(WEBUI_PUBLIC, f),
  ),
];

describe('workbench strings', () => {
  it('should label every string the page names and every code the API offers, in Chinese and English', () => {
    expect(missingPageStrings(FILES, WORKBENCH_VOCABULARY, PREFIXES, RUNTIME_KEYS)).toEqual([]);
  });

  it('should keep the same keys in every language, none of them empty but the placeholder', () => {
    const [first, ...others] = PAGE_LANGUAGES.map((l) => dictionaryKeys(pageDictionary(l)).sort());
    for (const keys of others) expect(keys).toEqual(first);
    for (const language of PAGE_LANGUAGES) {
      const dictionary = pageDictionary(language);
      const empty = dictionaryKeys(dictionary).filter(
        (k) =>
          k !== 'common.empty' && k.split('.').reduce<unknown>((d, p) => (d as never)[p], dictionary) === '',
      );
      expect(empty).toEqual([]);
    }
  });

  it('should catch a key the dictionaries lack', () => {
    expect(missingPageStrings(FILES, { x: ['nope'] }, { x: 'codes.nothing' })).toEqual([
      'zh-CN: codes.nothing.nope',
      'en: codes.nothing.nope',
    ]);
  });
});
