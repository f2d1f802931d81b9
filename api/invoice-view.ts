/**
 * How an invoice row (and its history) is shown to a caller: the contract's invoice shape, with `actions[]`
 * from the one rule in domain/actions.ts. The admin key is read-only, so it is offered no action.
 */
import { availableActions } from '../domain/actions';
import { INVOICE_STATUS_LABELS, chorusStatusLabel, type InvoiceAction } from '../domain/statuses';
import type { IInvoice, IInvoiceHistory, IBuyer, IProducer } from '../db/entities';
import type { Caller } from './auth';
import type { StateInfo } from './errors';
import type { BuyerResponse, InvoiceResponse, InvoiceSummaryResponse, ProducerResponse } from './schemas';

export function actionsFor(invoice: Pick<IInvoice, 'status' | 'chorusStatus' | 'buyerKind'>, caller: Caller): InvoiceAction[] {
  if (caller.kind === 'admin') return [];
  return availableActions({ status: invoice.status, chorusStatus: invoice.chorusStatus ?? null, buyerKind: invoice.buyerKind });
}

/** The invoice's state as PostgreSQL knows it, for INVALID_STATE answers. */
export function stateOf(invoice: IInvoice, caller: Caller): StateInfo {
  return { status: invoice.status, chorusStatus: invoice.chorusStatus ?? null, allowedActions: actionsFor(invoice, caller) };
}

const iso = (d: Date | string): string => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

export function toInvoiceSummary(invoice: IInvoice, caller: Caller): InvoiceSummaryResponse {
  const chorusStatus = invoice.chorusStatus ?? null;
  return {
    invoiceId: invoice.invoiceId,
    orderId: invoice.orderId,
    number: invoice.number ?? null,
    producerSiret: invoice.producerSiret,
    buyerSiret: invoice.buyerSiret,
    buyerKind: invoice.buyerKind,
    deliveryDate: invoice.deliveryDate,
    issueDate: invoice.issueDate ?? null,
    dueDate: invoice.dueDate ?? null,
    lines: invoice.lines.map((line) => ({
      lineId: line.lineId,
      label: line.label,
      unit: line.unit,
      unitPriceHT: line.unitPriceHT,
      vatRate: line.vatRate,
      orderedQuantity: line.orderedQuantity,
      deliveredQuantity: line.deliveredQuantity ?? null,
      totalHT: line.totalHT ?? null,
    })),
    totals: { ht: invoice.totalHt ?? null, tva: invoice.totalTva ?? null, ttc: invoice.totalTtc ?? null },
    status: invoice.status,
    statusLabel: INVOICE_STATUS_LABELS[invoice.status] ?? invoice.status,
    chorusStatus,
    chorusStatusLabel: chorusStatus === null ? null : chorusStatusLabel(chorusStatus),
    chorus: {
      numeroFluxDepot: invoice.numeroFluxDepot ?? null,
      identifiantFactureCPP: invoice.identifiantFactureCPP ?? null,
      errors: invoice.chorusErrors ?? [],
    },
    engagementCodeRequired: invoice.engagementCodeRequired,
    engagementCode: invoice.engagementCode ?? null,
    serviceCode: invoice.serviceCode ?? null,
    marketNumber: invoice.marketNumber ?? null,
    validatedBy: invoice.validatedBy ?? null,
    actions: actionsFor(invoice, caller),
    createdAt: iso(invoice.createdAt),
    updatedAt: iso(invoice.updatedAt),
  };
}

export function toInvoice(invoice: IInvoice, history: IInvoiceHistory[], caller: Caller): InvoiceResponse {
  return {
    ...toInvoiceSummary(invoice, caller),
    history: history.map((h) => ({ at: iso(h.at), status: h.status, chorusStatus: h.chorusStatus ?? null, detail: h.detail ?? null })),
  };
}

export function toProducer(p: IProducer): ProducerResponse {
  return {
    siret: p.siret,
    name: p.name,
    email: p.email,
    address: p.address,
    vatNumber: p.vatNumber ?? null,
    chorusEnabled: p.chorusEnabled,
    paymentMethod: p.paymentMethod,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
  };
}

export function toBuyer(b: IBuyer): BuyerResponse {
  return {
    siret: b.siret,
    name: b.name,
    email: b.email,
    kind: b.kind,
    address: b.address,
    vatNumber: b.vatNumber ?? null,
    serviceCode: b.serviceCode ?? null,
    createdAt: iso(b.createdAt),
    updatedAt: iso(b.updatedAt),
  };
}
