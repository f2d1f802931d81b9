/**
 * domain/money.ts: exact line totals, VAT per rate and document totals, against the EN 16931 sum rules and against
 * an independent integer (BigInt) computation.
 */
import fc from 'fast-check';
import {
  computeInvoiceTotals,
  lineTotalHT,
  MoneyError,
  normalizeQuantity,
  normalizeVatRate,
  parseQuantity,
  sumAmounts,
  toCents,
  unitPriceWithBaseQuantity,
  vatAmount,
  type InvoiceLineInput,
} from '../../domain/money';

/** "12.34" -> 1234n: compare amounts without ever going through a float. */
function cents(amount: string): bigint {
  const m = /^(-?)(\d+)\.(\d{2})$/.exec(amount);
  if (!m) throw new Error(`not a 2-decimal amount: ${amount}`);
  const v = BigInt(m[2]!) * 100n + BigInt(m[3]!);
  return m[1] ? -v : v;
}

/** "2.5" with scale 3 -> 2500n. */
function scaled(value: string, scale: number): bigint {
  const [int, frac = ''] = value.split('.');
  return BigInt(int!) * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, '0') || '0');
}

/** Half-up division of non-negative integers. */
function divHalfUp(n: bigint, d: bigint): bigint {
  return (2n * n + d) / (2n * d);
}

/** The oracle: quantity in 1e-3, price in 1e-4, so a line is in 1e-7 before its rounding to cents. */
function oracle(lines: InvoiceLineInput[]) {
  const byRate = new Map<string, bigint>();
  const lineCents = lines.map((l) => {
    const c = divHalfUp(scaled(l.quantity, 3) * scaled(l.unitPriceHT, 4), 100_000n);
    const rate = normalizeVatRate(l.vatRate);
    byRate.set(rate, (byRate.get(rate) ?? 0n) + c);
    return c;
  });
  let tax = 0n;
  for (const [rate, base] of byRate) tax += divHalfUp(base * scaled(rate, 2), 10_000n);
  const ht = lineCents.reduce((a, b) => a + b, 0n);
  return { lineCents, ht, tax, ttc: ht + tax };
}

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const decimalString = (maxInt: number, maxDecimals: number) =>
  fc
    .tuple(fc.integer({ min: 0, max: maxInt }), fc.option(digits(1, maxDecimals), { nil: undefined }))
    .map(([int, frac]) => (frac === undefined ? String(int) : `${int}.${frac}`));
const quantityArb = decimalString(50_000, 3);
const priceArb = decimalString(9_999, 4);
const rateArb = fc.oneof(
  fc.constantFrom('0', '2.1', '5.5', '5.50', '10', '20', '20.0', '8.5', '1.05'),
  fc.tuple(fc.integer({ min: 0, max: 99 }), fc.integer({ min: 0, max: 99 })).map(([i, f]) => `${i}.${String(f).padStart(2, '0')}`),
);
const linesArb = fc
  .array(fc.record({ quantity: quantityArb, unitPriceHT: priceArb, vatRate: rateArb }), { minLength: 1, maxLength: 80 })
  .map((ls) => ls.map((l, i): InvoiceLineInput => ({ lineId: `L${i + 1}`, ...l })));

describe('money: line total HT (BT-131)', () => {
  it('When quantity x price has more than 2 decimals, then it is rounded half-up, once', () => {
    expect(lineTotalHT('2.345', '1.5')).toBe('3.52'); // 3.5175
    expect(lineTotalHT('1', '0.125')).toBe('0.13'); // half-up, not half-even (0.12)
    expect(lineTotalHT('0.005', '1')).toBe('0.01');
    expect(lineTotalHT('0.004', '1')).toBe('0.00');
    expect(lineTotalHT('12.350', '2.40')).toBe('29.64');
    expect(lineTotalHT('120', '0.4250')).toBe('51.00');
  });

  it('When numbers are at their bounds, then nothing is lost to the default 20-digit precision', () => {
    // = 10009950003999.0049995 (21 significant digits): at 20 digits it would become ...999.005, then .01.
    expect(lineTotalHT('9999999.999', '1000995.0005')).toBe('10009950003999.00');
  });
});

