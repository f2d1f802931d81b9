/**
 * French display of the decimal strings and dates of an invoice, done on the strings themselves (no float, no
 * locale data): "1234.5" -> "1 234,50 €", "2.500" -> "2,5", "2026-03-01" -> "01/03/2026".
 * Thousands are grouped with a no-break space so that an amount never splits across lines.
 */
export const NBSP = '\u00a0';

function splitDecimal(value: string): { sign: string; int: string; frac: string } {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new Error(`not a decimal string: ${JSON.stringify(value)}`);
  return { sign: match[1] ?? '', int: (match[2] ?? '0').replace(/^0+(?=\d)/, ''), frac: match[3] ?? '' };
}

function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** "1234.5" -> "1 234,50" (2 decimals, padded; the input is already rounded by domain/money.ts). */
export function formatAmount(value: string): string {
  const { sign, int, frac } = splitDecimal(value);
  if (frac.length > 2) throw new Error(`amount with more than 2 decimals: ${value}`);
  return `${sign}${groupThousands(int)},${frac.padEnd(2, '0')}`;
}

export function formatEuro(value: string): string {
  return `${formatAmount(value)}${NBSP}€`;
}

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
