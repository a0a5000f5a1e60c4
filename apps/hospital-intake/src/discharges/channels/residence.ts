import { AddressParts, DivisionDirectory } from '@app/divisions';
import { RuleError } from '../discharge-rules';

/** A value that looks like a 6-, 9- or 12-digit division code, and where it was found. */
export interface CodeCandidate {
  readonly code: string;
  readonly at: string;
}

/** What a channel found of the residence: codes wherever they were, and the names of the address. */
export interface ResidenceHint {
  readonly codes: CodeCandidate[];
  readonly parts: AddressParts;
  /** Where the address is (named in errors when nothing resolves). */
  readonly at: string;
}

export const DIVISION_CODE_LIKE = /^\d{6}(\d{3}(\d{3})?)?$/;

export type ResidenceReading =
  { code: string; at: string; problem?: undefined } | { problem: RuleError; code?: undefined };

/**
 * The patient's residence division: the most specific existing code found anywhere in the address (any
 * extension, a numeric district or county field), else the address names resolved against the division data.
 */
export async function readResidence(
  hint: ResidenceHint,
  divisions: DivisionDirectory,
): Promise<ResidenceReading> {
  const existing = hint.codes
    .filter((c) => DIVISION_CODE_LIKE.test(c.code) && divisions.exists(c.code))
    .sort((a, b) => b.code.length - a.code.length);
  if (existing.length > 0) return { code: existing[0].code, at: existing[0].at };
  const hasNames = Object.values(hint.parts).some((v) => typeof v === 'string' && v.trim() !== '');
  const unknownCodes = hint.codes.map((c) => `${c.code} at ${c.at}`).join(', ');
  if (!hasNames) {
    return {
      problem: {
        pointer: hint.at,
        code: unknownCodes ? 'UNKNOWN_DIVISION' : 'RESIDENCE_MISSING',
        detail: unknownCodes
          ? `${unknownCodes} is not an administrative division (GB/T 2260 county, township or committee code) and the address has no names to resolve`
          : 'the residence address has neither a division code nor names: send the district (县/区) and street (街道/乡镇) names, or the division code',
      },
    };
  }
  const resolved = await divisions.resolveAddress(hint.parts);
  if (resolved.ok) return { code: resolved.code, at: hint.at };
  return {
    problem: {
      pointer: hint.at,
      code: resolved.reason === 'ambiguous' ? 'RESIDENCE_AMBIGUOUS' : 'RESIDENCE_UNRESOLVED',
      detail: `the residence could not be resolved: ${resolved.detail}${unknownCodes ? ` (${unknownCodes} is not a division code)` : ''}`,
    },
  };
}
