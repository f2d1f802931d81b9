/**
 * Renders the invoice's Factur-X PDF from what PostgreSQL holds and stores it (one row per invoice, replaced
 * when the engagement code changes). Deterministic: rendering twice stores the same document. CPU-bound: run on
 * the documents task queue, a few at a time (worker/worker.ts).
 */
import { createHash } from 'node:crypto';
import { Buyer, Invoice, InvoiceDocument, Producer } from '../db/entities';
import type { Orm } from '../db/orm';
import type { EntityManager } from '@mikro-orm/postgresql';
import { InvoiceDocumentError, type InvoiceDocumentInput } from '../documents/input';
import { prepareInvoice } from '../documents/invoice-model';
import { PAYMENT_TERMS_DAYS, serviceCodeOf } from '../domain/terms';
import { invoiceDataError, loadInvoice } from './shared';

/** What the Factur-X is made of, read from PostgreSQL (the invoice, numbered, and both profiles). */
async function documentInputOf(em: EntityManager, invoiceId: string): Promise<InvoiceDocumentInput> {
  const invoice = await loadInvoice(em, invoiceId);
  const [producer, buyer] = await Promise.all([
    em.findOne(Producer, { siret: invoice.producerSiret }),
    em.findOne(Buyer, { siret: invoice.buyerSiret }),
  ]);
  if (!producer || !buyer) throw invoiceDataError(`Producer or buyer profile missing for invoice ${invoiceId}.`);
  if (!invoice.number || !invoice.issueDate || !invoice.dueDate) {
    throw invoiceDataError(`Invoice ${invoiceId} is not built yet (number, dates).`);
  }
  const precedingId = invoice.cancelsInvoiceId ?? invoice.replacesInvoiceId;
  const preceding = precedingId ? await em.findOne(Invoice, { invoiceId: precedingId }) : null;
  if (precedingId && (!preceding?.number || !preceding.issueDate)) throw invoiceDataError(`Invoice ${precedingId} referred to by ${invoiceId} has no number.`);
  return {
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
}

/** Bad data (e.g. VAT charged by a seller without VAT number) will not fix itself: fail for good. */
function asDataError(error: unknown): unknown {
  return error instanceof InvoiceDocumentError ? invoiceDataError(error.message) : error;
}

/**
 * The renderer (pdfkit, fontkit, the Factur-X XML library and its schemas: about 70 MB of heap) is loaded by the
 * first rendering, so a worker process that does not poll the documents queue (WORKER_QUEUES) never holds it.
 */
let renderer: Promise<typeof import('../documents/render.js')> | undefined;
const loadRenderer = () => (renderer ??= import('../documents/render.js'));

export function createDocumentActivities(orm: Orm) {
  return {
    /**
     * Whether the invoice's data makes a legal Factur-X, without drawing it (milliseconds): the quantity
     * validation answers on this, and the document is rendered afterwards on the documents queue.
     */
    async checkInvoiceDocument(input: { invoiceId: string }): Promise<void> {
      try {
        prepareInvoice(await documentInputOf(orm.em.fork(), input.invoiceId));
      } catch (error) {
        throw asDataError(error);
      }
    },

    async renderInvoiceDocument(input: { invoiceId: string }): Promise<{ sha256: string }> {
      const em = orm.em.fork();
      const document = await documentInputOf(em, input.invoiceId);
      const { renderFacturX } = await loadRenderer();
      let rendered;
      try {
        rendered = await renderFacturX(document);
      } catch (error) {
        throw asDataError(error);
      }
      const { pdf, filename } = rendered;
      const sha256 = createHash('sha256').update(pdf).digest('hex');
      await em.upsert(InvoiceDocument, { invoiceId: input.invoiceId, filename, pdf, sha256, createdAt: new Date() });
      return { sha256 };
    },
  };
}
