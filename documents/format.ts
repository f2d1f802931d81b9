/**
 * French display of the other decimal strings and the dates of an invoice, done on the strings themselves (no
 * float, no locale data): "2.500" -> "2,5", "2026-03-01" -> "01/03/2026". Amounts ("1 234,50 €") are
 * domain/format.ts's `formatEuros`, shared with the mails; thousands are grouped by its rule.
 */
import { groupThousands, NBSP, splitDecimal } from '../domain/format';

/** Unit prices keep their own precision, at least 2 decimals: "2.4575" -> "2,4575", "3" -> "3,00". */
export function formatUnitPrice(value: string): string {
  const { sign, int, frac } = splitDecimal(value);
  const trimmed = frac.replace(/0+$/, '');
  return `${sign}${groupThousands(int)},${trimmed.length >= 2 ? trimmed : trimmed.padEnd(2, '0')}`;
}

/** Quantities without trailing zeros: "2.500" -> "2,5", "12" -> "12". */
export function formatQuantity(value: string): string {
  const { sign, int, frac } = splitDecimal(value);
  const trimmed = frac.replace(/0+$/, '');
  return `${sign}${groupThousands(int)}${trimmed ? `,${trimmed}` : ''}`;
}

/** "5.5" -> "5,5 %". */
export function formatRate(value: string): string {
  return `${formatQuantity(value)}${NBSP}%`;
}

/** "2026-03-01" -> "01/03/2026". */
export function formatDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}

/** IBAN in groups of four, as printed on a RIB. */
export function formatIban(iban: string): string {
  return iban.replace(/(.{4})(?=.)/g, `$1 `);
}

/** "12345678901234" -> "123 456 789 01234" (SIREN then NIC), the usual French way. */
export function formatSiret(siret: string): string {
  return /^\d{14}$/.test(siret) ? `${siret.slice(0, 3)} ${siret.slice(3, 6)} ${siret.slice(6, 9)} ${siret.slice(9)}` : siret;
}
