import { IsOrgId, IsReferralId, IsRiskLevel, IsTimestamp } from '../validation';

/** A site observed a relapse: the patient goes back to hospital through the green channel. */
export class GreenRelapseReportedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsRiskLevel()
  observedRiskLevel: number;

  @IsTimestamp()
  reportedAt: string;
}
