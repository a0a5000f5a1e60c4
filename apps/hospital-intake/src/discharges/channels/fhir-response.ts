import type { Bundle, BundleEntry, OperationOutcome } from 'fhir/r4';
import { ReferralReceiptDto } from '../dto/referral-receipt.dto';

/** Where a referral is, as a FHIR ServiceRequest (the referral request the hospital's Bundle made). */
export const referralLocation = (referralId: string) => `ServiceRequest/${referralId}`;

function awaitingOutcome(receipt: ReferralReceiptDto): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    issue: [
      {
        severity: 'warning',
        code: 'incomplete',
        diagnostics:
          `awaiting-assessment: the discharge is kept; send the discharge assessment (Observations or a ` +
          `QuestionnaireResponse with risk-level and condition-status, basedOn ${referralLocation(receipt.referralId)})` +
          (receipt.assessmentDueAt ? ` by ${receipt.assessmentDueAt}` : ''),
        expression: (receipt.missing ?? []).map((field) => field.replace(/^assessment\./, 'Observation.')),
      },
    ],
  };
}

/**
 * The transaction-response R4 requires: one entry per request entry, in order. The ServiceRequest entry (or,
 * for an assessment Bundle, the QuestionnaireResponse or every Observation) answers with the referral's location; the other resources were
 * read into the referral and answer 200.
 */
export function transactionResponse(request: unknown, status: number, receipt: ReferralReceiptDto): Bundle {
  const entries = (request as { entry?: { resource?: { resourceType?: string } }[] }).entry ?? [];
  const created = status === 201 || status === 202;
  const location = referralLocation(receipt.referralId);
  const carrier =
    ['ServiceRequest', 'QuestionnaireResponse'].find((type) =>
      entries.some((e) => e?.resource?.resourceType === type),
    ) ?? 'Observation';
  const entry: BundleEntry[] = entries.map((e) => {
    if (e?.resource?.resourceType !== carrier) return { response: { status: '200 OK' } };
    return {
      response: {
        status: created ? '201 Created' : '200 OK',
        location,
        ...(receipt.status === 'awaiting-assessment' ? { outcome: awaitingOutcome(receipt) } : {}),
      },
    };
  });
  return { resourceType: 'Bundle', type: 'transaction-response', entry };
}
