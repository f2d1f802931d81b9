/** domain/order.ts: the one rule on delivered lines against the order, shared by the API and the workflow. */
import { deliveredLinesIssues, duplicateLineIssues } from '../../domain/order';

const order = [{ lineId: 'L1' }, { lineId: 'L2' }, { lineId: 'L3' }];

describe('delivered lines against the order', () => {
  it('When every line is given once with a decimal quantity, then there is no issue', () => {
    expect(
      deliveredLinesIssues(order, [
        { lineId: 'L3', deliveredQuantity: '0' },
        { lineId: 'L1', deliveredQuantity: '12.5' },
        { lineId: 'L2', deliveredQuantity: '0.125' },
      ]),
    ).toEqual([]);
  });

  it('When a line is unknown, given twice, badly written or missing, then each fault is named by its path', () => {
    expect(
      deliveredLinesIssues(order, [
        { lineId: 'L1', deliveredQuantity: '12.25' },
        { lineId: 'L1', deliveredQuantity: '1' },
        { lineId: 'L9', deliveredQuantity: '3' },
        { lineId: 'L3', deliveredQuantity: '2.5555' },
      ]),
    ).toEqual([
      { path: 'lines.1.lineId', message: 'lineId "L1" appears twice' },
      { path: 'lines.2.lineId', message: 'no line "L9" in the order' },
      { path: 'lines.3.deliveredQuantity', message: expect.stringContaining('at most 3 decimals') as string },
      { path: 'lines', message: 'missing the delivered quantity of line(s) L2' },
    ]);
  });

  it('When quantities are negative, floats in disguise or empty, then they are refused', () => {
    for (const bad of ['-1', '1e3', '', '1.', '.5', '01']) {
      expect(deliveredLinesIssues([{ lineId: 'L1' }], [{ lineId: 'L1', deliveredQuantity: bad }]).map((i) => i.path)).toEqual(['lines.0.deliveredQuantity']);
    }
  });

  it('When nothing is delivered, then every line of the order is missing, in order', () => {
    expect(deliveredLinesIssues(order, [])).toEqual([{ path: 'lines', message: 'missing the delivered quantity of line(s) L1, L2, L3' }]);
  });
});

describe('line ids of an order', () => {
  it('When ids repeat, then the second and later uses are named under the prefix', () => {
    expect(duplicateLineIssues([{ lineId: 'A' }, { lineId: 'B' }, { lineId: 'A' }, { lineId: 'A' }], 'order.lines')).toEqual([
      { path: 'order.lines.2.lineId', message: 'lineId "A" appears twice' },
      { path: 'order.lines.3.lineId', message: 'lineId "A" appears twice' },
    ]);
    expect(duplicateLineIssues([{ lineId: 'A' }, { lineId: 'B' }])).toEqual([]);
  });
});
