/**
 * The invoice as the contract shows it (the `InvoiceSummary` of the API), built from its row: read by the API
 * (api/invoice-view.ts adds the caller's actions) and by the webhook outbox (db/webhook-outbox.ts), which sends
 * the platform the same view in every event.
 */
import { INVOICE_STATUS_LABELS, chorusStatusLabel, type InvoiceAction, type InvoiceStatus } from '../domain/statuses';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DocumentType } from '../domain/credit-notes';
import { Invoice, type IInvoice } from './entities';

export interface InvoiceView {
  invoiceId: string;
  orderId: string;
  number: string | null;
  producerSiret: string;
  buyerSiret: string;
  buyerKind: 'PUBLIC' | 'PRIVATE';
  deliveryDate: string;
  issueDate: string | null;
  dueDate: string | null;
  lines: {
    lineId: string;
    label: string;
    unit: string;
    unitPriceHT: string;
    vatRate: string;
    orderedQuantity: string;
    deliveredQuantity: string | null;
    totalHT: string | null;
  }[];
  totals: { ht: string | null; tva: string | null; ttc: string | null };
  status: InvoiceStatus;
  statusLabel: string;
  chorusStatus: string | null;
  chorusStatusLabel: string | null;
  chorus: { numeroFluxDepot: string | null; identifiantFactureCPP: string | null; errors: string[] };
  engagementCodeRequired: boolean;
  engagementCode: string | null;
  serviceCode: string | null;
  marketNumber: string | null;
  validatedBy: 'PRODUCER' | 'BUYER' | null;
  actions: InvoiceAction[];
  documentType: DocumentType;
  cancels: DocumentLink | null;
  cancelledBy: DocumentLink | null;
  replaces: DocumentLink | null;
  replacedBy: DocumentLink | null;
  createdAt: string;
  updatedAt: string;
}

/** Another document of the same order: a credit note, a replacement, the invoice they cancel or replace. */
export interface DocumentLink {
  invoiceId: string;
  number: string | null;
}

/** Numbers of the documents an invoice links to, by invoiceId. */
export type LinkedNumbers = ReadonlyMap<string, string | null>;

/** The ids of the documents a row links to. */
export function linkedIds(invoice: IInvoice): string[] {
  return [invoice.cancelsInvoiceId, invoice.cancelledByInvoiceId, invoice.replacesInvoiceId, invoice.replacedByInvoiceId].filter((id): id is string => !!id);
}

/** The numbers of the documents these rows link to, in one query. */
export async function linkedNumbers(em: EntityManager, rows: IInvoice[]): Promise<LinkedNumbers> {
  const ids = [...new Set(rows.flatMap(linkedIds))];
  if (ids.length === 0) return new Map();
  const linked = await em.find(Invoice, { invoiceId: { $in: ids } }, { fields: ['invoiceId', 'number'] });
  return new Map(linked.map((l) => [l.invoiceId, l.number ?? null]));
}

const link = (id: string | null | undefined, numbers: LinkedNumbers): DocumentLink | null => (id ? { invoiceId: id, number: numbers.get(id) ?? null } : null);

export const isoDateTime = (d: Date | string): string => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** The invoice's view; `actions` are what the reader may do now (domain/actions.ts, chosen by the caller). */
export function invoiceView(invoice: IInvoice, actions: InvoiceAction[], numbers: LinkedNumbers = new Map()): InvoiceView {
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
    actions,
    documentType: invoice.documentType,
    cancels: link(invoice.cancelsInvoiceId, numbers),
    cancelledBy: link(invoice.cancelledByInvoiceId, numbers),
    replaces: link(invoice.replacesInvoiceId, numbers),
    replacedBy: link(invoice.replacedByInvoiceId, numbers),
    createdAt: isoDateTime(invoice.createdAt),
    updatedAt: isoDateTime(invoice.updatedAt),
  };
}
