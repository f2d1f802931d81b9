/** One euro formatter (domain/format.ts) for the mails and the PDF: the same string on both. */
import { formatEuros } from '../../domain/format';
import { renderMail, type MailContext } from '../../mail/templates';

const NBSP = '\u00a0';

it('When an amount is shown, then thousands and the euro sign are joined by no-break spaces, with exactly 2 decimals', () => {
  expect(formatEuros('1234.5')).toBe(`1${NBSP}234,50${NBSP}€`);
  expect(formatEuros('1234567.89')).toBe(`1${NBSP}234${NBSP}567,89${NBSP}€`);
  expect(formatEuros('-0.5')).toBe(`-0,50${NBSP}€`);
  expect(formatEuros('12')).toBe(`12,00${NBSP}€`);
  expect(() => formatEuros('1.234')).toThrow('more than 2 decimals');
  expect(() => formatEuros('1,5')).toThrow('not a decimal string');
});

it('When a mail gives the amount, then it is written as on the invoice', () => {
  const context: MailContext = {
    invoiceId: 'inv-1',
    orderId: 'order-1',
    number: 'F-2026-000001',
    producerName: 'Ferme',
    buyerName: 'Collège',
    totalTtc: '12345.60',
    dueDate: null,
    chorusErrors: [],
    identifiantFactureCPP: null,
    link: 'https://example.org/factures/inv-1',
  };
  expect(renderMail('PRODUCER_INVOICE_READY', context).text).toContain(`Montant TTC : 12${NBSP}345,60${NBSP}€`);
});
