import { GreenRoute } from '@app/contracts';
import { Hospital, takesGreenCase } from '../hospitals/hospital.types';

/** Who may be asked to take a green case, in the order they are asked. */
export interface LadderInput {
  /** The hospital that discharged the patient (none for a patient from another channel). */
  readonly dischargingHospital?: Hospital;
  /** Designated psychiatric hospitals of the patient's county, in rank order. */
  readonly countyDesignated: readonly Hospital[];
  /** Designated psychiatric hospitals of the prefecture, in rank order. */
  readonly prefectureDesignated: readonly Hospital[];
  /** Hospitals this case was already offered to (declined or let lapse): never asked again. */
  readonly tried: readonly string[];
}

export interface LadderStep {
  readonly hospitalId: string;
  readonly route: GreenRoute;
}

/**
 * The escalation ladder: the discharging hospital if it can take the patient back (psychiatric or with a
 * psychiatric ward, and taking green cases), then the county's designated hospitals, then the prefecture's.
 * Returns the first not yet tried, or undefined when nobody is left (ops must step in).
 */
export function nextOnLadder(input: LadderInput): LadderStep | undefined {
  const candidates: LadderStep[] = [];
  const add = (hospitals: readonly Hospital[], route: GreenRoute) => {
    for (const h of hospitals) if (takesGreenCase(h)) candidates.push({ hospitalId: h.id, route });
  };
  if (input.dischargingHospital) add([input.dischargingHospital], 'discharging-hospital');
  add(input.countyDesignated, 'county-designated');
  add(input.prefectureDesignated, 'prefecture-designated');
  const tried = new Set(input.tried);
  return candidates.find((c) => !tried.has(c.hospitalId));
}

/** The prefecture (地级市) code of a county: its first four digits and `00`. */
export function prefectureOf(countyCode: string): string {
  return `${countyCode.slice(0, 4)}00`;
}
