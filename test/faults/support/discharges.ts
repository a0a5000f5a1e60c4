import { DivisionDirectory } from '@app/divisions';
import { dischargeRequest } from '@app/testing';

/** The county every generated patient lives in (汉滨区, 安康市: the seeded demo prefecture). */
export const FAULT_COUNTY = '610902';

export interface DischargeOptions {
  /** Signed community-rehab consent (default true); without it the referral waits for consent. */
  readonly consent?: boolean;
}

/**
 * Distinct patients for one fleet (`dischargeRequest(n)`: own ID number, birth date and name, own encounter id)
 * living in the townships of one county in turn, so routing spreads over the street sites and county centre
 * instead of filling one community station.
 */
export class DischargeFactory {
  private counter = 0;

  private constructor(private readonly townships: string[]) {}

  static async create(): Promise<DischargeFactory> {
    const divisions = await DivisionDirectory.load();
    const townships = divisions.townshipsOf(FAULT_COUNTY).map((t) => t.code);
    if (townships.length === 0) throw new Error(`no townships under ${FAULT_COUNTY} in the division data`);
    return new DischargeFactory(townships);
  }

  next(options: DischargeOptions = {}): Record<string, unknown> {
    const n = this.counter++;
    const body = dischargeRequest(n);
    const patient = body.patient as Record<string, unknown>;
    patient.residenceDivisionCode = this.townships[n % this.townships.length];
    if (options.consent === false) delete body.consents;
    return body;
  }

  batch(count: number, options: DischargeOptions = {}): Record<string, unknown>[] {
    return Array.from({ length: count }, () => this.next(options));
  }
}
