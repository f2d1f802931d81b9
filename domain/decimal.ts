/** Pure checks on decimal strings and dates, usable inside the workflow sandbox (no Node builtins). */

/** A non-negative decimal written with a dot and at most `maxDecimals` decimals ("12", "12.5", "0.125"). */
export function isDecimalString(text: unknown, maxDecimals: number): text is string {
  if (typeof text !== 'string' || text.length > 32) return false;
  const match = /^(0|[1-9]\d*)(?:\.(\d+))?$/.exec(text);
  return match !== null && (match[2]?.length ?? 0) <= maxDecimals;
}

/** The calendar date in France (invoices are dated in French time), as YYYY-MM-DD. */
export function parisDate(at: Date): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}
