/** Invoice documents: exact totals, gapless numbers, Factur-X PDF/A-3b. See docs/documents.md. */
export { renderFacturX, type RenderedInvoice } from './render';
export {
  parseInvoiceDocumentInput,
  invoiceDocumentInputSchema,
  InvoiceDocumentError,
  type InvoiceDocumentInput,
  type InvoiceDocumentLine,
  type InvoiceSeller,
  type InvoiceBuyer,
  type InputIssue,
} from './input';
export { assignInvoiceNumber, formatInvoiceNumber, parseInvoiceNumber, InvoiceNumberingError, INVOICE_NUMBER_PREFIX } from './numbering';
export { prepareInvoice, type PreparedInvoice, type VatCategory } from './invoice-model';
