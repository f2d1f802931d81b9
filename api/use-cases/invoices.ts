/**
 * Invoices as producers and the platform see and act on them. Reads come from PostgreSQL only (never from
 * Temporal); actions go to the invoice's workflow as Updates, then the invoice is read back from PostgreSQL,
 * which the workflow's activities have written before the Update returned.
 */
import { createHash } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import { Buyer, Invoice, InvoiceAttachment, InvoiceDocument, type IInvoice } from '../../db/entities';
import { refusedActionMessage } from '../../domain/actions';
import { statusesInView, type InvoiceStatus } from '../../domain/statuses';
import {
  archiveUpdate,
  completeUpdate,
  markProcessedUpdate,
  recycleUpdate,
  sendInvoiceUpdate,
} from '../../workflows/messages';
import { ApiError, invalidState, notFound } from '../errors';
import { stateOf, toInvoiceSummary } from '../invoice-view';
import type { CompleteBody, InvoiceListResponse, InvoiceResponse, ListQuery, RecycleBody, SendBody } from '../schemas';
import { act } from './act';
import { linkedNumbers } from '../../db/invoice-view';
import { loadVisibleInvoice, readInvoice } from './read';
import type { UseCaseContext } from './context';

export async function getInvoice(ctx: UseCaseContext, invoiceId: string): Promise<InvoiceResponse> {
  return readInvoice(ctx, invoiceId);
}

