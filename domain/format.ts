/**
 * French display of amounts, one rule for the mails and the PDF, done on the decimal strings themselves (no
 * float, no locale data): "1234.5" -> "1 234,50 €". Thousands are grouped, and the euro sign attached, with a
 * no-break space (U+00A0): an amount never splits across lines, and the PDF's standard fonts (WinAnsi) have
 * that character, which the narrow no-break space U+202F is not.
 */
export const NBSP = '\u00a0';

/** "-01234.50" -> { sign: '-', int: '1234', frac: '50' }; throws on anything but a plain decimal string. */
export function splitDecimal(value: string): { sign: string; int: string; frac: string } {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value);
  if (!match) throw new Error(`not a decimal string: ${JSON.stringify(value)}`);
  return { sign: match[1] ?? '', int: (match[2] ?? '0').replace(/^0+(?=\d)/, ''), frac: match[3] ?? '' };
}

/** "1234567" -> "1 234 567" (no-break spaces). */
export function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, NBSP);
}

/** "1234.5" -> "1 234,50" (2 decimals, padded; the input is already rounded by domain/money.ts, so more throws). */
function formatAmount(value: string): string {
  const { sign, int, frac } = splitDecimal(value);
  if (frac.length > 2) throw new Error(`amount with more than 2 decimals: ${value}`);
  return `${sign}${groupThousands(int)},${frac.padEnd(2, '0')}`;
}

/** "1234.5" -> "1 234,50 €": every amount a person reads, in a mail or on the invoice. */
export function formatEuros(value: string): string {
  return `${formatAmount(value)}${NBSP}€`;
}
