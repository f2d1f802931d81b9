/**
 * Issuing a credit note (avoir) for a whole invoice, and its replacement invoice when there is one, in ONE
 * transaction: both rows, both numbers from the producer's one gapless series (credit note first), and the links
 * on the original. Idempotent by the original: once it is cancelled, the same call answers what was issued.
 */
import { randomUUID } from 'node:crypto';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { computeInvoiceTotals } from '../domain/money';
import { dueDateOf } from '../domain/terms';
import { Buyer, Invoice, type IInvoice, type InvoiceLine } from './entities';
import { nextNumber } from './numbering';

/** What the replacement invoice changes from the original; anything absent stays as it was. */
export interface ReplacementChanges {
  lines?: { lineId: string; deliveredQuantity?: string; unitPriceHT?: string }[];
  buyerSiret?: string;
  serviceCode?: string | null;
  engagementCode?: string | null;
  marketNumber?: string | null;
}

export interface IssueCreditNoteInput {
  invoiceId: string;
  /** Idempotency-Key of the request, kept on the credit note. */
  issueKey: string;
  /** YYYY-MM-DD (Europe/Paris): the credit note's and the replacement's issue date. */
  issueDate: string;
  reason: string | null;
  /** null: the order is cancelled, no replacement. */
  replacement: ReplacementChanges | null;
}

export interface IssuedDocument {
  invoiceId: string;
  number: string;
  workflowId: string;
}

export interface IssuedCreditNote {
  creditNote: IssuedDocument & { route: 'CHORUS' | 'MAIL' };
  replacement: (IssuedDocument & { buyerSiret: string; buyerKind: 'PUBLIC' | 'PRIVATE' }) | null;
  cancelledNumber: string;
}

export class CreditNoteError extends Error {
  override name = 'CreditNoteError';
}

const year = (date: string): number => Number(date.slice(0, 4));

/** Lines of the replacement: the original's, with the delivered quantities and prices changed, totals again. */
function replacementLines(original: IInvoice, changes: ReplacementChanges): { lines: InvoiceLine[]; totals: { ht: string; tva: string; ttc: string } } {
  const byId = new Map((changes.lines ?? []).map((l) => [l.lineId, l]));
  const unknown = [...byId.keys()].filter((id) => !original.lines.some((l) => l.lineId === id));
  if (unknown.length > 0) throw new CreditNoteError(`Unknown line(s) ${unknown.join(', ')} on invoice ${original.invoiceId}.`);
  const lines = original.lines.map((l) => {
    const change = byId.get(l.lineId);
    return { ...l, deliveredQuantity: change?.deliveredQuantity ?? l.deliveredQuantity ?? '0', unitPriceHT: change?.unitPriceHT ?? l.unitPriceHT };
  });
  const computed = computeInvoiceTotals(lines.map((l) => ({ lineId: l.lineId, quantity: l.deliveredQuantity, unitPriceHT: l.unitPriceHT, vatRate: l.vatRate })));
  const totals = new Map(computed.lines.map((l) => [l.lineId, l.totalHT]));
  return { lines: lines.map((l) => ({ ...l, totalHT: totals.get(l.lineId) })), totals: computed.totals };
}

/** The row fields a new document copies from the original. */
function copied(original: IInvoice) {
  const { orderId, orderHash, producerSiret, buyerSiret, buyerKind, deliveryDate, engagementCodeRequired, engagementCode, serviceCode, marketNumber, validatedBy } =
    original;
  return { orderId, orderHash, producerSiret, buyerSiret, buyerKind, deliveryDate, engagementCodeRequired, engagementCode, serviceCode, marketNumber, validatedBy };
}

