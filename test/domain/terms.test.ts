/** domain/terms.ts: payment terms and the service code an invoice carries, decided once. */
import { PAYMENT_TERMS_DAYS, dueDateOf, serviceCodeOf } from '../../domain/terms';

describe('payment terms', () => {
  it('When an invoice is issued, then it is due 30 calendar days later, across months, years and leap days', () => {
    expect(PAYMENT_TERMS_DAYS).toBe(30);
    expect(dueDateOf('2026-03-02')).toBe('2026-04-01');
    expect(dueDateOf('2026-12-15')).toBe('2027-01-14');
    expect(dueDateOf('2028-02-10')).toBe('2028-03-11');
    expect(dueDateOf('2026-03-20')).toBe('2026-04-19'); // the change to summer time does not move the date
  });
});

describe('service code of an invoice', () => {
  it("When the order names a service, then it wins; else the buyer profile's; else none", () => {
    expect(serviceCodeOf({ serviceCode: 'CANTINE' }, { serviceCode: 'INTENDANCE' })).toBe('CANTINE');
    expect(serviceCodeOf({ serviceCode: null }, { serviceCode: 'INTENDANCE' })).toBe('INTENDANCE');
    expect(serviceCodeOf({}, { serviceCode: 'INTENDANCE' })).toBe('INTENDANCE');
    expect(serviceCodeOf({}, { serviceCode: null })).toBeNull();
    expect(serviceCodeOf({}, {})).toBeNull();
  });
});
