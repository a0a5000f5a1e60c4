import { IsOrgId, IsReferralId, IsTimestamp } from '../validation';

/** A site confirmed the patient is stable, willing and able to work (employment consent checked). */
export class EmploymentReadinessConfirmedData {
  @IsReferralId()
  referralId: string;

  @IsOrgId()
  siteId: string;

  @IsTimestamp()
  confirmedAt: string;
}
