import { randomBytes, randomUUID } from 'node:crypto';
import { DivisionDirectory } from '@app/divisions';

/** The county every generated patient lives in (汉滨区, 安康市: the seeded demo prefecture). */
export const FAULT_COUNTY = '610902';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '徐', '孙'];
const GIVEN = ['秀兰', '建国', '桂英', '志强', '丽', '磊', '敏', '军', '芳', '伟', '静', '勇'];

function idNumber(county: string, birthDate: string, sequence: number): string {
  const first17 = `${county}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return first17 + CHECK[sum % 11];
}

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

export interface DischargeOptions {
  /** Signed community-rehab consent (default true); without it the referral waits for consent. */
  readonly consent?: boolean;
}

/**
 * Valid JSON discharges of distinct patients: each has its own ID number and birth date (so neither the
 * ID-number index nor the name + birth date + county match links two of them), its own encounter id, and a
 * residence spread over the townships of one county so routing spreads over several sites.
 */
export class DischargeFactory {
  private counter = 0;
  /** Birth dates start at a random day so two factories in one schema (never the case) would not collide. */
  private readonly base = Date.UTC(1950, 0, 1) + (randomBytes(2).readUInt16BE() % 2000) * 86_400_000;

  private constructor(private readonly townships: string[]) {}

  static async create(): Promise<DischargeFactory> {
    const divisions = await DivisionDirectory.load();
    const townships = divisions.townshipsOf(FAULT_COUNTY).map((t) => t.code);
    if (townships.length === 0) throw new Error(`no townships under ${FAULT_COUNTY} in the division data`);
    return new DischargeFactory(townships);
  }

  next(options: DischargeOptions = {}): Record<string, unknown> {
    const n = this.counter++;
    const birthDate = new Date(this.base + n * 86_400_000).toISOString().slice(0, 10);
    const residence = this.townships[n % this.townships.length];
    return {
      encounterId: `FT-${randomUUID()}`,
      admittedAt: hoursAgo(24 * 30),
      dischargedAt: hoursAgo(2),
      dischargeDisposition: 'home',
      patient: {
        name: `${SURNAMES[n % SURNAMES.length]}${GIVEN[Math.floor(n / SURNAMES.length) % GIVEN.length]}`,
        idNumber: idNumber(FAULT_COUNTY, birthDate, n % 1000),
        birthDate,
        sex: n % 2 === 0 ? 'female' : 'male',
        residenceDivisionCode: residence,
        lacksCapacity: false,
      },
      diagnoses: [{ code: 'F20.0', primary: true }],
      assessment: {
        riskLevel: 1,
        conditionStatus: 'basically-stable',
        functionalScores: [{ instrument: 'gaf', score: 60 }],
        rehabNeeds: ['day-care', 'social-skills'],
        employmentInterest: false,
      },
      ...(options.consent === false
        ? {}
        : {
            consents: [
              {
                purpose: 'community-rehab',
                grantedBy: 'patient',
                method: 'signed-at-hospital',
                grantedAt: hoursAgo(3),
              },
            ],
          }),
    };
  }

  batch(count: number, options: DischargeOptions = {}): Record<string, unknown>[] {
    return Array.from({ length: count }, () => this.next(options));
  }
}
