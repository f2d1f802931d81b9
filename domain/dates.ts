/** Pure date helpers, usable inside the workflow sandbox (no Node builtins). */

/** The calendar date in France (invoices are dated in French time), as YYYY-MM-DD. */
export function parisDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
