import { exemptionMentionOf, FRANCHISE_EN_BASE_MENTION, vatCategoryOf, vatRateConflicts } from '../../domain/vat';

const lines = (...rates: string[]) => rates.map((vatRate) => ({ vatRate }));
const exempt = { vatNumber: null, vatExemptionMention: FRANCHISE_EN_BASE_MENTION };

describe('VAT a seller may charge (domain/vat.ts)', () => {
  it('When a seller with a VAT number charges VAT, then every rate is allowed, each under category S', () => {
    const seller = { vatNumber: 'FR40303265045' };
    expect(vatRateConflicts(seller, lines('5.5', '20', '0'))).toEqual([]);
    expect(vatCategoryOf('5.5', seller)).toBe('S');
  });

  it('When a seller without VAT number nor exemption charges VAT, then each such line is refused on vatNumber, in French', () => {
    const conflicts = vatRateConflicts({ vatNumber: null }, lines('0', '5.50', '20'));
    expect(conflicts.map(({ index, rate, field }) => ({ index, rate, field }))).toEqual([
      { index: 1, rate: '5.5', field: 'vatNumber' },
      { index: 2, rate: '20', field: 'vatNumber' },
    ]);
    expect(conflicts[0]?.message).toMatch(/TVA à 5\.5 %.*pas de numéro de TVA.*242 nonies A/);
  });

  it('When a seller states a VAT exemption, then a line with VAT is refused on vatExemptionMention, even if he has a VAT number', () => {
    for (const seller of [exempt, { ...exempt, vatNumber: 'FR40303265045' }]) {
      const conflicts = vatRateConflicts(seller, lines('0', '10'));
      expect(conflicts).toEqual([expect.objectContaining({ index: 1, rate: '10', field: 'vatExemptionMention' })]);
      expect(conflicts[0]?.message).toContain(FRANCHISE_EN_BASE_MENTION);
    }
  });

  it('When a seller states a VAT exemption and his lines are at 0 %, then none is refused and they are exempt (E) with his mention', () => {
    expect(vatRateConflicts(exempt, lines('0', '0.00'))).toEqual([]);
    expect(vatCategoryOf('0', exempt)).toBe('E');
    expect(exemptionMentionOf(exempt)).toBe(FRANCHISE_EN_BASE_MENTION);
  });

  it('When no exemption is stated, then 0 % is "not subject to VAT" (O) without VAT number and exempt (E) with one', () => {
    expect(vatCategoryOf('0', { vatNumber: null })).toBe('O');
    expect(vatCategoryOf('0', { vatNumber: 'FR40303265045' })).toBe('E');
    expect(exemptionMentionOf({ vatNumber: null, vatExemptionMention: '  ' })).toBeUndefined();
  });

  it('When a rate is not a rate at all, then it is left to the rate check (no conflict invented)', () => {
    expect(vatRateConflicts({ vatNumber: null }, lines('abc', '-1'))).toEqual([]);
  });
});
