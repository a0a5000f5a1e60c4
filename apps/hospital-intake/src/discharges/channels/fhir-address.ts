import type { Address, Extension, Patient } from 'fhir/r4';
import { CodeCandidate, DIVISION_CODE_LIKE, ResidenceHint } from './residence';

/** Values of an extension (and its nested extensions) that look like division codes. */
function codesIn(extensions: Extension[] | undefined, at: string, found: CodeCandidate[], depth = 0): void {
  (extensions ?? []).forEach((extension, i) => {
    const here = `${at}.extension[${i}]`;
    const values: [string, unknown][] = [
      ['valueCode', extension.valueCode],
      ['valueString', extension.valueString],
      ['valueIdentifier.value', extension.valueIdentifier?.value],
      ...(extension.valueCodeableConcept?.coding ?? []).map((c, j): [string, unknown] => [
        `valueCodeableConcept.coding[${j}].code`,
        c.code,
      ]),
      ...(extension.valueCoding
        ? [['valueCoding.code', extension.valueCoding.code] as [string, unknown]]
        : []),
    ];
    for (const [path, value] of values) {
      if (typeof value === 'string' && DIVISION_CODE_LIKE.test(value.trim())) {
        found.push({ code: value.trim(), at: `${here}.${path}` });
      }
    }
    if (depth < 3) codesIn(extension.extension, here, found, depth + 1);
  });
}

/**
 * The residence address (use home, else the first without use, else the first) as division codes found in it
 * (any extension, a numeric district) and its names: state → province, city → prefecture, district → county,
 * lines and text → township, street and committee (as WS/T 500-style FHIR templates fill them).
 */
export function readAddress(p: Patient, at: string): { address?: Address; residence: ResidenceHint } {
  const addresses = p.address ?? [];
  let index = addresses.findIndex((a) => a.use === 'home');
  if (index < 0) index = addresses.findIndex((a) => a.use === undefined && a.type !== 'postal');
  if (index < 0) index = 0;
  const address = addresses[index];
  const here = `${at}.address[${index}]`;
  if (!address) return { residence: { codes: [], parts: {}, at: `${at}.address` } };
  const codes: CodeCandidate[] = [];
  codesIn(address.extension, here, codes);
  const district = address.district?.trim();
  const districtIsCode = district !== undefined && DIVISION_CODE_LIKE.test(district);
  if (districtIsCode) codes.push({ code: district, at: `${here}.district` });
  const text = [...(address.line ?? []), address.text ?? ''].join(' ').trim();
  return {
    address,
    residence: {
      codes,
      parts: {
        province: address.state?.trim() || undefined,
        prefecture: address.city?.trim() || undefined,
        county: districtIsCode ? undefined : district || undefined,
        text: text || undefined,
      },
      at: here,
    },
  };
}
