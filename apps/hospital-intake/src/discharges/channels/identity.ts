import { isValidIdNumber, RuleError } from '../discharge-rules';

/**
 * Namespaces of the resident identity card number (居民身份证号) as Chinese hospital systems send it:
 * the national OID of WS 363/WS/T 500 templates (2.16.156.10011.1.3; 2.16.156.10011.1.2 is the health-record
 * number and 2.16.156.10011.1.19 the health card, kept as hospital identifiers), and HL7 table 0203
 * identifier types for a national number.
 */
export const ID_CARD_OID = '2.16.156.10011.1.3';
export const ID_CARD_SYSTEMS = [`urn:oid:${ID_CARD_OID}`, ID_CARD_OID];
export const NATIONAL_ID_TYPES = ['NNCHN', 'NI', 'NN', 'CZ'];

/** A problem a channel found itself, and the command field (JSON pointer) whose generic error it replaces. */
export interface ChannelProblem extends RuleError {
  covers?: string;
}

/** One identifier as a channel found it, with where it was. */
export interface IdentifierCandidate {
  readonly value: string | undefined;
  /** Where it is, in the channel's terms (FHIRPath or SEG-n). */
  readonly at: string;
  /** Whether its namespace or type says it is the resident ID number. */
  readonly national: boolean;
  /** Namespace of a hospital identifier (system, assigning authority or type). */
  readonly system: string;
}

export interface HospitalIdentifier {
  system: string;
  value: string;
}

export interface IdentityReading {
  readonly idNumber?: string;
  /** Where the ID number was read (for the errors of later checks). */
  readonly at?: string;
  /** Every other identifier: medical record numbers, health-record and health-card numbers. */
  readonly hospitalIdentifiers: HospitalIdentifier[];
  readonly problems: ChannelProblem[];
}

const normalise = (value: string) => value.trim().toUpperCase();

/**
 * Picks the resident ID number among a patient's identifiers and keeps the others as hospital identifiers.
 * A missing number, a failed checksum or two different numbers give an error that says where and how to fix it.
 */
export function readIdentity(candidates: IdentifierCandidate[], whereAll: string): IdentityReading {
  const national = candidates.filter((c) => c.national && c.value);
  const hospitalIdentifiers = candidates
    .filter((c) => !c.national && c.value)
    .slice(0, 10)
    .map((c) => ({ system: c.system.slice(0, 200) || 'unknown', value: c.value!.trim().slice(0, 64) }));
  if (national.length === 0) {
    return {
      hospitalIdentifiers,
      problems: [
        {
          pointer: whereAll,
          covers: '#/patient/idNumber',
          code: 'ID_NUMBER_MISSING',
          detail:
            `no resident ID number (居民身份证号) among ${candidates.length} identifier(s): send it under ` +
            `system urn:oid:${ID_CARD_OID} or with identifier type NNCHN or NI (HL7 table 0203)`,
        },
      ],
    };
  }
  const valid = national.filter((c) => isValidIdNumber(normalise(c.value!)));
  if (valid.length === 0) {
    return {
      hospitalIdentifiers,
      problems: national.map((c) => ({
        pointer: c.at,
        covers: '#/patient/idNumber',
        code: 'ID_NUMBER_CHECKSUM',
        detail:
          'the resident ID number fails GB 11643: it needs 17 digits, a check character (digit or X) ' +
          'that matches them, and a real birth date in characters 7–14',
      })),
    };
  }
  const numbers = new Set(valid.map((c) => normalise(c.value!)));
  if (numbers.size > 1) {
    return {
      hospitalIdentifiers,
      problems: [
        {
          pointer: valid[1].at,
          covers: '#/patient/idNumber',
          code: 'ID_NUMBER_CONFLICT',
          detail: `two different resident ID numbers (at ${valid[0].at} and ${valid[1].at}): send one`,
        },
      ],
    };
  }
  return { idNumber: normalise(valid[0].value!), at: valid[0].at, hospitalIdentifiers, problems: [] };
}
