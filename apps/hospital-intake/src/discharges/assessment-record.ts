import { ConsentGrantDto, EncryptedFieldDto, ReferralAssessedData } from '@app/contracts';
import { ColourGradePolicy } from '@app/contracts';
import { NewAssessment } from './discharge.repository';
import { DischargeAssessmentDto } from './dto/submit-discharge.dto';

/** The assessment row of a discharge assessment: its colour grade and eligibility by the policy. */
export function assessmentRecord(
  policy: ColourGradePolicy,
  assessment: DischargeAssessmentDto,
  assessedAt: string,
): NewAssessment {
  const outcome = policy.assess(assessment.riskLevel, assessment.conditionStatus);
  return {
    riskLevel: assessment.riskLevel,
    conditionStatus: assessment.conditionStatus,
    functionalScores: (assessment.functionalScores ?? []).map((s) => ({
      instrument: s.instrument,
      score: s.score,
    })),
    rehabNeeds: assessment.rehabNeeds,
    employmentInterest: assessment.employmentInterest,
    colourGrade: outcome.colourGrade,
    eligibleForCommunityRehab: outcome.eligibleForCommunityRehab,
    assessedAt,
  };
}

/** `referral.assessed` of a referral and its assessment (the patient sealed for registration). */
export function assessedEvent(
  referral: {
    id: string;
    hospitalId: string;
    encounterId: string;
    residenceDivisionCode: string;
    consents: ConsentGrantDto[];
    /** A Date from the database, an ISO string from the request. */
    dischargedAt: Date | string;
  },
  a: NewAssessment,
  sealedPatient: EncryptedFieldDto,
): ReferralAssessedData {
  return {
    referralId: referral.id,
    hospitalId: referral.hospitalId,
    riskLevel: a.riskLevel,
    conditionStatus: a.conditionStatus,
    colourGrade: a.colourGrade,
    eligibleForCommunityRehab: a.eligibleForCommunityRehab,
    rehabNeeds: a.rehabNeeds,
    employmentInterest: a.employmentInterest,
    assessedAt: a.assessedAt,
    dischargedAt: new Date(referral.dischargedAt).toISOString(),
    encounterId: referral.encounterId,
    residenceDivisionCode: referral.residenceDivisionCode,
    sealedPatient,
    consents: referral.consents,
  };
}
