/**
 * Orders pushed by the Agrilocal backend: creation (idempotent by orderId), quantity validation and
 * cancellation. One order = one invoice row + one workflow `invoice-{orderId}`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Config } from '../../config';
import { Buyer, Invoice, Producer, type IBuyer, type IInvoice, type IProducer } from '../../db/entities';
import { CHORUS_LIMITS, charCount, exceedsChorusBuyerName } from '../../domain/chorus-limits';
import { vatRateConflicts } from '../../domain/vat';
import { cancelOrderUpdate, invoiceWorkflowId, validateQuantitiesUpdate, type InvoiceTiming, type InvoiceWorkflowInput } from '../../workflows/messages';
import { MAX_INVOICE_TTC, exceedsMaxInvoiceTtc } from '../../domain/money';
import { deliveredLinesIssues } from '../../domain/order';
import { serviceCodeOf } from '../../domain/terms';
import { ApiError, inconsistentData, notFound } from '../errors';
import { type CancelBody, type InvoiceResponse, type OrderBody, type OrderCreatedResponse, type QuantityValidationBody } from '../schemas';
import type { UseCaseContext } from './context';
import { act } from './act';
import { cancelInvoicedOrder } from './credit-notes';

/** JSON with object keys sorted at every level: the same order gives the same text whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const orderHash = (order: OrderBody): string => createHash('sha256').update(canonicalJson(order)).digest('hex');

/** The workflow's durations, from the configuration of whoever starts it (the API). */
export function invoiceTiming(config: Config): InvoiceTiming {
  return {
    flowPollMs: config.FLOW_POLL_INTERVAL,
    flowPollMaxMs: config.FLOW_POLL_MAX_INTERVAL,
    flowReportMaxAgeMs: config.FLOW_REPORT_MAX_AGE,
    ...(config.LIFECYCLE_POLL_INTERVAL !== undefined ?
      { lifecyclePollMs: config.LIFECYCLE_POLL_INTERVAL }
    : { lifecycleSafetyPollMs: config.LIFECYCLE_SAFETY_POLL_INTERVAL }),
    reminderAfterMs: config.PRODUCER_REMINDER_AFTER,
    chorusFailureBudgetMs: config.CHORUS_FAILURE_BUDGET,
    lifecycleMaxAgeMs: config.LIFECYCLE_MAX_AGE,
    activityTimeoutMs: config.ACTIVITY_TIMEOUT,
  };
}

/** The workflow's input, rebuilt from the stored row so that a retry starts exactly what the first call stored. */
export function workflowInput(invoice: IInvoice, config: Config): InvoiceWorkflowInput {
  return {
    invoiceId: invoice.invoiceId,
    orderId: invoice.orderId,
    producerSiret: invoice.producerSiret,
    buyerSiret: invoice.buyerSiret,
    buyerKind: invoice.buyerKind,
    deliveryDate: invoice.deliveryDate,
    lines: invoice.lines.map(({ lineId, label, unit, unitPriceHT, vatRate, orderedQuantity }) => ({ lineId, label, unit, unitPriceHT, vatRate, orderedQuantity })),
    engagementCodeRequired: invoice.engagementCodeRequired,
    engagementCode: invoice.engagementCode ?? null,
    serviceCode: invoice.serviceCode ?? null,
    marketNumber: invoice.marketNumber ?? null,
    timing: invoiceTiming(config),
  };
}

export interface OrderCreation {
  created: boolean;
  value: OrderCreatedResponse;
  location: string;
}

/**
 * What would make the order's invoice illegal or refused by Chorus Pro, refused now (422 INVOICE_DATA_INVALID,
 * naming the field) rather than when the buyer validates the delivery: VAT the producer may not charge
 * (domain/vat.ts), and a public buyer whose stored name is longer than the Factur-X of Chorus takes (a profile
 * stored before that limit). Messages in French: the platform shows them to the producer.
 */
