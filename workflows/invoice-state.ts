/**
 * What one run of the invoice workflow knows, and its two writes: a recorded status change and a mail.
 * `toResume()` / `fromResume()` carry it across continue-as-new (the lifecycle phase only).
 */
import { upsertSearchAttributes } from '@temporalio/workflow';
import type { InvoicePatch, MailKind, SendMailInput } from '../activities/types';
import { availableActions } from '../domain/actions';
import type { ChorusStatus, InvoiceAction, InvoiceStatus } from '../domain/statuses';
import type { records, mail } from './activity-options';
import type { RequestInbox } from './inbox';
import type { InvoiceState, InvoiceTiming, InvoiceWorkflowInput, ResumeState } from './messages';
import { searchAttributeUpdates } from './search-attributes';

/** What every step of the story works with. */
export interface StoryContext {
  readonly input: InvoiceWorkflowInput;
  readonly timing: InvoiceTiming;
  /** Start-to-close of one activity attempt. */
  readonly attemptMs: number;
  readonly run: InvoiceRun;
  readonly inbox: RequestInbox;
}

export interface StateWriters {
  recordStatus: ReturnType<typeof records>['recordStatus'];
  sendMail: ReturnType<typeof mail>['sendMail'];
}

export class InvoiceRun {
  status: InvoiceStatus = 'EN_ATTENTE_VALIDATION';
  chorusStatus: ChorusStatus | null = null;
  number: string | null = null;
  /** Position of the last history row written: the key that makes a retried write a no-op. */
  seq = 0;
  engagementCode: string | null;
  serviceCode: string | null;
  buyerSiret: string;
  numeroFluxDepot: string | null = null;
  identifiantFactureCPP: string | null = null;
  chorusErrors: string[] = [];
  chorusHistoryCount = 0;
  /** Signals of the lifecycle sync received (chorusStatusMoved): the story reads the history when it grows. */
  statusMovedSignals = 0;
  /** The Chorus status the last of those signals named (what the sync saw). */
  lastSignalledStatus: string | null = null;
  depositedAt = 0;
  depositAttempts = 0;
  mailCounts: Record<string, number> = {};

  constructor(
    readonly input: InvoiceWorkflowInput,
    private readonly inbox: RequestInbox,
    private readonly writers: StateWriters,
  ) {
    this.engagementCode = input.engagementCode ?? null;
    this.serviceCode = input.serviceCode ?? null;
    this.buyerSiret = input.buyerSiret;
    if (input.resume) this.fromResume(input.resume);
  }

  /** What the producer may do now; nothing while another request is in the inbox. */
  actions(): InvoiceAction[] {
    if (this.inbox.busy) return [];
    return availableActions({ status: this.status, chorusStatus: this.chorusStatus, buyerKind: this.input.buyerKind });
  }

  state(): InvoiceState {
    return {
      invoiceId: this.input.invoiceId,
      orderId: this.input.orderId,
      status: this.status,
      chorusStatus: this.chorusStatus,
      number: this.number,
      buyerSiret: this.buyerSiret,
      engagementCode: this.engagementCode,
      serviceCode: this.serviceCode,
      numeroFluxDepot: this.numeroFluxDepot,
      identifiantFactureCPP: this.identifiantFactureCPP,
      chorusErrors: this.chorusErrors,
      actions: this.actions(),
    };
  }

  /** Writes a status change to PostgreSQL (current state + history row) and to the search attributes. */
  async record(
    status: InvoiceStatus,
    chorusStatus: ChorusStatus | null,
    detail?: string,
    patch: InvoicePatch = {},
    at: string = new Date().toISOString(),
    /** Another proxy of the same activity (a local one, where a caller waits on the step). */
    write: StateWriters['recordStatus'] = this.writers.recordStatus,
  ): Promise<void> {
    this.seq += 1;
    // The run knows the new status before PostgreSQL does: whoever reads it there (GET, the producer's page)
    // and sends an action it allows finds the workflow already accepting it. (State only, no command moved.)
    this.status = status;
    this.chorusStatus = chorusStatus;
    await write({ invoiceId: this.input.invoiceId, seq: this.seq, at, status, chorusStatus, detail, patch });
    upsertSearchAttributes(searchAttributeUpdates({ status, chorusStatus, number: this.number, buyerSiret: patch.buyerSiret }));
  }

  /** A patch of the current state without a status change (kept in history as a detail line). */
  async recordDetail(detail: string, patch: InvoicePatch): Promise<void> {
    await this.record(this.status, this.chorusStatus, detail, patch);
  }

  /** Sends a mail of one kind; a kind that may recur gets a new key each time (`:2`, `:3`...). */
  async mail(kind: MailKind, reason?: SendMailInput['reason']): Promise<void> {
    const n = (this.mailCounts[kind] ?? 0) + 1;
    this.mailCounts[kind] = n;
    const mailKey = `${this.input.invoiceId}:${kind}${n > 1 ? `:${n}` : ''}`;
    await this.writers.sendMail({ invoiceId: this.input.invoiceId, kind, mailKey, reason });
  }

  /** What the next run needs to go on following the lifecycle. */
  toResume(): ResumeState {
    return {
      seq: this.seq,
      number: this.number ?? '',
      status: this.status,
      chorusStatus: this.chorusStatus,
      chorusHistoryCount: this.chorusHistoryCount,
      identifiantFactureCPP: this.identifiantFactureCPP ?? '',
      numeroFluxDepot: this.numeroFluxDepot,
      engagementCode: this.engagementCode,
      serviceCode: this.serviceCode,
      buyerSiret: this.buyerSiret,
      depositedAt: this.depositedAt,
      mailCounts: this.mailCounts,
    };
  }

  private fromResume(resume: ResumeState): void {
    Object.assign(this, resume);
  }
}
