/** French formatting of amounts for people (documents keep their own layout). Input: a decimal string. */
export function formatEuros(amount: string): string {
  const negative = amount.startsWith('-');
  const [units = '0', cents = ''] = amount.replace('-', '').split('.');
  const grouped = units.replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${negative ? '-' : ''}${grouped},${cents.padEnd(2, '0').slice(0, 2)} €`;
}
