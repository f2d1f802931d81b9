/** An order line as the Agrilocal backend sends it; decimals as strings ("12.50", "5.5"), never floats. */
export interface OrderLine {
  lineId: string;
  label: string;
  unit: string;
  unitPriceHT: string;
  vatRate: string;
  orderedQuantity: string;
}
