/** Pure checks on decimal strings, usable inside the workflow sandbox (no Node builtins). Dates: domain/dates.ts. */

/** A non-negative decimal written with a dot and at most `maxDecimals` decimals ("12", "12.5", "0.125"). */
export function isDecimalString(text: unknown, maxDecimals: number): text is string {
  if (typeof text !== 'string' || text.length > 32) return false;
  const match = /^(0|[1-9]\d*)(?:\.(\d+))?$/.exec(text);
  return match !== null && (match[2]?.length ?? 0) <= maxDecimals;
}

