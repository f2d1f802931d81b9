/**
 * Terms an invoice carries that are decided once for every place that uses them: the payment terms (the due
 * date stored by buildInvoice and the terms printed on the PDF) and the service code of the buyer it is sent to
 * (stored with the order, printed on the PDF).
 */

/** Payment terms, in days from the issue date. */
export const PAYMENT_TERMS_DAYS = 30;

/** The due date (YYYY-MM-DD) of an invoice issued on `issueDate` (YYYY-MM-DD), calendar days. */
export function dueDateOf(issueDate: string): string {
  const due = new Date(`${issueDate}T00:00:00Z`);
  due.setUTCDate(due.getUTCDate() + PAYMENT_TERMS_DAYS);
  return due.toISOString().slice(0, 10);
}

/** The service code on the invoice: the one the order names, else the buyer profile's, else none. */
export function serviceCodeOf(order: { serviceCode?: string | null }, buyer: { serviceCode?: string | null }): string | null {
  return order.serviceCode ?? buyer.serviceCode ?? null;
}