async function answerOf(em: EntityManager, original: IInvoice): Promise<IssuedCreditNote> {
  const creditNote = await em.findOneOrFail(Invoice, { invoiceId: original.cancelledByInvoiceId ?? '' });
  const replacement = original.replacedByInvoiceId ? await em.findOneOrFail(Invoice, { invoiceId: original.replacedByInvoiceId }) : null;
  const route = original.buyerKind === 'PUBLIC' && original.identifiantFactureCPP ? 'CHORUS' : 'MAIL';
  return {
    creditNote: { invoiceId: creditNote.invoiceId, number: creditNote.number ?? '', workflowId: creditNote.workflowId, route },
    replacement: replacement
      ? { invoiceId: replacement.invoiceId, number: replacement.number ?? '', workflowId: replacement.workflowId, buyerSiret: replacement.buyerSiret, buyerKind: replacement.buyerKind }
      : null,
    cancelledNumber: original.number ?? '',
  };
}

export async function issueCreditNote(em: EntityManager, input: IssueCreditNoteInput): Promise<IssuedCreditNote> {
  return em.transactional(async (tx) => {
    await tx.execute(`set local lock_timeout = '15s'`);
    const original = await tx.findOne(Invoice, { invoiceId: input.invoiceId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!original) throw new CreditNoteError(`Invoice ${input.invoiceId} does not exist.`);
    if (original.cancelledByInvoiceId) return answerOf(tx, original); // issued by an earlier attempt
    if (original.documentType !== 'INVOICE' || !original.number || !original.issueDate) {
      throw new CreditNoteError(`Invoice ${input.invoiceId} is not an issued invoice: no credit note can cancel it.`);
    }
    const documents = await tx.count(Invoice, { orderId: original.orderId });
    const creditNote = tx.create(Invoice, {
      ...copied(original),
      invoiceId: randomUUID(),
      workflowId: `credit-note-${original.orderId}-${documents}`,
      documentType: 'CREDIT_NOTE',
      cancelsInvoiceId: original.invoiceId,
      issueKey: input.issueKey,
      lines: original.lines.map((l) => ({ ...l })),
      number: await nextNumber(tx, original.producerSiret, year(input.issueDate)),
      issueDate: input.issueDate,
      dueDate: input.issueDate,
      totalHt: original.totalHt,
      totalTva: original.totalTva,
      totalTtc: original.totalTtc,
      cancelReason: input.reason,
      status: 'A_TRAITER',
      chorusStatus: null,
      historySeq: 0,
    });
    let replacement: IInvoice | null = null;
    if (input.replacement) {
      const changes = input.replacement;
      const buyer = changes.buyerSiret ? await tx.findOne(Buyer, { siret: changes.buyerSiret }) : null;
      if (changes.buyerSiret && !buyer) throw new CreditNoteError(`No buyer profile with SIRET ${changes.buyerSiret}.`);
      const { lines, totals } = replacementLines(original, changes);
      replacement = tx.create(Invoice, {
        ...copied(original),
        ...(buyer ? { buyerSiret: buyer.siret, buyerKind: buyer.kind } : {}),
        ...(changes.serviceCode !== undefined ? { serviceCode: changes.serviceCode } : {}),
        ...(changes.engagementCode !== undefined ? { engagementCode: changes.engagementCode } : {}),
        ...(changes.marketNumber !== undefined ? { marketNumber: changes.marketNumber } : {}),
        invoiceId: randomUUID(),
        workflowId: `invoice-${original.orderId}-${documents + 1}`,
        documentType: 'INVOICE',
        replacesInvoiceId: original.invoiceId,
        lines,
        number: await nextNumber(tx, original.producerSiret, year(input.issueDate)),
        issueDate: input.issueDate,
        dueDate: dueDateOf(input.issueDate),
        totalHt: totals.ht,
        totalTva: totals.tva,
        totalTtc: totals.ttc,
        status: 'A_TRAITER',
        chorusStatus: null,
        historySeq: 0,
      });
    }
    tx.assign(original, { cancelledByInvoiceId: creditNote.invoiceId, replacedByInvoiceId: replacement?.invoiceId ?? null, cancelReason: input.reason });
    await tx.flush();
    return answerOf(tx, original);
  });
}
