/** Reading one invoice as the caller may see it: shared by the read use cases and by act() after an Update. */
import { Invoice, InvoiceHistory, type IInvoice } from '../../db/entities';
import { notFound } from '../errors';
import { linkedNumbers } from '../../db/invoice-view';
import { toInvoice } from '../invoice-view';
import type { InvoiceResponse } from '../schemas';
import type { UseCaseContext } from './context';

/** The invoice if the caller may see it: a producer never learns that another producer's invoice exists. */
export async function loadVisibleInvoice(ctx: UseCaseContext, invoiceId: string): Promise<IInvoice> {
  const scope = ctx.caller.kind === 'producer' ? { producerSiret: ctx.caller.siret } : {};
  const invoice = await ctx.em.findOne(Invoice, { invoiceId, ...scope });
  if (!invoice) throw notFound(`No invoice ${invoiceId}.`, 'invoiceId');
  return invoice;
}

/** The invoice as stored now (after an Update: read again, not from the identity map). */
export async function readInvoice(ctx: UseCaseContext, invoiceId: string): Promise<InvoiceResponse> {
  ctx.em.clear();
  const invoice = await loadVisibleInvoice(ctx, invoiceId);
  const history = await ctx.em.find(InvoiceHistory, { invoiceId }, { orderBy: { seq: 'asc' } });
  return toInvoice(invoice, history, ctx.caller, await linkedNumbers(ctx.em, [invoice]));
}
