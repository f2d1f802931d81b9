/**
 * SIRET arithmetic INSEE and the tax office use: the Luhn key of a SIREN/SIRET and the French VAT number of a
 * company. Shared by the Chorus sandbox (its seeds), the tests and the benchmarks, which make valid identifiers.
 * (The API's validation, La Poste's exception included, is api/checks.ts.)
 */

/** True when the digits carry a valid Luhn key (the last digit). */
export function hasLuhnKey(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** The 14-digit SIRET whose first 13 digits are `body`, completed with its Luhn key. */
export function siretWithKey(body: string): string {
  if (!/^\d{13}$/.test(body)) throw new Error(`a SIRET body is 13 digits, not "${body}"`);
  for (let key = 0; key <= 9; key++) if (hasLuhnKey(body + key)) return body + key;
  throw new Error('unreachable: one of ten keys always fits');
}

/** The French VAT number of a SIRET's company: FR + key + SIREN, key = (12 + 3 × (SIREN mod 97)) mod 97. */
export function frenchVatNumberOf(siret: string): string {
  const siren = siret.slice(0, 9);
  return `FR${((12 + 3 * (Number(siren) % 97)) % 97).toString().padStart(2, '0')}${siren}`;
}
