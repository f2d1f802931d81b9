/**
 * domain/money.ts: the upper bound of an invoice's amount including VAT, which the API applies to the order and
 * to the delivered quantities. (The totals themselves are tested in test/documents/money.test.ts.)
 */
import { MAX_INVOICE_TTC, exceedsMaxInvoiceTtc } from '../../domain/money';

describe('the invoice TTC bound', () => {
  it('When the exact TTC is the bound itself, then it is accepted; one cent more is refused', () => {
    // 1 x 999999999.99 at 0 % VAT: exactly the bound.
    expect(exceedsMaxInvoiceTtc([{ unitPriceHT: MAX_INVOICE_TTC, vatRate: '0' }], ['1'])).toBe(false);
    expect(exceedsMaxInvoiceTtc([{ unitPriceHT: '1000000000.00', vatRate: '0' }], ['1'])).toBe(true);
  });

  it('When VAT pushes an amount HT under the bound above it, then it is refused', () => {
    const line = { unitPriceHT: '900000.0000', vatRate: '20' };
    expect(exceedsMaxInvoiceTtc([line], ['925.925'])).toBe(false); // 833 332 500 HT, 999 999 000 TTC
    expect(exceedsMaxInvoiceTtc([line], ['926'])).toBe(true); // 833 400 000 HT, 1 000 080 000 TTC
  });

  it('When lines add up, then their sum is bounded, and a missing quantity counts as 0', () => {
    const lines = [
      { unitPriceHT: '999999.9999', vatRate: '5.5' },
      { unitPriceHT: '999999.9999', vatRate: '5.5' },
    ];
    expect(exceedsMaxInvoiceTtc(lines, ['400', '400'])).toBe(false); // about 844 million TTC
    expect(exceedsMaxInvoiceTtc(lines, ['400', '400', '999'])).toBe(false); // no third line: ignored
    expect(exceedsMaxInvoiceTtc(lines, ['500', '500'])).toBe(true); // about 1 055 million TTC
    expect(exceedsMaxInvoiceTtc(lines, ['900'])).toBe(false); // the second line at 0
  });

  it('When a value is no number, then it throws (the schema reports the field itself)', () => {
    expect(() => exceedsMaxInvoiceTtc([{ unitPriceHT: 'abc', vatRate: '5.5' }], ['1'])).toThrow();
  });
});