function checkInvoiceable(order: OrderBody, producer: IProducer, buyer: IBuyer): void {
  const conflicts = vatRateConflicts(producer, order.lines);
  if (conflicts.length > 0) {
    const exempt = conflicts.some((c) => c.field === 'vatExemptionMention');
    throw new ApiError(
      'INVOICE_DATA_INVALID',
      `Commande refusée : le producteur ${producer.siret} ${exempt ? 'est exonéré de TVA (son profil le dit)' : 'n’a pas de numéro de TVA dans son profil'}, ` +
        `et ${conflicts.length === 1 ? 'une ligne porte' : `${conflicts.length} lignes portent`} de la TVA. Mettez ces lignes à 0 %, ou corrigez son profil ` +
        `(PUT /api/v1/producers/${producer.siret}), puis renvoyez la commande.`,
      conflicts.map((c) => ({ path: `lines.${c.index}.vatRate`, message: c.message })),
    );
  }
  // The buyer's SIRET (its key, La Poste's rule included) is the order's `buyerSiret`, refused by the schema.
  if (buyer.kind === 'PUBLIC' && exceedsChorusBuyerName(buyer.name)) {
    const message =
      `le nom de cet acheteur public fait ${charCount(buyer.name)} caractères, Chorus Pro en accepte ${CHORUS_LIMITS.buyerNameChars} : ` +
      `raccourcissez-le dans son profil (PUT /api/v1/buyers/${buyer.siret}).`;
    throw new ApiError('INVOICE_DATA_INVALID', `Commande refusée : ${message}`, [{ path: 'buyerSiret', message }]);
  }
}

async function insertOrder(ctx: UseCaseContext, order: OrderBody, hash: string): Promise<IInvoice> {
  const producer = await ctx.em.findOne(Producer, { siret: order.producerSiret });
  if (!producer) {
    throw new ApiError('UNKNOWN_PRODUCER', `No producer profile with SIRET ${order.producerSiret}: create it with PUT /api/v1/producers/${order.producerSiret} first.`, [
      { path: 'producerSiret', message: 'unknown producer' },
    ]);
  }
  const buyer = await ctx.em.findOne(Buyer, { siret: order.buyerSiret });
  if (!buyer) {
    throw new ApiError('UNKNOWN_BUYER', `No buyer profile with SIRET ${order.buyerSiret}: create it with PUT /api/v1/buyers/${order.buyerSiret} first.`, [
      { path: 'buyerSiret', message: 'unknown buyer' },
    ]);
  }
  checkInvoiceable(order, producer, buyer);
  const invoice = ctx.em.create(Invoice, {
    invoiceId: randomUUID(),
    orderId: order.orderId,
    workflowId: invoiceWorkflowId(order.orderId),
    orderHash: hash,
    producerSiret: order.producerSiret,
    buyerSiret: order.buyerSiret,
    buyerKind: buyer.kind,
    deliveryDate: order.deliveryDate,
    lines: order.lines.map((line) => ({ ...line })),
    engagementCodeRequired: order.engagementCodeRequired,
    engagementCode: order.engagementCode ?? null,
    serviceCode: serviceCodeOf(order, buyer),
    marketNumber: order.marketNumber ?? null,
    status: 'EN_ATTENTE_VALIDATION',
    chorusStatus: null,
    historySeq: 0,
  });
  await ctx.em.flush();
  return invoice;
}

/**
 * POST /orders: insert the invoice row, then start its workflow. Same body again: 200 with the same ids (and
 * the start is retried, which completes a job cut short between insert and start); another body under the
 * same orderId: 409 CONFLICT.
 */
