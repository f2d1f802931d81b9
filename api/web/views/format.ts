/** French display of dates and amounts on the producer's pages (amounts: the one rule of domain/format.ts). */
import { formatEuros } from '../../../domain/format';

/** "2026-11-20" -> "20/11/2026" (a calendar date, no time zone involved). */
export function frenchDate(isoDate: string | null | undefined): string {
  if (!isoDate) return '—';
  const [y, m, d] = isoDate.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
}

const dateTime = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', dateStyle: 'short', timeStyle: 'short' });

/** An instant as a producer in France reads it: "20/11/2026 14:05". */
export function frenchDateTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

export const euros = (amount: string | null | undefined): string => (amount ? formatEuros(amount) : '—');

/** "5.5" -> "5,5 %". */
export const percent = (rate: string): string => `${rate.replace('.', ',')}\u00a0%`;

/** "12.250" -> "12,25". */
export const frenchNumber = (value: string | null | undefined): string => (value ? value.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '').replace('.', ',') : '—');

/** A unit price as written on invoices: at least 2 decimals, up to its 4 ("2.8" -> "2,80 €", "1.8525" -> "1,8525 €"). */
export function unitPrice(value: string): string {
  const [int = '0', frac = ''] = value.split('.');
  return `${int},${frac.replace(/0+$/, '').padEnd(2, '0')}\u00a0€`;
}