describe('money: invoice totals', () => {
  it('When an invoice has several lines at two rates, then each total is the sum of its parts, not of one line', () => {
    const t = computeInvoiceTotals([
      { lineId: '1', quantity: '12.350', unitPriceHT: '2.40', vatRate: '5.5' },
      { lineId: '2', quantity: '120', unitPriceHT: '0.4250', vatRate: '5.5' },
      { lineId: '3', quantity: '24', unitPriceHT: '2.90', vatRate: '5.5' },
      { lineId: '4', quantity: '1', unitPriceHT: '15', vatRate: '20' },
    ]);
    expect(t.lines).toEqual([
      { lineId: '1', totalHT: '29.64' },
      { lineId: '2', totalHT: '51.00' },
      { lineId: '3', totalHT: '69.60' },
      { lineId: '4', totalHT: '15.00' },
    ]);
    expect(t.vatBreakdown).toEqual([
      { rate: '5.5', base: '150.24', tax: '8.26' },
      { rate: '20', base: '15.00', tax: '3.00' },
    ]);
    expect(t.lineNetTotal).toBe('165.24');
    expect(t.totals).toEqual({ ht: '165.24', tva: '11.26', ttc: '176.50' });
    expect(t.amountDue).toBe('176.50');
  });

  it('When many small lines share a rate, then VAT is computed on their sum (BR-CO-17), not rounded per line', () => {
    const lines = ['1', '2', '3'].map((lineId) => ({ lineId, quantity: '1', unitPriceHT: '0.10', vatRate: '5.5' }));
    // Per line: 0.0055 -> 0.01 each, 0.03 in all. Per rate: 0.30 x 5.5 % = 0.0165 -> 0.02.
    expect(computeInvoiceTotals(lines).totals).toEqual({ ht: '0.30', tva: '0.02', ttc: '0.32' });
  });

  it('When the same rate is written "5.5" and "5.50", then the lines share one VAT breakdown entry', () => {
    const t = computeInvoiceTotals([
      { lineId: 'a', quantity: '1', unitPriceHT: '10', vatRate: '5.5' },
      { lineId: 'b', quantity: '1', unitPriceHT: '10', vatRate: '5.50' },
      { lineId: 'c', quantity: '1', unitPriceHT: '10', vatRate: '20.00' },
      { lineId: 'd', quantity: '1', unitPriceHT: '10', vatRate: '2.1' },
    ]);
    expect(t.vatBreakdown.map((v) => v.rate)).toEqual(['2.1', '5.5', '20']);
    expect(t.vatBreakdown[1]).toEqual({ rate: '5.5', base: '20.00', tax: '1.10' });
  });

  it('When a line is zero (nothing delivered), then it counts for 0.00', () => {
    const t = computeInvoiceTotals([
      { lineId: 'a', quantity: '0', unitPriceHT: '3.20', vatRate: '5.5' },
      { lineId: 'b', quantity: '2', unitPriceHT: '3.20', vatRate: '5.5' },
    ]);
    expect(t.lines[0]?.totalHT).toBe('0.00');
    expect(t.totals).toEqual({ ht: '6.40', tva: '0.35', ttc: '6.75' });
  });

  it.each([
    ['1,5', 'lines[1].quantity'],
    ['-1', 'lines[1].quantity'],
    ['1.2345', 'lines[1].quantity'],
    ['1e3', 'lines[1].quantity'],
    [' 1', 'lines[1].quantity'],
    ['.5', 'lines[1].quantity'],
    ['12345678', 'lines[1].quantity'],
  ])('When a quantity is %j, then it is refused and the field is named', (quantity, field) => {
    const lines = [
      { lineId: 'a', quantity: '1', unitPriceHT: '1', vatRate: '20' },
      { lineId: 'b', quantity, unitPriceHT: '1', vatRate: '20' },
    ];
    expect(() => computeInvoiceTotals(lines)).toThrow(MoneyError);
    try {
      computeInvoiceTotals(lines);
    } catch (error) {
      expect((error as MoneyError).field).toBe(field);
    }
  });

  it('When a price has 5 decimals, a rate is above 100 or has 3 decimals, a number is not a string, then it is refused', () => {
    const line = { lineId: 'a', quantity: '1', unitPriceHT: '1', vatRate: '20' };
    expect(() => computeInvoiceTotals([{ ...line, unitPriceHT: '1.00001' }])).toThrow(/lines\[0\]\.unitPriceHT/);
    expect(() => computeInvoiceTotals([{ ...line, vatRate: '100.01' }])).toThrow(/lines\[0\]\.vatRate/);
    expect(() => computeInvoiceTotals([{ ...line, vatRate: '5.555' }])).toThrow(/lines\[0\]\.vatRate/);
    expect(() => computeInvoiceTotals([{ ...line, quantity: 2 as unknown as string }])).toThrow(/lines\[0\]\.quantity/);
    expect(computeInvoiceTotals([{ ...line, vatRate: '100' }]).totals).toEqual({ ht: '1.00', tva: '1.00', ttc: '2.00' });
  });

  it('When lines are missing or ids repeat, then the invoice is refused', () => {
    expect(() => computeInvoiceTotals([])).toThrow(/lines/);
    const line = { lineId: 'a', quantity: '1', unitPriceHT: '1', vatRate: '20' };
    expect(() => computeInvoiceTotals([line, line])).toThrow(/lines\[1\]\.lineId: duplicate/);
  });
});

