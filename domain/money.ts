/**
 * Exact invoice arithmetic (EN 16931 calculation rules), on decimal strings in and out.
 *
 * Pure: no Node builtins, so Temporal workflow code may import it. Money is never a JS `number` here, except the
 * integer cents of `toCents` (a search attribute).
 *
 * Inputs are bounded decimal strings ("12.50", "2.345", "5.5"):
 * - quantity: >= 0, up to 7 integer digits and 3 decimals (kg to the gram);
 * - unit price HT: >= 0, up to 7 integer digits and 4 decimals (prices per kg such as 2.4575 exist; EN 16931 does not
 *   limit BT-146 decimals, 4 keeps every line total exact before its single rounding);
 * - VAT rate: a percentage 0-100 with up to 2 decimals (20, 10, 5.5, 2.1, 8.5, 1.05 ...).
 *
 * Rules applied (EN 16931-1):
 * - BT-131 line net amount = quantity x unit price, rounded half-up to 2 decimals (one rounding per line);
 * - BT-116 per VAT rate = sum of the BT-131 of the lines at that rate (BR-S-08; no allowances or charges here);
 * - BT-117 per VAT rate = BT-116 x rate / 100, rounded half-up to 2 decimals (BR-CO-17: per rate, never per line);
 * - BT-106 = sum of BT-131 (BR-CO-10); BT-109 = BT-106 - allowances + charges = BT-106 (BR-CO-13);
 *   BT-110 = sum of BT-117 (BR-CO-14); BT-112 = BT-109 + BT-110 (BR-CO-15); BT-115 = BT-112 - prepaid = BT-112
 *   (BR-CO-16).
 */
import Decimal from 'decimal.js';

/**
 * A private Decimal: 40 significant digits (a 10-digit quantity times an 11-digit price needs 21, the default 20
 * would round before our one rounding) and half-up. A clone, so other users of decimal.js keep their settings.
 */
const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
type Dec = InstanceType<typeof D>;

export const QUANTITY_MAX_DECIMALS = 3;
export const UNIT_PRICE_MAX_DECIMALS = 4;
export const VAT_RATE_MAX_DECIMALS = 2;
const MAX_INTEGER_DIGITS = 7;
/** Totals must fit PostgreSQL numeric(14,2) (db/entities.ts) and stay exact as integer cents in a JS number. */
const MAX_TOTAL = new D('999999999999.99');

