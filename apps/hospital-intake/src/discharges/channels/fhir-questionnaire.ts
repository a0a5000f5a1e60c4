import type {
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  QuestionnaireResponseItemAnswer,
} from 'fhir/r4';
import { FieldError } from '@app/core';

/** The linkIds of the discharge-assessment questionnaire (items may be nested in groups). */
export const ASSESSMENT_LINK_IDS = {
  riskLevel: 'risk-level',
  conditionStatus: 'condition-status',
  employmentInterest: 'employment-interest',
  rehabNeeds: 'rehab-needs',
} as const;
const INSTRUMENTS = ['gaf', 'sdss', 'psp', 'adl'] as const;

const SERVICE_REQUEST_REFERENCE = /(?:^|\/)ServiceRequest\/([0-9a-f-]{36})$/i;
const ENCOUNTER_REFERENCE = /(?:^|\/)Encounter\/([\x21-\x7e]{1,64})$/;

type Scalar = string | number | boolean;

/**
 * One answer as a scalar, whatever R4 answer type carries it: boolean, decimal, integer, date, dateTime, time,
 * string, uri (as is), Coding (its code), Quantity (its value); Attachment and Reference carry no assessment.
 */
export function answerValue(answer: QuestionnaireResponseItemAnswer): Scalar | undefined {
  const a = answer as Record<string, unknown>;
  for (const key of ['valueBoolean', 'valueInteger', 'valueDecimal', 'valueString', 'valueUri']) {
    if (a[key] !== undefined) return a[key] as Scalar;
  }
  for (const key of ['valueDate', 'valueDateTime', 'valueTime']) {
    if (a[key] !== undefined) return a[key] as string;
  }
  if (answer.valueCoding) return answer.valueCoding.code;
  if (answer.valueQuantity) return answer.valueQuantity.value;
  return undefined;
}

/** Every item with its answers and its FHIRPath, depth first (groups and items nested under answers). */
function flatten(
  items: QuestionnaireResponseItem[] | undefined,
  at: string,
): { item: QuestionnaireResponseItem; at: string }[] {
  return (items ?? []).flatMap((item, i) => {
    const here = `${at}.item[${i}]`;
    return [
      { item, at: here },
      ...flatten(item.item, here),
      ...(item.answer ?? []).flatMap((answer, j) => flatten(answer.item, `${here}.answer[${j}]`)),
    ];
  });
}

const asBoolean = (value: Scalar | undefined): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(y|yes|true|1|是)$/i.test(value)) return true;
  if (typeof value === 'string' && /^(n|no|false|0|否)$/i.test(value)) return false;
  return undefined;
};
const asNumber = (value: Scalar | undefined): Scalar | undefined =>
  typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;

export interface QuestionnaireAssessmentMapping {
  readonly which: { referralId: string } | { encounterId: string };
  readonly assessment?: Record<string, unknown>;
  readonly sources: Map<string, string>;
  /** Missing items and an unnamed referral: each pointed at its FHIRPath. */
  readonly problems: FieldError[];
}

/**
 * A discharge assessment as a QuestionnaireResponse, answered by linkId (see ASSESSMENT_LINK_IDS and the
 * instruments gaf/sdss/psp/adl); the referral is `basedOn` ServiceRequest/<referralId> or the `encounter`
 * (identifier, or a reference Encounter/<encounter id>); `authored` is when it was assessed.
 */
export function mapQuestionnaireResponse(
  qr: QuestionnaireResponse,
  at: string,
): QuestionnaireAssessmentMapping {
  const items = flatten(qr.item, at);
  const sources = new Map<string, string>();
  const problems: FieldError[] = [];
  const find = (linkId: string) => items.find((i) => i.item.linkId === linkId);
  const pathOf = (linkId: string) => `${at}.item.where(linkId='${linkId}')`;
  const first = (linkId: string) => {
    const found = find(linkId);
    sources.set(`#/${linkId}`, found ? `${found.at}.answer[0]` : pathOf(linkId));
    const answer = found?.item.answer?.[0];
    return answer ? answerValue(answer) : undefined;
  };
  const riskLevel = asNumber(first(ASSESSMENT_LINK_IDS.riskLevel));
  const conditionStatus = first(ASSESSMENT_LINK_IDS.conditionStatus);
  for (const [linkId, value, expected] of [
    [ASSESSMENT_LINK_IDS.riskLevel, riskLevel, 'valueInteger 0–5 (or valueCoding code 0–5)'],
    [
      ASSESSMENT_LINK_IDS.conditionStatus,
      conditionStatus,
      'valueCoding stable | basically-stable | unstable',
    ],
  ] as const) {
    if (value === undefined) {
      problems.push({
        pointer: pathOf(linkId),
        detail: `item linkId '${linkId}' with an answer ${expected} is required`,
      });
    }
  }
  const needs = find(ASSESSMENT_LINK_IDS.rehabNeeds);
  const rehabNeeds = (needs?.item.answer ?? []).map(answerValue).filter((v) => v !== undefined);
  const functionalScores = INSTRUMENTS.map((instrument) => ({
    instrument,
    score: asNumber(first(instrument)),
  })).filter((s) => s.score !== undefined);
  sources.set('#/riskLevel', sources.get(`#/${ASSESSMENT_LINK_IDS.riskLevel}`)!);
  sources.set('#/conditionStatus', sources.get(`#/${ASSESSMENT_LINK_IDS.conditionStatus}`)!);
  sources.set(
    '#/employmentInterest',
    sources.get(`#/${ASSESSMENT_LINK_IDS.employmentInterest}`) ?? pathOf('employment-interest'),
  );
  sources.set('#/rehabNeeds', needs ? `${needs.at}.answer` : pathOf(ASSESSMENT_LINK_IDS.rehabNeeds));
  sources.set('#/functionalScores', `${at}.item`);
  sources.set('#/assessedAt', `${at}.authored`);
  const employment = first(ASSESSMENT_LINK_IDS.employmentInterest);

  const referralId = (qr.basedOn ?? [])
    .map((r) => SERVICE_REQUEST_REFERENCE.exec(r.reference ?? '')?.[1])
    .find((id) => id !== undefined);
  const encounterId =
    qr.encounter?.identifier?.value ?? ENCOUNTER_REFERENCE.exec(qr.encounter?.reference ?? '')?.[1];
  if (!referralId && !encounterId) {
    problems.push({
      pointer: `${at}.basedOn`,
      detail:
        "name the referral: basedOn ServiceRequest/<referralId> (the discharge answer's location) or encounter (identifier or Encounter/<encounter id>)",
    });
  }
  const assessment =
    riskLevel === undefined || conditionStatus === undefined
      ? undefined
      : {
          riskLevel,
          conditionStatus,
          functionalScores,
          rehabNeeds,
          employmentInterest: employment === undefined ? false : (asBoolean(employment) ?? employment),
          ...(qr.authored ? { assessedAt: qr.authored } : {}),
        };
  return {
    which: referralId ? { referralId } : { encounterId: encounterId ?? '' },
    ...(assessment ? { assessment } : {}),
    sources,
    problems,
  };
}