describe('money: helpers', () => {
  it('toCents gives integer cents for the search attribute', () => {
    expect(toCents('176.50')).toBe(17650);
    expect(toCents('0.01')).toBe(1);
    expect(toCents('0')).toBe(0);
    expect(toCents('999999999999.99')).toBe(99999999999999);
    expect(Number.isSafeInteger(toCents('999999999999.99'))).toBe(true);
    expect(() => toCents('1.005')).toThrow(MoneyError);
    expect(() => toCents('12,50')).toThrow(MoneyError);
  });

  it('normalises rates and quantities, sums amounts, and rounds VAT half-up', () => {
    expect(normalizeVatRate('05.50')).toBe('5.5');
    expect(normalizeVatRate('20.00')).toBe('20');
    expect(normalizeVatRate('0')).toBe('0');
    expect(normalizeQuantity('012.350')).toBe('12.35');
    expect(sumAmounts(['0.10', '0.20', '0.30'])).toBe('0.60');
    expect(vatAmount('0.30', '5.5')).toBe('0.02');
    expect(vatAmount('10.10', '5.5')).toBe('0.56'); // 0.5555
    expect(parseQuantity('2.5').toFixed()).toBe('2.5');
  });

  it('When a unit price has more than 2 decimals, then it is expressed per 10^k units with the same value', () => {
    expect(unitPriceWithBaseQuantity('2.4575')).toEqual({ price: '245.75', baseQuantity: '100' });
    expect(unitPriceWithBaseQuantity('0.4250')).toEqual({ price: '4.25', baseQuantity: '10' });
    expect(unitPriceWithBaseQuantity('2.5')).toEqual({ price: '2.50', baseQuantity: '1' });
    expect(unitPriceWithBaseQuantity('3')).toEqual({ price: '3.00', baseQuantity: '1' });
    fc.assert(
      fc.property(priceArb, (price) => {
        const { price: p, baseQuantity } = unitPriceWithBaseQuantity(price);
        expect(p).toMatch(/^\d+\.\d{2}$/);
        // p / base == price, checked as integers: p (1e-2) * 1e4 == price (1e-4) * base * 1e2.
        expect(scaled(p, 2) * 10_000n).toBe(scaled(price, 4) * BigInt(baseQuantity) * 100n);
      }),
    );
  });
});

describe('money: EN 16931 sum rules hold for any invoice (property-based)', () => {
  it('BR-CO-10/13/14/15/16, BR-S-08 and BR-CO-17 hold, totals match an integer oracle, and line order does not matter', () => {
    fc.assert(
      fc.property(linesArb, fc.integer(), (lines, seed) => {
        const t = computeInvoiceTotals(lines);
        const amounts = [t.lineNetTotal, t.totals.ht, t.totals.tva, t.totals.ttc, t.amountDue, ...t.lines.map((l) => l.totalHT)];
        for (const a of amounts) expect(a).toMatch(/^\d+\.\d{2}$/);
        for (const v of t.vatBreakdown) {
          expect(v.base).toMatch(/^\d+\.\d{2}$/);
          expect(v.tax).toMatch(/^\d+\.\d{2}$/);
        }

        const sumLines = t.lines.reduce((s, l) => s + cents(l.totalHT), 0n);
        expect(cents(t.lineNetTotal)).toBe(sumLines); // BR-CO-10: BT-106 = sum of BT-131
        expect(cents(t.totals.ht)).toBe(cents(t.lineNetTotal)); // BR-CO-13: BT-109 = BT-106 - 0 + 0
        const sumTax = t.vatBreakdown.reduce((s, v) => s + cents(v.tax), 0n);
        expect(cents(t.totals.tva)).toBe(sumTax); // BR-CO-14: BT-110 = sum of BT-117
        expect(cents(t.totals.ttc)).toBe(cents(t.totals.ht) + cents(t.totals.tva)); // BR-CO-15
        expect(cents(t.amountDue)).toBe(cents(t.totals.ttc)); // BR-CO-16: BT-115 = BT-112 - 0 + 0

        // BR-S-08: each rate's base is the sum of its lines; BR-CO-17: its tax is base x rate, rounded once.
        const rates = new Set(lines.map((l) => normalizeVatRate(l.vatRate)));
        expect(t.vatBreakdown.map((v) => v.rate).sort()).toEqual([...rates].sort());
        for (const v of t.vatBreakdown) {
          const base = lines.reduce((s, l, i) => (normalizeVatRate(l.vatRate) === v.rate ? s + cents(t.lines[i]!.totalHT) : s), 0n);
          expect(cents(v.base)).toBe(base);
          expect(cents(v.tax)).toBe(divHalfUp(base * scaled(v.rate, 2), 10_000n));
        }

        // Independent integer arithmetic agrees on every amount.
        const o = oracle(lines);
        expect(t.lines.map((l) => cents(l.totalHT))).toEqual(o.lineCents);
        expect([cents(t.totals.ht), cents(t.totals.tva), cents(t.totals.ttc)]).toEqual([o.ht, o.tax, o.ttc]);

        // Same lines in another order: same totals.
        const shuffled = [...lines].sort((a, b) => ((a.lineId.length * 31 + seed) % 7) - ((b.lineId.length * 17 + seed) % 5));
        expect(computeInvoiceTotals(shuffled).totals).toEqual(t.totals);
      }),
      { numRuns: 300 },
    );
  });
});