/** A decimal input that breaks the rules above; `field` names it (e.g. `lines[2].quantity`). */
export class MoneyError extends Error {
  override name = 'MoneyError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

function decimalPattern(maxDecimals: number): RegExp {
  return new RegExp(`^\\d{1,${MAX_INTEGER_DIGITS}}(\\.\\d{1,${maxDecimals}})?$`);
}
const QUANTITY_RE = decimalPattern(QUANTITY_MAX_DECIMALS);
const UNIT_PRICE_RE = decimalPattern(UNIT_PRICE_MAX_DECIMALS);
const VAT_RATE_RE = /^\d{1,3}(\.\d{1,2})?$/;
const AMOUNT_RE = /^-?\d{1,12}(\.\d{1,2})?$/;

function parseWith(re: RegExp, value: unknown, field: string, what: string): Dec {
  if (typeof value !== 'string' || !re.test(value)) {
    throw new MoneyError(field, `${what}, got ${JSON.stringify(value)}`);
  }
  return new D(value);
}

/** A quantity: "12", "2.5", "0.125" (not negative, at most 3 decimals). */
export function parseQuantity(value: unknown, field = 'quantity'): Dec {
  return parseWith(QUANTITY_RE, value, field, `expected a decimal string >= 0 with at most ${MAX_INTEGER_DIGITS} digits before the point and ${QUANTITY_MAX_DECIMALS} after, like "2.5"`);
}

/** A unit price HT: "3", "12.50", "2.4575" (not negative, at most 4 decimals). */
export function parseUnitPrice(value: unknown, field = 'unitPriceHT'): Dec {
  return parseWith(UNIT_PRICE_RE, value, field, `expected a decimal string >= 0 with at most ${MAX_INTEGER_DIGITS} digits before the point and ${UNIT_PRICE_MAX_DECIMALS} after, like "12.50"`);
}

/** A VAT rate in percent, 0 to 100: "5.5", "20", "2.1". */
export function parseVatRate(value: unknown, field = 'vatRate'): Dec {
  const rate = parseWith(VAT_RATE_RE, value, field, `expected a percentage from 0 to 100 with at most ${VAT_RATE_MAX_DECIMALS} decimals, like "5.5"`);
  if (rate.gt(100)) throw new MoneyError(field, `a VAT rate cannot exceed 100, got ${JSON.stringify(value)}`);
  return rate;
}

/** An amount with at most 2 decimals ("12.5", "-3.00"), as written by this module or stored in numeric(14,2). */
export function parseAmount(value: unknown, field = 'amount'): Dec {
  return parseWith(AMOUNT_RE, value, field, 'expected an amount with at most 2 decimals, like "12.50"');
}

/** "5.50" and "5.5" are the same rate: one canonical spelling for grouping and display ("5.5", "20", "0"). */
export function normalizeVatRate(value: string, field = 'vatRate'): string {
  return parseVatRate(value, field).toFixed();
}

/** Canonical spelling of a quantity ("012.350" -> "12.35"), as XML writers expect. */
export function normalizeQuantity(value: string, field = 'quantity'): string {
  return parseQuantity(value, field).toFixed();
}

/**
 * A unit price as an amount with at most 2 decimals per `baseQuantity` units, exactly equal to the given price
 * (EN 16931 BT-146 / BT-149): "2.4575" -> { price: "245.75", baseQuantity: "100" }, "2.5" -> { "2.50", "1" }.
 * For writers whose price type only takes 2 decimals; BT-131 = quantity x price / baseQuantity is unchanged.
 */
export function unitPriceWithBaseQuantity(unitPriceHT: string, field = 'unitPriceHT'): { price: string; baseQuantity: string } {
  const price = parseUnitPrice(unitPriceHT, field);
  const extra = Math.max(0, price.decimalPlaces() - 2);
  const base = new D(10).pow(extra);
  return { price: price.times(base).toFixed(2), baseQuantity: base.toFixed() };
}

function amount(d: Dec): string {
  return d.toFixed(2, Decimal.ROUND_HALF_UP);
}

/** BT-131: quantity x unit price HT, rounded half-up to 2 decimals. */
export function lineTotalHT(quantity: string, unitPriceHT: string): string {
  return amount(parseQuantity(quantity).times(parseUnitPrice(unitPriceHT)));
}

/** BT-117 of one rate: base x rate / 100, rounded half-up to 2 decimals. */
export function vatAmount(base: string, vatRate: string): string {
  return amount(parseAmount(base, 'base').times(parseVatRate(vatRate)).dividedBy(100));
}

export interface InvoiceLineInput {
  lineId: string;
  quantity: string;
  unitPriceHT: string;
  vatRate: string;
}

export interface VatBreakdownEntry {
  /** Canonical rate in percent ("5.5"). */
  rate: string;
  /** BT-116. */
  base: string;
  /** BT-117. */
  tax: string;
}

export interface InvoiceTotals {
  /** BT-131 per line, in input order. */
  lines: { lineId: string; totalHT: string }[];
  /** BG-23, one entry per distinct rate, by increasing rate. */
  vatBreakdown: VatBreakdownEntry[];
  /** BT-106: sum of the line net amounts. */
  lineNetTotal: string;
  /** BT-109 (ht), BT-110 (tva), BT-112 (ttc). Same shape as `Totals` in db/entities.ts. */
  totals: { ht: string; tva: string; ttc: string };
  /** BT-115: nothing is prepaid, so equal to BT-112. */
  amountDue: string;
}

/** Totals of an invoice from its lines (at least one; line ids unique). Throws MoneyError naming the bad field. */
export function computeInvoiceTotals(lines: readonly InvoiceLineInput[]): InvoiceTotals {
  if (lines.length === 0) throw new MoneyError('lines', 'an invoice needs at least one line (BR-16)');
  const seen = new Set<string>();
  const bases = new Map<string, Dec>();
  let lineNetTotal = new D(0);
  const lineTotals = lines.map((line, i) => {
    if (typeof line.lineId !== 'string' || line.lineId === '') throw new MoneyError(`lines[${i}].lineId`, 'must be a non-empty string');
    if (seen.has(line.lineId)) throw new MoneyError(`lines[${i}].lineId`, `duplicate line id ${JSON.stringify(line.lineId)}`);
    seen.add(line.lineId);
    const quantity = parseQuantity(line.quantity, `lines[${i}].quantity`);
    const price = parseUnitPrice(line.unitPriceHT, `lines[${i}].unitPriceHT`);
    const rate = parseVatRate(line.vatRate, `lines[${i}].vatRate`).toFixed();
    // Rounded once here; every later sum works on these rounded amounts, as EN 16931 requires.
    const total = new D(amount(quantity.times(price)));
    lineNetTotal = lineNetTotal.plus(total);
    bases.set(rate, (bases.get(rate) ?? new D(0)).plus(total));
    return { lineId: line.lineId, totalHT: amount(total) };
  });

  const vatBreakdown = [...bases.entries()]
    .sort(([a], [b]) => new D(a).comparedTo(new D(b)))
    .map(([rate, base]) => ({ rate, base: amount(base), tax: amount(base.times(rate).dividedBy(100)) }));
  const tva = vatBreakdown.reduce((sum, entry) => sum.plus(entry.tax), new D(0));
  const ht = lineNetTotal;
  const ttc = ht.plus(tva);
  if (ttc.gt(MAX_TOTAL)) throw new MoneyError('lines', `the invoice total ${amount(ttc)} exceeds ${amount(MAX_TOTAL)}`);
  return {
    lines: lineTotals,
    vatBreakdown,
    lineNetTotal: amount(lineNetTotal),
    totals: { ht: amount(ht), tva: amount(tva), ttc: amount(ttc) },
    amountDue: amount(ttc),
  };
}

/**
 * Upper bound of an invoice's amount including VAT that the API accepts: every total then stays inside
 * numeric(14,2) with room (far below MAX_TOTAL, which computeInvoiceTotals enforces).
 */
export const MAX_INVOICE_TTC = '999999999.99';

/**
 * Whether lines at the given quantities (same order; a missing one counts as 0) would make an invoice above
 * MAX_INVOICE_TTC. Exact, without the per-line rounding of computeInvoiceTotals: a bound, not the total. Takes
 * the decimal strings as they are (the API's schema bounds their form); throws on a string that is no number.
 */
export function exceedsMaxInvoiceTtc(lines: readonly { unitPriceHT: string; vatRate: string }[], quantities: readonly string[]): boolean {
  const ttc = lines.reduce((sum, line, i) => {
    const ht = new D(line.unitPriceHT).times(quantities[i] ?? '0');
    return sum.plus(ht.times(new D(line.vatRate).dividedBy(100).plus(1)));
  }, new D(0));
  return ttc.gt(MAX_INVOICE_TTC);
}

/** Integer cents of an amount with at most 2 decimals ("26.38" -> 2638), e.g. for the AmountTtcCents search attribute. */
export function toCents(value: string): number {
  // parseAmount bounds the value to 12 integer digits: always a safe integer. `|| 0` turns -0 into 0.
  return parseAmount(value).times(100).toNumber() || 0;
}

/** Sum of amounts, as an amount string (e.g. to total several invoices). */
export function sumAmounts(values: readonly string[]): string {
  return amount(values.reduce((sum, v, i) => sum.plus(parseAmount(v, `amounts[${i}]`)), new D(0)));
}