export async function createOrder(ctx: UseCaseContext, order: OrderBody): Promise<OrderCreation> {
  const hash = orderHash(order);
  let invoice = await ctx.em.findOne(Invoice, firstInvoiceOf(order.orderId));
  let created = false;
  if (!invoice) {
    try {
      invoice = await insertOrder(ctx, order, hash);
      created = true;
    } catch (err) {
      if (!(err instanceof UniqueConstraintViolationException)) throw err;
      ctx.em.clear(); // a concurrent request inserted the same orderId first
      invoice = await ctx.em.findOneOrFail(Invoice, firstInvoiceOf(order.orderId));
    }
  }
  if (invoice.orderHash !== hash) {
    throw new ApiError('CONFLICT', `Order ${order.orderId} already exists with a different content: an order cannot be changed once sent; cancel it and send a new orderId.`, [
      { path: 'orderId', message: 'already used by another order' },
    ]);
  }
  await ctx.workflows.start(workflowInput(invoice, ctx.config));
  return {
    created,
    value: { orderId: invoice.orderId, invoiceId: invoice.invoiceId, status: invoice.status },
    location: `/api/v1/invoices/${invoice.invoiceId}`,
  };
}

/** An order's first invoice (its credit notes and replacements carry the same orderId). */
const firstInvoiceOf = (orderId: string) => ({ orderId, documentType: 'INVOICE' as const, replacesInvoiceId: null });

async function findOrder(ctx: UseCaseContext, orderId: string): Promise<IInvoice> {
  const invoice = await ctx.em.findOne(Invoice, firstInvoiceOf(orderId));
  if (!invoice) throw notFound(`No order ${orderId}.`, 'orderId');
  return invoice;
}

/** The order's invoice now: the first one, or the last replacement of it. */
async function liveInvoiceOf(ctx: UseCaseContext, orderId: string): Promise<IInvoice> {
  let invoice = await findOrder(ctx, orderId);
  while (invoice.replacedByInvoiceId) invoice = await ctx.em.findOneOrFail(Invoice, { invoiceId: invoice.replacedByInvoiceId });
  return invoice;
}

/** Every line of the order exactly once (domain/order.ts), and a total that stays within bounds. */
function checkDeliveredLines(invoice: IInvoice, body: QuantityValidationBody): void {
  const details = deliveredLinesIssues(invoice.lines, body.lines);
  if (details.length > 0) throw inconsistentData('The delivered quantities do not match the order lines.', details);

  const delivered = new Map(body.lines.map((l) => [l.lineId, l.deliveredQuantity]));
  if (exceedsMaxInvoiceTtc(invoice.lines, invoice.lines.map((l) => delivered.get(l.lineId) ?? '0'))) {
    throw inconsistentData('The invoice would be too large.', [{ path: 'lines', message: `the total including VAT exceeds ${MAX_INVOICE_TTC}` }]);
  }
}

/**
 * While the row says the order is not invoiced yet, a missing workflow means its start was cut short after the
 * insert: the gateway then starts it (idempotently) and delivers the Update.
 */
const startIfNotInvoiced = (ctx: UseCaseContext, invoice: IInvoice) =>
  invoice.status === 'EN_ATTENTE_VALIDATION' ? () => workflowInput(invoice, ctx.config) : undefined;

export async function validateQuantities(ctx: UseCaseContext, orderId: string, body: QuantityValidationBody): Promise<InvoiceResponse> {
  const invoice = await findOrder(ctx, orderId);
  checkDeliveredLines(invoice, body);
  return act(ctx, invoice, 'validateQuantities', validateQuantitiesUpdate, [body], startIfNotInvoiced(ctx, invoice));
}

/** Before invoicing: the order is cancelled (ANNULEE). Once invoiced: a credit note cancels its invoice, and is the answer. */
export async function cancelOrder(ctx: UseCaseContext, orderId: string, body: CancelBody): Promise<InvoiceResponse> {
  const invoice = await liveInvoiceOf(ctx, orderId);
  if (invoice.number) return cancelInvoicedOrder(ctx, invoice, body.reason);
  return act(ctx, invoice, 'cancel', cancelOrderUpdate, [body], startIfNotInvoiced(ctx, invoice));
}
