/** Invoice documents: exact totals, Factur-X PDF/A-3b. See docs/documents.md (gapless numbers: db/numbering.ts). */
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
export { prepareInvoice, type PreparedInvoice, type VatCategory } from './invoice-model';
