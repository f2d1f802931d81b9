/**
 * The invoice as the contract shows it (the `InvoiceSummary` of the API), built from its row: read by the API
 * (api/invoice-view.ts adds the caller's actions) and by the webhook outbox (db/webhook-outbox.ts), which sends
 * the platform the same view in every event.
 */
import { INVOICE_STATUS_LABELS, chorusStatusLabel, type InvoiceAction, type InvoiceStatus } from '../domain/statuses';
import type { IInvoice } from './entities';

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
  createdAt: string;
  updatedAt: string;
}

export const isoDateTime = (d: Date | string): string => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** The invoice's view; `actions` are what the reader may do now (domain/actions.ts, chosen by the caller). */
export function invoiceView(invoice: IInvoice, actions: InvoiceAction[]): InvoiceView {
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
    createdAt: isoDateTime(invoice.createdAt),
    updatedAt: isoDateTime(invoice.updatedAt),
  };
}
