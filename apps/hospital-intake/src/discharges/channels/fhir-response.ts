import type { Bundle, BundleEntry, OperationOutcome, OperationOutcomeIssue } from 'fhir/r4';
import { ReferralReceiptDto } from '../dto/referral-receipt.dto';
import { CONSENT_ADDED, NOT_APPLIED } from '../resend';

const PROBLEMS = 'https://referral-bus.dev/problems';

/** Where a referral is, as a FHIR ServiceRequest (the referral request the hospital's Bundle made). */
export const referralLocation = (referralId: string) => `ServiceRequest/${referralId}`;

/** Where a held discharge is (the hospital reads and completes it there). */
export const heldLocation = (heldId: string) => `/v1/held-discharges/${heldId}`;

/** The answer to a discharge kept as held: one warning per element it lacks, and how to complete it. */
export function heldOutcome(held: {
  id: string;
  missing: { at: string; code?: string; detail?: string; field: string }[];
}): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'information',
        code: 'informational',
        diagnostics:
          `held ${held.id}: the discharge is kept but lacks what registration needs; supply it with ` +
          `POST ${heldLocation(held.id)}/completion (or send the Bundle again, complete)`,
      },
      ...held.missing.map((m): OperationOutcomeIssue => ({
        severity: 'warning',
        code: 'incomplete',
        ...(m.code ? { details: { coding: [{ system: PROBLEMS, code: m.code }], text: m.code } } : {}),
        diagnostics: `held ${held.id}: ${m.field}: ${m.detail ?? 'missing'}`,
        expression: [m.at],
      })),
    ],
  };
}

function awaitingIssue(receipt: ReferralReceiptDto): OperationOutcomeIssue {
  return {
    severity: 'warning',
    code: 'incomplete',
    diagnostics:
      `awaiting-assessment: the discharge is kept; send the discharge assessment (Observations or a ` +
      `QuestionnaireResponse with risk-level and condition-status, basedOn ${referralLocation(receipt.referralId)})` +
      (receipt.assessmentDueAt ? ` by ${receipt.assessmentDueAt}` : ''),
    expression: (receipt.missing ?? []).map(missingAt),
  };
}

/** Where in a Bundle a missing assessment field goes, as FHIRPath (the Observation codes it is read from). */
const ASSESSMENT_PATHS: Record<string, string> = {
  'assessment.riskLevel': "Bundle.entry.resource.ofType(Observation).where(code.coding.code = 'risk-level')",
  'assessment.conditionStatus':
    "Bundle.entry.resource.ofType(Observation).where(code.coding.code = 'condition-status')",
  'assessment.employmentInterest':
    "Bundle.entry.resource.ofType(Observation).where(code.coding.code = 'employment-interest')",
  'assessment.rehabNeeds': 'Bundle.entry.resource.ofType(ServiceRequest).orderDetail',
};
const missingAt = (field: string): string =>
  ASSESSMENT_PATHS[field] ?? 'Bundle.entry.resource.ofType(Observation)';

const coded = (code: string) => ({ coding: [{ system: PROBLEMS, code }], text: code });

/**
 * A discharge sent again: one `information` issue per consent added to the referral and one `warning` per field
 * that differs and was not applied, each at its element (`expression`).
 */
function resendIssues(resend: {
  consentsAdded: readonly { pointer: string; detail: string }[];
  notApplied: readonly { pointer: string; detail: string }[];
}): OperationOutcomeIssue[] {
  return [
    ...resend.consentsAdded.map((c): OperationOutcomeIssue => ({
      severity: 'information',
      code: 'informational',
      details: coded(CONSENT_ADDED),
      diagnostics: c.detail,
      expression: [c.pointer],
    })),
    ...resend.notApplied.map((e): OperationOutcomeIssue => ({
      severity: 'warning',
      code: 'business-rule',
      details: coded(NOT_APPLIED),
      diagnostics: e.detail,
      expression: [e.pointer],
    })),
  ];
}

/**
 * The transaction-response R4 requires: one entry per request entry, in order. The ServiceRequest entry (the
 * Encounter when the discharge has none; for an assessment Bundle, the QuestionnaireResponse or every
 * Observation) answers with the referral's location; the other resources were read into the referral and answer
 * 200.
 */
export function transactionResponse(
  request: unknown,
  status: number,
  receipt: ReferralReceiptDto,
  resend?: Parameters<typeof resendIssues>[0],
): Bundle {
  const entries = (request as { entry?: { resource?: { resourceType?: string } }[] }).entry ?? [];
  const created = status === 201 || status === 202;
  const location = referralLocation(receipt.referralId);
  // A discharge answers on its ServiceRequest, or on its Encounter when it sent none; an assessment on its
  // QuestionnaireResponse or every Observation.
  const carrier =
    ['ServiceRequest', 'QuestionnaireResponse', 'Encounter'].find((type) =>
      entries.some((e) => e?.resource?.resourceType === type),
    ) ?? 'Observation';
  const issues = [
    ...(receipt.status === 'awaiting-assessment' ? [awaitingIssue(receipt)] : []),
    ...(resend ? resendIssues(resend) : []),
  ];
  let answered = false;
  const entry: BundleEntry[] = entries.map((e) => {
    if (e?.resource?.resourceType !== carrier) return { response: { status: '200 OK' } };
    // One OperationOutcome, on the first carrier entry (an assessment's Observations would repeat it).
    const outcome = !answered && issues.length > 0;
    answered = true;
    return {
      response: {
        status: created ? '201 Created' : '200 OK',
        location,
        ...(outcome ? { outcome: { resourceType: 'OperationOutcome', issue: issues } } : {}),
      },
    };
  });
  return { resourceType: 'Bundle', type: 'transaction-response', entry };
}
