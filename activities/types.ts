/**
 * Inputs and outputs of the activities, shared by the activity implementations and the workflow (which
 * imports types only). Everything is plain JSON: no PDFs or attachments travel through Temporal.
 */
import type { FlowOutcome } from '../chorus/flow-report';
import type { BuyerRequirement } from '../chorus/requirement';
import type { ChorusStatus, InvoiceStatus } from '../domain/statuses';
import type { MailKind, MailReason } from '../mail/kinds';

export interface InvoicePatch {
  number?: string;
  engagementCode?: string | null;
  serviceCode?: string | null;
  buyerSiret?: string;
  numeroFluxDepot?: string | null;
  identifiantFactureCPP?: string | null;
  chorusErrors?: string[] | null;
  cancelReason?: string | null;
}

export interface RecordStatusInput {
  invoiceId: string;
  /** Position in the invoice's history: the row key that makes a retried write a no-op. */
  seq: number;
  /** ISO date-time of the change (workflow time, or Chorus' own date for lifecycle codes). */
  at: string;
  status: InvoiceStatus;
  chorusStatus: ChorusStatus | null;
  detail?: string;
  patch?: InvoicePatch;
}

export interface BuildInvoiceInput {
  invoiceId: string;
  validatedBy: 'PRODUCER' | 'BUYER';
  deliveredLines: { lineId: string; deliveredQuantity: string }[];
  issueDate: string;
}
export interface BuiltInvoice {
  totals: { ht: string; tva: string; ttc: string };
  amountTtcCents: number;
  dueDate: string;
}

export type BuyerOnChorus =
  | { kind: 'unknown' }
  | {
      kind: 'known';
      designation: string;
      requirement: BuyerRequirement;
    };

export interface DepositInput {
  invoiceId: string;
  /** `invoiceId:deposit:n`: one per deposit attempt decided by the workflow. */
  businessKey: string;
  settleMs: number;
}
export interface DepositResult {
  numeroFluxDepot: string;
  dateDepot: string | null;
  /** Found already integrated on Chorus (a previous attempt's deposit): no new deposit was made. */
  adoptedIdentifiantFactureCPP?: string;
}

/** What a final flow report means for the invoice (chorus/flow-report.ts decides it). */
export type FlowReport = FlowOutcome;

export interface StatusChangeInput {
  identifiantFactureCPP: string;
  /** Number of `histoStatut` entries already recorded. */
  knownCount: number;
  knownStatus: ChorusStatus | null;
  /**
   * A safety look: skipped (as "not yet", no call) when the lifecycle sync found the invoice on Chorus with
   * `knownStatus` within this many ms.
   */
  unlessSyncSawWithinMs?: number;
}
export interface ChorusStatusEntry {
  code: ChorusStatus;
  /** ISO date-time. */
  at: string;
  comment: string | null;
}
export interface StatusChange {
  statutCourantCode: ChorusStatus;
  newEntries: ChorusStatusEntry[];
  totalCount: number;
}

export interface RecycleOnChorusInput {
  invoiceId: string;
  identifiantFactureCPP: string;
  buyerSiret: string;
  serviceCode: string | null;
  engagementCode: string | null;
}

export interface UploadAttachmentsInput {
  invoiceId: string;
  attachmentIds: string[];
}

export interface CompleteOnChorusInput {
  invoiceId: string;
  identifiantFactureCPP: string;
  comment: string | null;
  attachmentIds: string[];
}

export { MAIL_KINDS, type MailKind, type MailReason } from '../mail/kinds';

export interface SendMailInput {
  invoiceId: string;
  kind: MailKind;
  /** `invoiceId:kind[:n]`: a mail with this key goes out at most once. */
  mailKey: string;
  /** Why the buyer gets the invoice by mail (shown in the producer's copy and the history). */
  reason?: MailReason;
}
export interface SendMailResult {
  messageId: string;
  /** Already sent by an earlier attempt: nothing went out this time. */
  alreadySent: boolean;
}
