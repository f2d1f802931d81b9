/**
 * `renderFacturX`: one legal French invoice as a Factur-X (EN 16931) PDF/A-3b, from plain data.
 */
import { buildFacturXXml } from './cii';
import { prepareInvoice, type PreparedInvoice } from './invoice-model';
import type { InvoiceDocumentInput } from './input';
import { drawFacturXPdf } from './pdf';

export interface RenderedInvoice {
  /** The Factur-X PDF/A-3b, XML embedded. */
  pdf: Buffer;
  /** The embedded CII XML (`factur-x.xml`). */
  xml: string;
  /** e.g. `facture-AGL-2026-000042.pdf`, `avoir-AGL-2026-000043.pdf` (number characters are file-name safe by the input schema). */
  filename: string;
  /** The computed amounts, for the caller to store beside the document. */
  totals: PreparedInvoice['totals'];
  amountDue: string;
}

/**
 * Validates the input (throws InvoiceDocumentError naming each bad field), computes the totals exactly, writes the
 * CII XML and the PDF. Deterministic: the same input gives the same bytes.
 */
export async function renderFacturX(input: InvoiceDocumentInput): Promise<RenderedInvoice> {
  const prepared = prepareInvoice(input);
  const xml = await buildFacturXXml(prepared);
  const pdf = await drawFacturXPdf(prepared, xml);
  return { pdf, xml, filename: `${prepared.input.documentType === 'CREDIT_NOTE' ? 'avoir' : 'facture'}-${prepared.input.number.replace(/\//g, '-')}.pdf`, totals: prepared.totals, amountDue: prepared.amountDue };
}
