import { randomUUID } from 'node:crypto';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** A valid GB 11643 resident ID number (county 610902) for a birth date; `sequence` makes it unique (0–999). */
export function residentIdNumber(birthDate: string, sequence: number): string {
  const first17 = `610902${birthDate.replace(/-/g, '')}${String(sequence % 1000).padStart(3, '0')}`;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * WEIGHTS[i];
  return first17 + CHECK_CHARS[sum % 11];
}

/** 汉滨区 老城街道 西大街社区居委会: a residence with demo sites nearby. */
export const DEMO_RESIDENCE = '610902001003';

const hoursAgo = (h: number): string => new Date(Date.now() - h * 3_600_000).toISOString();

/**
 * A valid JSON discharge for `POST /v1/discharges` with the patient's consent to community rehab. `n` makes
 * the patient distinct (birth date and ID number), so n = 0..N-1 gives N different people.
 */
export function dischargeRequest(
  n: number,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const birth = new Date(Date.UTC(1960, 0, 1) + (Math.floor(n / 1000) % 15_000) * 86_400_000);
  const birthDate = birth.toISOString().slice(0, 10);
  return {
    encounterId: `ZY-${randomUUID()}`,
    admittedAt: hoursAgo(24 * 40),
    dischargedAt: hoursAgo(2),
    dischargeDisposition: 'home',
    patient: {
      name: `测试患者${n}`,
      idNumber: residentIdNumber(birthDate, n),
      birthDate,
      sex: n % 2 === 0 ? 'female' : 'male',
      phone: `139${String(91_500_000 + (n % 10_000_000)).padStart(8, '0')}`,
      address: '汉滨区老城街道西大街 12 号',
      residenceDivisionCode: DEMO_RESIDENCE,
      lacksCapacity: false,
    },
    diagnoses: [{ code: 'F20.0', primary: true }],
    assessment: {
      riskLevel: 1,
      conditionStatus: 'basically-stable',
      functionalScores: [{ instrument: 'gaf', score: 62 }],
      rehabNeeds: ['day-care', 'social-skills'],
      employmentInterest: true,
    },
    consents: [
      {
        purpose: 'community-rehab',
        grantedBy: 'patient',
        method: 'signed-at-hospital',
        grantedAt: hoursAgo(3),
      },
    ],
    ...overrides,
  };
}
