/**
 * Orders and their lines: what an order must look like, and whether delivered quantities match it. Pure, so the
 * API (before forwarding) and the workflow's Update validator (for Updates sent around the API) apply one rule.
 */
import { isDecimalString } from './decimal';
import { QUANTITY_MAX_DECIMALS } from './money';

/** An order line as the Agrilocal backend sends it; decimals as strings ("12.50", "5.5"), never floats. */
export interface OrderLine {
  lineId: string;
  label: string;
  unit: string;
  unitPriceHT: string;
  vatRate: string;
  orderedQuantity: string;
}

/** A faulty field: its path in the request ("lines.2.lineId") and why. */
export interface Issue {
  path: string;
  message: string;
}

/** Every line id once: the second and later uses of an id are named. */
export function duplicateLineIssues(lines: readonly { lineId: string }[], prefix = 'lines'): Issue[] {
  const seen = new Set<string>();
  const issues: Issue[] = [];
  lines.forEach((line, i) => {
    if (seen.has(line.lineId)) issues.push({ path: `${prefix}.${i}.lineId`, message: `lineId "${line.lineId}" appears twice` });
    seen.add(line.lineId);
  });
  return issues;
}

/**
 * Delivered quantities against the order: every delivered line is a line of the order, given once, with a
 * quantity written as a decimal; and every line of the order has its delivered quantity. Empty when they match.
 */
export function deliveredLinesIssues(
  orderLines: readonly Pick<OrderLine, 'lineId'>[],
  delivered: readonly { lineId: string; deliveredQuantity: string }[],
): Issue[] {
  const ordered = new Set(orderLines.map((l) => l.lineId));
  const issues: Issue[] = [];
  const seen = new Set<string>();
  delivered.forEach((line, i) => {
    if (!ordered.has(line.lineId)) issues.push({ path: `lines.${i}.lineId`, message: `no line "${line.lineId}" in the order` });
    else if (seen.has(line.lineId)) issues.push({ path: `lines.${i}.lineId`, message: `lineId "${line.lineId}" appears twice` });
    seen.add(line.lineId);
    if (!isDecimalString(line.deliveredQuantity, QUANTITY_MAX_DECIMALS)) {
      issues.push({
        path: `lines.${i}.deliveredQuantity`,
        message: `must be a decimal number written as a string, at least 0, with at most ${QUANTITY_MAX_DECIMALS} decimals (e.g. "12.5")`,
      });
    }
  });
  const missing = orderLines.map((l) => l.lineId).filter((id) => !seen.has(id));
  if (missing.length > 0) issues.push({ path: 'lines', message: `missing the delivered quantity of line(s) ${missing.join(', ')}` });
  return issues;
}
