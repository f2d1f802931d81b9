/** An order line as the Agrilocal backend sends it; decimals as strings ("12.50", "5.5"), never floats. */
export interface OrderLine {
  lineId: string;
  label: string;
  unit: string;
  unitPriceHT: string;
  vatRate: string;
  orderedQuantity: string;
}

export interface Issue {
  path: string;
  message: string;
}

/** TEMP (replaced by the rules branch). */
export function deliveredLinesIssues(
  orderLines: readonly Pick<OrderLine, 'lineId'>[],
  delivered: readonly { lineId: string; deliveredQuantity: string }[],
): Issue[] {
  const details: Issue[] = [];
  const ordered = new Set(orderLines.map((l) => l.lineId));
  const seen = new Set<string>();
  delivered.forEach((line, i) => {
    if (!ordered.has(line.lineId)) details.push({ path: `lines.${i}.lineId`, message: `line ${line.lineId} is not in the order` });
    if (seen.has(line.lineId)) details.push({ path: `lines.${i}.lineId`, message: `line ${line.lineId} is given twice` });
    seen.add(line.lineId);
    if (!/^\d+(\.\d{1,3})?$/.test(line.deliveredQuantity)) {
      details.push({ path: `lines.${i}.deliveredQuantity`, message: 'must be a decimal >= 0 with at most 3 decimals, e.g. "12.5"' });
    }
  });
  for (const id of ordered) {
    if (!seen.has(id)) details.push({ path: 'lines', message: `line ${id} of the order has no delivered quantity` });
  }
  return details;
}
