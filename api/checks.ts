/**
 * Pure checks behind the API's field schemas: identifiers with a checksum, calendar dates, text PostgreSQL can
 * store. Kept apart from zod so they are property-tested on their own.
 */
import { stdnum } from 'stdnum';

const siretValidator = stdnum.FR?.siret;
if (!siretValidator) throw new Error('stdnum has no FR.siret validator');

/** 14 digits with a valid Luhn key, or La Poste's establishments (SIREN 356000000, digit sum multiple of 5). */
export function isSiret(value: string): boolean {
  return /^\d{14}$/.test(value) && siretValidator!.validate(value).isValid;
}

/**
 * French VAT number: FR + key + SIREN, the numeric key being (12 + 3 × (SIREN mod 97)) mod 97. The older
 * alphanumeric keys (no checksum) pass on their format. The SIREN's own Luhn key is not required here: the
 * SIRET already carries one.
 */
export function isFrenchVatNumber(value: string): boolean {
  const match = /^FR([0-9A-Z]{2})(\d{9})$/.exec(value);
  if (!match) return false;
  const [key, siren] = [match[1]!, Number(match[2])];
  if (!/^\d{2}$/.test(key)) return true;
  return Number(key) === (12 + 3 * (siren % 97)) % 97;
}

/** IBAN lengths of the SEPA countries a French producer's bank may be in (ISO 13616 registry). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AT: 20, BE: 16, BG: 22, CH: 21, CY: 28, CZ: 24, DE: 22, DK: 18, EE: 20, ES: 24, FI: 18, FR: 27, GB: 22,
  GI: 23, GR: 27, HR: 21, HU: 28, IE: 22, IS: 26, IT: 27, LI: 21, LT: 20, LU: 20, LV: 21, MC: 27, MT: 31, NL: 18,
  NO: 15, PL: 28, PT: 25, RO: 24, SE: 24, SI: 19, SK: 24, SM: 27, VA: 22,
};

/** Spaces removed, upper case: the form we store and compare. */
export const compactIban = (value: string): string => value.replace(/\s+/g, '').toUpperCase();

/**
 * ISO 13616 check: SEPA country with its length, then mod 97 of the rearranged number equals 1.
 * (stdnum 1.12 has no IBAN validator, so this is ours.)
 */
export function isIban(value: string): boolean {
  const iban = compactIban(value);
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false;
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected === undefined || iban.length !== expected) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : char;
    for (const d of digits) remainder = (remainder * 10 + Number(d)) % 97;
  }
  return remainder === 1;
}

/** BIC / SWIFT code: bank (4 letters), country (2), location (2), optional branch (3). */
export const isBic = (value: string): boolean => /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(value);

/** A real calendar date written YYYY-MM-DD (rejects 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 2000 || year > 2999) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

// PostgreSQL refuses NUL in text and lone surrogates in jsonb: refuse them here, as a 400, not a 500.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LINE_BREAKS = /[\r\n\t]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text PostgreSQL stores as is: no control character, no broken UTF-16; line breaks only when allowed. */
export function isStorableText(value: string, multiline = false): boolean {
  return !CONTROL_CHARS.test(value) && !LONE_SURROGATE.test(value) && (multiline || !LINE_BREAKS.test(value));
}