export async function listInvoices(ctx: UseCaseContext, query: ListQuery): Promise<InvoiceListResponse> {
  const conditions: FilterQuery<IInvoice>[] = [];
  if (ctx.caller.kind === 'producer') conditions.push({ producerSiret: ctx.caller.siret });
  if (query.producerSiret) conditions.push({ producerSiret: query.producerSiret });
  let statuses: InvoiceStatus[] | undefined = query.view ? statusesInView(query.view) : undefined;
  if (query.status) statuses = (statuses ?? [query.status]).filter((s) => s === query.status);
  if (statuses) conditions.push({ status: { $in: statuses } });
  if (query.chorusStatus) conditions.push({ chorusStatus: query.chorusStatus });
  if (query.buyerSiret) conditions.push({ buyerSiret: query.buyerSiret });
  if (query.documentType) conditions.push({ documentType: query.documentType });

  const [rows, total] = await ctx.em.findAndCount(Invoice, conditions.length > 0 ? { $and: conditions } : {}, {
    orderBy: [{ createdAt: 'desc' }, { invoiceId: 'asc' }],
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  const numbers = await linkedNumbers(ctx.em, rows);
  return { items: rows.map((row) => toInvoiceSummary(row, ctx.caller, numbers)), page: query.page, pageSize: query.pageSize, total };
}

export interface InvoicePdf {
  filename: string;
  pdf: Buffer;
}

export async function getInvoicePdf(ctx: UseCaseContext, invoiceId: string): Promise<InvoicePdf> {
  const invoice = await loadVisibleInvoice(ctx, invoiceId);
  const document = await ctx.em.findOne(InvoiceDocument, { invoiceId });
  if (!document && invoice.number) {
    // Numbered: the quantities are validated and the Factur-X is being drawn (seconds).
    throw new ApiError('DOCUMENT_NOT_READY', `The PDF of invoice ${invoiceId} is being made; ask again in a few seconds (Retry-After).`);
  }
  if (!document) {
    throw notFound(
      `The PDF of invoice ${invoiceId} does not exist yet: it is made once the delivered quantities are validated (current status: ${invoice.status}).`,
    );
  }
  return { filename: document.filename, pdf: Buffer.from(document.pdf) };
}

export async function sendInvoice(ctx: UseCaseContext, invoiceId: string, body: SendBody): Promise<InvoiceResponse> {
  // CHORUS_NOT_ENABLED and ENGAGEMENT_CODE_REQUIRED are the workflow's rules: it reads the producer's profile.
  const invoice = await loadVisibleInvoice(ctx, invoiceId);
  return act(ctx, invoice, 'send', sendInvoiceUpdate, [body]);
}

export async function markProcessed(ctx: UseCaseContext, invoiceId: string): Promise<InvoiceResponse> {
  return act(ctx, await loadVisibleInvoice(ctx, invoiceId), 'markProcessed', markProcessedUpdate, []);
}

export async function archiveInvoice(ctx: UseCaseContext, invoiceId: string): Promise<InvoiceResponse> {
  return act(ctx, await loadVisibleInvoice(ctx, invoiceId), 'archive', archiveUpdate, []);
}

export async function recycleInvoice(ctx: UseCaseContext, invoiceId: string, body: RecycleBody): Promise<InvoiceResponse> {
  const invoice = await loadVisibleInvoice(ctx, invoiceId);
  if (body.buyerSiret !== undefined) {
    const buyer = await ctx.em.findOne(Buyer, { siret: body.buyerSiret });
    if (!buyer) {
      throw new ApiError('UNKNOWN_BUYER', `No buyer profile with SIRET ${body.buyerSiret}: create it with PUT /api/v1/buyers/${body.buyerSiret} first.`, [
        { path: 'buyerSiret', message: 'unknown buyer' },
      ]);
    }
    if (buyer.kind !== 'PUBLIC') {
      throw new ApiError('BUYER_NOT_PUBLIC', `Buyer ${body.buyerSiret} is not a public buyer: a Chorus Pro invoice can only be recycled to a public structure.`, [
        { path: 'buyerSiret', message: 'not a public buyer' },
      ]);
    }
  }
  return act(ctx, invoice, 'recycle', recycleUpdate, [body]);
}

/**
 * Attachment ids derived from the invoice, the request key and the position: a retried request stores the same
 * rows once, and its Update (same updateId) returns the first result.
 */
export function attachmentId(invoiceId: string, requestKey: string, index: number): string {
  const hex = createHash('sha256').update(`${invoiceId}:${requestKey}:${index}`).digest('hex');
  // RFC 9562 layout, version 8 (custom), variant 10.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function completeInvoice(ctx: UseCaseContext, invoiceId: string, body: CompleteBody): Promise<InvoiceResponse> {
  const invoice = await loadVisibleInvoice(ctx, invoiceId);
  const state = stateOf(invoice, ctx.caller);
  // Refuse before storing megabytes that no workflow would take.
  if (!state.allowedActions.includes('COMPLETE')) throw invalidState(refusedActionMessage('COMPLETE', invoice.status, invoice.chorusStatus ?? null), state);

  const ids = body.attachments.map((_, i) => attachmentId(invoiceId, ctx.requestKey, i));
  const already = new Set((await ctx.em.find(InvoiceAttachment, { attachmentId: { $in: ids } })).map((a) => a.attachmentId));
  const stored = ids.filter((id) => !already.has(id));
  body.attachments.forEach((file, i) => {
    const id = ids[i]!;
    if (already.has(id)) return;
    ctx.em.create(InvoiceAttachment, {
      attachmentId: id,
      invoiceId,
      filename: file.filename,
      contentType: file.contentType,
      content: Buffer.from(file.contentBase64, 'base64'),
      pieceJointeId: null,
    });
  });
  await ctx.em.flush();
  ctx.em.clear(); // the blobs need not stay in the identity map

  try {
    return await act(ctx, invoice, 'complete', completeUpdate, [{ ...(body.comment ? { comment: body.comment } : {}), attachmentIds: ids }]);
  } catch (err) {
    // Refused: leave nothing behind. Unavailable: the workflow may still take them, so they stay.
    if (err instanceof ApiError && err.httpStatus < 500 && stored.length > 0) {
      await ctx.em.nativeDelete(InvoiceAttachment, { attachmentId: { $in: stored } });
    }
    throw err;
  }
}
