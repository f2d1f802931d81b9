/**
 * Renders the invoice's Factur-X PDF from what PostgreSQL holds and stores it (one row per invoice, replaced
 * when the engagement code changes). Deterministic: rendering twice stores the same document.
 */
import { createHash } from 'node:crypto';
import { Buyer, Invoice, InvoiceDocument, Producer } from '../db/entities';
import type { Orm } from '../db/orm';
import { InvoiceDocumentError, renderFacturX, type InvoiceDocumentInput } from '../documents';
import { PAYMENT_TERMS_DAYS, serviceCodeOf } from '../domain/terms';
import { invoiceDataError, loadInvoice } from './shared';

export function createDocumentActivities(orm: Orm) {
  return {
    async renderInvoiceDocument(input: { invoiceId: string }): Promise<{ sha256: string }> {
      const em = orm.em.fork();
      const invoice = await loadInvoice(em, input.invoiceId);
      const [producer, buyer] = await Promise.all([
        em.findOne(Producer, { siret: invoice.producerSiret }),
        em.findOne(Buyer, { siret: invoice.buyerSiret }),
      ]);
      if (!producer || !buyer) throw invoiceDataError(`Producer or buyer profile missing for invoice ${input.invoiceId}.`);
      if (!invoice.number || !invoice.issueDate || !invoice.dueDate) {
        throw invoiceDataError(`Invoice ${input.invoiceId} is not built yet (number, dates).`);
      }
      const precedingId = invoice.cancelsInvoiceId ?? invoice.replacesInvoiceId;
      const preceding = precedingId ? await em.findOne(Invoice, { invoiceId: precedingId }) : null;
      if (precedingId && (!preceding?.number || !preceding.issueDate)) throw invoiceDataError(`Invoice ${precedingId} referred to by ${input.invoiceId} has no number.`);
      const document: InvoiceDocumentInput = {
        documentType: invoice.documentType,
        precedingInvoice: preceding?.number && preceding.issueDate ? { number: preceding.number, issueDate: preceding.issueDate } : null,
        number: invoice.number,
        issueDate: invoice.issueDate,
        deliveryDate: invoice.deliveryDate,
        dueDate: invoice.dueDate,
        paymentTermsDays: PAYMENT_TERMS_DAYS,
        orderId: invoice.orderId,
        seller: {
          name: producer.name,
          siret: producer.siret,
          vatNumber: producer.vatNumber ?? null,
          vatExemptionMention: producer.vatExemptionMention ?? null,
          address: producer.address,
          email: producer.email,
        },
        buyer: { name: buyer.name, siret: buyer.siret, vatNumber: buyer.vatNumber ?? null, address: buyer.address, kind: buyer.kind },
        lines: invoice.lines.map((l) => ({
          lineId: l.lineId,
          label: l.label,
          unit: l.unit,
          quantity: l.deliveredQuantity ?? '0',
          unitPriceHT: l.unitPriceHT,
          vatRate: l.vatRate,
        })),
        paymentMethod: producer.paymentMethod,
        serviceCode: serviceCodeOf(invoice, buyer),
        engagementCode: invoice.engagementCode ?? null,
        marketNumber: invoice.marketNumber ?? null,
      };
      let rendered;
      try {
        rendered = await renderFacturX(document);
      } catch (error) {
        // Bad data (e.g. VAT charged by a seller without VAT number) will not fix itself: fail for good.
        if (error instanceof InvoiceDocumentError) throw invoiceDataError(error.message);
        throw error;
      }
      const { pdf, filename } = rendered;
      const sha256 = createHash('sha256').update(pdf).digest('hex');
      await em.upsert(InvoiceDocument, { invoiceId: invoice.invoiceId, filename, pdf, sha256, createdAt: new Date() });
      return { sha256 };
    },
  };
}
