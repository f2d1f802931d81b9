/**
 * The invoice workflow's public surface: its input, the Updates producers and the platform send it, and the
 * query that reads it. The API and tests import these definitions; nothing here runs side effects.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ReplacementChanges } from '../db/credit-notes';
import type { OrderLine } from '../domain/order';
import type { ChorusStatus, InvoiceAction, InvoiceStatus } from '../domain/statuses';

export const INVOICE_WORKFLOW_TYPE = 'invoiceWorkflow';
export const CREDIT_NOTE_WORKFLOW_TYPE = 'creditNoteWorkflow';
export const invoiceWorkflowId = (orderId: string): string => `invoice-${orderId}`;

/** The task queue of the Chorus calls, beside the invoices' own: rate-limited as a whole (CHORUS_MAX_CALLS_PER_SECOND). */
export const chorusTaskQueueOf = (invoiceTaskQueue: string): string => `${invoiceTaskQueue}-chorus`;

/** The Factur-X rendering's task queue (CPU-bound, a few at a time), beside the invoices' queue. */
export const documentsTaskQueueOf = (invoiceTaskQueue: string): string => `${invoiceTaskQueue}-documents`;

/** Durations in milliseconds; workflow inputs so tests run in seconds and production waits days. */
export interface InvoiceTiming {
  flowPollMs: number;
  /** Longest interval between two flow-report polls (back-off from flowPollMs); absent in older runs: 1 h. */
  flowPollMaxMs?: number;
  /** How long a flow may stay unprocessed before it is given up; absent in older runs: 7 days. */
  flowReportMaxAgeMs?: number;
  /** One fixed lifecycle polling interval; when absent, the default schedule (frequent, then daily). */
  lifecyclePollMs?: number;
  /**
   * The lifecycle sync tells the invoice when its Chorus status moved (signal chorusStatusMoved); the invoice
   * itself asks only at this interval. Absent (older runs, or lifecyclePollMs given): it polls on its own.
   */
  lifecycleSafetyPollMs?: number;
  reminderAfterMs: number;
  chorusFailureBudgetMs: number;
  lifecycleMaxAgeMs: number;
  /**
   * How long a deposit whose outcome is unknown (worker died during `deposer/flux`) is given to show up in
   * Chorus before it is made again; default 10 x flowPollMs.
   */
  depositSettleMs?: number;
  /** Start-to-close timeout of one activity attempt (default 2 min): how soon a dead worker's work is retried. */
  activityTimeoutMs?: number;
}

export interface InvoiceWorkflowInput {
  invoiceId: string;
  orderId: string;
  producerSiret: string;
  buyerSiret: string;
  buyerKind: 'PUBLIC' | 'PRIVATE';
  deliveryDate: string;
  lines: OrderLine[];
  engagementCodeRequired: boolean;
  engagementCode?: string | null;
  serviceCode?: string | null;
  marketNumber?: string | null;
  timing: InvoiceTiming;
  /** Set only by continue-as-new: where the previous run stopped. */
  resume?: ResumeState;
  /** A replacement invoice, issued (numbered, built) with the credit note that cancels `replaces`. */
  issued?: { number: string; replaces: string };
}

/** A credit note's workflow: it cancels invoice `cancels`, and goes to the buyer by Chorus or by mail. */
export interface CreditNoteWorkflowInput extends InvoiceWorkflowInput {
  creditNote: { number: string; cancels: string; route: 'CHORUS' | 'MAIL' };
}

/** Cancel the invoice by a credit note, and (unless `replacement` is null: an order cancelled) issue its replacement. */
export interface ReissueInput {
  issueKey: string;
  reason?: string;
  replacement: ReplacementChanges | null;
}

/** What a run hands to the next one on continue-as-new (the lifecycle phase only). */
export interface ResumeState {
  seq: number;
  number: string;
  status: InvoiceStatus;
  chorusStatus: ChorusStatus | null;
  chorusHistoryCount: number;
  identifiantFactureCPP: string;
  numeroFluxDepot: string | null;
  engagementCode: string | null;
  serviceCode: string | null;
  buyerSiret: string;
  depositedAt: number;
  mailCounts: Record<string, number>;
}

export interface QuantityValidationInput {
  validatedBy: 'PRODUCER' | 'BUYER';
  lines: { lineId: string; deliveredQuantity: string }[];
}
export interface CancelInput {
  reason?: string;
}
export interface SendInput {
  channel: 'CHORUS' | 'EMAIL';
  engagementCode?: string;
}
export interface RecycleInput {
  buyerSiret?: string;
  serviceCode?: string;
  engagementCode?: string;
}
/** Attachments are stored in PostgreSQL by the API first; the Update carries their ids only. */
export interface CompleteInput {
  comment?: string;
  attachmentIds: string[];
}

/** The workflow's view of its invoice (the `getInvoice` query and every Update's answer). */
export interface InvoiceState {
  invoiceId: string;
  orderId: string;
  status: InvoiceStatus;
  chorusStatus: ChorusStatus | null;
  number: string | null;
  buyerSiret: string;
  engagementCode: string | null;
  serviceCode: string | null;
  numeroFluxDepot: string | null;
  identifiantFactureCPP: string | null;
  chorusErrors: string[];
  actions: InvoiceAction[];
}

export type InvoiceWorkflow = (input: InvoiceWorkflowInput) => Promise<InvoiceState>;

export const validateQuantitiesUpdate = defineUpdate<InvoiceState, [QuantityValidationInput]>('validateQuantities');
export const cancelOrderUpdate = defineUpdate<InvoiceState, [CancelInput]>('cancelOrder');
export const sendInvoiceUpdate = defineUpdate<InvoiceState, [SendInput]>('sendInvoice');
export const markProcessedUpdate = defineUpdate<InvoiceState, []>('markProcessed');
export const archiveUpdate = defineUpdate<InvoiceState, []>('archive');
export const recycleUpdate = defineUpdate<InvoiceState, [RecycleInput]>('recycle');
export const completeUpdate = defineUpdate<InvoiceState, [CompleteInput]>('complete');
export const reissueUpdate = defineUpdate<InvoiceState, [ReissueInput]>('reissue');
export const getInvoiceQuery = defineQuery<InvoiceState>('getInvoice');

/** From the lifecycle sync: Chorus now shows this status for the invoice (its history is read next). */
export interface ChorusStatusMoved {
  statut: string;
}
export const chorusStatusMovedSignal = defineSignal<[ChorusStatusMoved]>('chorusStatusMoved');
