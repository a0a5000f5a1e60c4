import { join } from 'node:path';
import { missingPageStrings, WEBUI_PUBLIC } from '@app/testing';
import { DESK_FOLDER, DESK_VOCABULARY } from './desk-page.controller';

/** Where each vocabulary of the desk is labelled in the dictionaries. */
const PREFIXES: Record<keyof typeof DESK_VOCABULARY, string> = {
  greenDeclineReasons: 'codes.greenDeclineReason',
  greenTriggers: 'codes.greenTrigger',
  greenRoutes: 'codes.greenRoute',
  greenCaseStatuses: 'codes.greenCaseStatus',
  greenCaseActions: 'desk.actions',
  riskLevels: 'codes.riskLevel',
  heldStatuses: 'codes.heldStatus',
  heldFields: 'held.field',
  heldProblems: 'held.problem',
  consentPurposes: 'codes.consentPurpose',
  consentGrantors: 'codes.consentGrantor',
  consentMethods: 'codes.consentMethod',
  sexes: 'codes.sex',
};

describe('desk strings', () => {
  it('should label every string the desk names and every code the API offers, in Chinese and English', () => {
    const files = [
      join(DESK_FOLDER, 'desk.html'),
      join(DESK_FOLDER, 'desk.js'),
      ...['api.js', 'i18n.js', 'session.js', 'format.js', 'shell.js', 'header.html', 'sign-in.html'].map(
        (f) => join(WEBUI_PUBLIC, f),
      ),
    ];
    const runtime = [
      ...['coordinator', 'worker', 'viewer'].map((r) => `role.${r}`),
      // An answered decline: the case left this hospital.
      'codes.greenCaseStatus.declined',
      // The channel a held discharge came by (HeldDischargeSummaryDto.channel).
      'held.channel.hl7v2',
      'held.channel.fhir',
    ];
    expect(missingPageStrings(files, DESK_VOCABULARY, PREFIXES, runtime)).toEqual([]);
  });
});
