import { ColourGrade, RehabService } from '@app/contracts';
import { RoutingTarget } from '../directory/site.repository';
import { ReferralStatus } from './referral-lifecycle';
import { StoredContact } from './site-contact-seal';

/** A referral held at rehab-site as the service sees it, and the row it is read from. */
export interface ReferralRecord {
  referralId: string;
  registrationId: string;
  patientRef: string;
  residenceDivisionCode: string;
  needs: RehabService[];
  riskLevel: number;
  colourGrade: ColourGrade;
  preferredSiteId: string | null;
  previousSiteId: string | null;
  registeredAt: Date;
  sealedContact: StoredContact | null;
  status: ReferralStatus;
  siteId: string | null;
  holdsPlace: boolean;
  hop: number;
  needsManualPlacement: boolean;
  assignedAt: Date | null;
  answerDueAt: Date | null;
  acceptedAt: Date | null;
  closedAt: Date | null;
  outcome: string | null;
  /** The latest plan's review date: the next periodic assessment is due by then. */
  reviewBy: Date | null;
}

/** A referral as referral.registered announces it, before it is written. */
export interface NewReferral extends Pick<
  ReferralRecord,
  | 'referralId'
  | 'registrationId'
  | 'patientRef'
  | 'residenceDivisionCode'
  | 'needs'
  | 'riskLevel'
  | 'colourGrade'
> {
  preferredSiteId?: string;
  previousSiteId?: string;
  registeredAt: string;
  sealedContact: StoredContact;
}

export interface Assignment {
  siteId: string;
  hop: number;
  assignedAt: Date;
  answerDueAt: Date;
  needsManualPlacement: boolean;
  holdsPlace: boolean;
}

/** A registered referral as first written: assigned to `site`, or left unplaced when no candidate had a place. */
export interface PlacedReferral {
  referral: ReferralRecord;
  site?: RoutingTarget;
}

export interface ReferralRow {
  referral_id: string;
  registration_id: string;
  patient_ref: string;
  residence_division_code: string;
  needs: RehabService[];
  risk_level: number;
  colour_grade: ColourGrade;
  preferred_site_id: string | null;
  previous_site_id: string | null;
  registered_at: Date;
  sealed_contact: StoredContact | null;
  status: ReferralStatus;
  site_id: string | null;
  holds_place: boolean;
  hop: number;
  needs_manual_placement: boolean;
  assigned_at: Date | null;
  answer_due_at: Date | null;
  accepted_at: Date | null;
  closed_at: Date | null;
  outcome: string | null;
  review_by: Date | null;
}

/** The record of a referral row (`SELECT *` or `RETURNING *`). */
export function toReferralRecord(row: ReferralRow): ReferralRecord {
  return {
    referralId: row.referral_id,
    registrationId: row.registration_id,
    patientRef: row.patient_ref,
    residenceDivisionCode: row.residence_division_code,
    needs: row.needs,
    riskLevel: row.risk_level,
    colourGrade: row.colour_grade,
    preferredSiteId: row.preferred_site_id,
    previousSiteId: row.previous_site_id,
    registeredAt: row.registered_at,
    sealedContact: row.sealed_contact,
    status: row.status,
    siteId: row.site_id,
    holdsPlace: row.holds_place,
    hop: row.hop,
    needsManualPlacement: row.needs_manual_placement,
    assignedAt: row.assigned_at,
    answerDueAt: row.answer_due_at,
    acceptedAt: row.accepted_at,
    closedAt: row.closed_at,
    outcome: row.outcome,
    reviewBy: row.review_by,
  };
}

/** $1–$11 of the statements that record a registered referral, in their column order. */
export function registeredValues(referral: NewReferral): unknown[] {
  return [
    referral.referralId,
    referral.registrationId,
    referral.patientRef,
    referral.residenceDivisionCode,
    referral.needs,
    referral.riskLevel,
    referral.colourGrade,
    referral.preferredSiteId ?? null,
    referral.previousSiteId ?? null,
    referral.registeredAt,
    JSON.stringify(referral.sealedContact),
  ];
}
