/**
 * Cancelling an issued invoice by a credit note: reissue (credit note + replacement invoice) and an order cancelled
 * after invoicing (credit note only). The workflow decides whether the invoice may be cancelled now (one rule,
 * domain/credit-notes.ts); here: the input checks, and the answer to a retried request once the original's story
 * has ended (the credit note keeps the Idempotency-Key that issued it).
 */
import { Buyer, Invoice, type IInvoice } from '../../db/entities';
import { cancellationRefusal } from '../../domain/credit-notes';
import { reissueUpdate, type ReissueInput } from '../../workflows/messages';
import { ApiError, inconsistentData, invalidState } from '../errors';
import { stateOf } from '../invoice-view';
import type { InvoiceResponse, ReissueBody } from '../schemas';
import { act } from './act';
import type { UseCaseContext } from './context';
import { loadVisibleInvoice, readInvoice } from './read';

/** Already cancelled: the same request again gets its answer (the credit note), another one a 409. */
async function issuedBefore(ctx: UseCaseContext, invoice: IInvoice): Promise<IInvoice | undefined> {
  if (!invoice.cancelledByInvoiceId) return undefined;
  const creditNote = await ctx.em.findOneOrFail(Invoice, { invoiceId: invoice.cancelledByInvoiceId });
  if (creditNote.issueKey === ctx.requestKey) return creditNote;
  throw invalidState(`La facture ${invoice.number ?? ''} est déjà annulée par l'avoir ${creditNote.number ?? ''}`, stateOf(invoice, ctx.caller));
}

async function checkChanges(ctx: UseCaseContext, invoice: IInvoice, body: ReissueBody): Promise<void> {
  const unknown = (body.lines ?? []).map((l, i) => ({ l, i })).filter(({ l }) => !invoice.lines.some((x) => x.lineId === l.lineId));
  if (unknown.length > 0) {
    throw inconsistentData('The lines to change are not lines of this invoice.', unknown.map(({ i }) => ({ path: `lines.${i}.lineId`, message: 'not a line of this invoice' })));
  }
  if (body.buyerSiret !== undefined && !(await ctx.em.findOne(Buyer, { siret: body.buyerSiret }))) {
    throw new ApiError('UNKNOWN_BUYER', `No buyer profile with SIRET ${body.buyerSiret}: create it with PUT /api/v1/buyers/${body.buyerSiret} first.`, [
      { path: 'buyerSiret', message: 'unknown buyer' },
    ]);
  }
}

/** Sends the cancellation to the invoice's workflow; a credit note has none to ask, so it is refused here. */
async function cancelByCreditNote(ctx: UseCaseContext, invoice: IInvoice, request: Omit<ReissueInput, 'issueKey'>): Promise<IInvoice> {
  const refusal = invoice.documentType === 'CREDIT_NOTE' ? cancellationRefusal({ documentType: 'CREDIT_NOTE', status: invoice.status, chorusStatus: null }) : undefined;
  if (refusal) throw invalidState(refusal, stateOf(invoice, ctx.caller));
  await act(ctx, invoice, 'reissue', reissueUpdate, [{ ...request, issueKey: ctx.requestKey }]);
  const cancelled = await ctx.em.findOneOrFail(Invoice, { invoiceId: invoice.invoiceId });
  return ctx.em.findOneOrFail(Invoice, { invoiceId: cancelled.cancelledByInvoiceId ?? '' });
}

/** POST /invoices/{id}/reissue: answers the cancelled invoice, with its links to the credit note and replacement. */
export async function reissueInvoice(ctx: UseCaseContext, invoiceId: string, body: ReissueBody): Promise<InvoiceResponse> {
  const invoice = await loadVisibleInvoice(ctx, invoiceId);
  if (await issuedBefore(ctx, invoice)) return readInvoice(ctx, invoiceId);
  await checkChanges(ctx, invoice, body);
  const { reason, ...changes } = body;
  await cancelByCreditNote(ctx, invoice, { reason, replacement: changes });
  return readInvoice(ctx, invoiceId);
}

/** An order cancelled once invoiced: its live invoice is cancelled by a credit note, which is the answer. */
export async function cancelInvoicedOrder(ctx: UseCaseContext, invoice: IInvoice, reason: string | undefined): Promise<InvoiceResponse> {
  const before = await issuedBefore(ctx, invoice);
  const creditNote = before ?? (await cancelByCreditNote(ctx, invoice, { reason: reason ?? 'Commande annulée après facturation', replacement: null }));
  return readInvoice(ctx, creditNote.invoiceId);
}
