/**
 * The story of one invoice, from the order to payment (workflow id `invoice-{orderId}`).
 *
 * 1. Wait for the delivered quantities (validated by the producer or the buyer), or a cancellation.
 * 2. Build the invoice (number, totals, Factur-X PDF) -> A_TRAITER.
 *    Private buyer: mailed at once. Public buyer: the producer is told, then decides (reminded if he waits).
 * 3. The producer sends it to Chorus Pro, by mail, marks it processed (deposited on the portal himself), or
 *    archives it. Chorus path: buyer lookup (unknown -> mail), deposit, flow report (rejected -> back to the
 *    producer), integrated -> DEPOSEE_CHORUS. Chorus unreachable past the failure budget -> mail.
 * 4. Follow the Chorus lifecycle until payment is issued (or rejection, or the maximum age), asking the
 *    producer to recycle or complete the invoice when Chorus says so.
 *
 * Producer actions are Updates: the validator refuses at once what the current state does not allow; the
 * main loop below does the work, and the Update answers once the work has moved the invoice on.
 */
import {
  ApplicationFailure,
  CancellationScope,
  ActivityFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  type ActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { MailKind, SendMailInput, StatusChange } from '../activities/types';
import { availableActions } from '../domain/actions';
import { isDecimalString, parisDate } from '../domain/decimal';
import type { RefusalCode, RefusalDetails } from '../domain/refusals';
import { CHORUS_TERMINAL_STATUSES, chorusStatusLabel, type InvoiceAction, type InvoiceStatus } from '../domain/statuses';
import {
  archiveUpdate,
  cancelOrderUpdate,
  completeUpdate,
  getInvoiceQuery,
  markProcessedUpdate,
  recycleUpdate,
  sendInvoiceUpdate,
  validateQuantitiesUpdate,
  type CompleteInput,
  type InvoiceSnapshot,
  type InvoiceWorkflowInput,
  type QuantityValidationInput,
  type RecycleInput,
  type SendInput,
} from './messages';
import { searchAttributeUpdates } from './search-attributes';

type Activities = ReturnType<typeof createActivities>;

/** Business failures an activity may raise: never retried. */
const NON_RETRYABLE = ['ChorusBusinessError', 'InvoiceDataError'];

const DEFAULT_ATTEMPT_MS = 120_000;

/** Activities on PostgreSQL and SMTP: retried until they succeed (a mail is never dropped while SMTP refuses). */
function coreActivities(attemptMs: number) {
  const records = proxyActivities<Activities>({
    startToCloseTimeout: attemptMs,
    retry: { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE },
  });
  const mail = proxyActivities<Activities>({
    startToCloseTimeout: attemptMs,
    retry: { initialInterval: '2s', maximumInterval: '5m', nonRetryableErrorTypes: NON_RETRYABLE },
  });
  return {
    recordStatus: records.recordStatus,
    buildInvoice: records.buildInvoice,
    assignInvoiceNumber: records.assignInvoiceNumber,
    renderInvoiceDocument: records.renderInvoiceDocument,
    loadProducerProfile: records.loadProducerProfile,
    sendMail: mail.sendMail,
  };
}
type CoreActivities = ReturnType<typeof coreActivities>;

/** A request from an Update, carried to the main loop; `done` is set when the loop has handled it. */
type Request =
  | { kind: 'VALIDATE'; input: QuantityValidationInput }
  | { kind: 'CANCEL'; reason?: string }
  | { kind: 'SEND'; input: SendInput }
  | { kind: 'MARK_PROCESSED' }
  | { kind: 'ARCHIVE' }
  | { kind: 'RECYCLE'; input: RecycleInput }
  | { kind: 'COMPLETE'; input: CompleteInput };
interface Pending {
  request: Request;
  refusal?: ApplicationFailure;
  done: boolean;
}

function refuse(code: RefusalCode, message: string, details: RefusalDetails = {}): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: [details] });
}

/** True when the activity failed for good (budget spent, business error) rather than being cancelled. */
function failedForGood(error: unknown): error is ActivityFailure {
  return error instanceof ActivityFailure && !isCancellation(error);
}

class Invoice {
  status: InvoiceStatus = 'EN_ATTENTE_VALIDATION';
  chorusStatus: string | null = null;
  number: string | null = null;
  seq = 0;
  engagementCode: string | null;
  serviceCode: string | null;
  buyerSiret: string;
  numeroFluxDepot: string | null = null;
  identifiantFactureCPP: string | null = null;
  chorusErrors: string[] = [];
  chorusHistoryCount = 0;
  depositedAt = 0;
  depositAttempts = 0;
  mailCounts: Record<string, number> = {};
  pending: Pending | undefined;
  /** Set while the loop works on a request: no other action is accepted meanwhile. */
  busy = false;

  constructor(
    readonly input: InvoiceWorkflowInput,
    private readonly acts: CoreActivities,
  ) {
    this.engagementCode = input.engagementCode ?? null;
    this.serviceCode = input.serviceCode ?? null;
    this.buyerSiret = input.buyerSiret;
    const resume = input.resume;
    if (resume) {
      Object.assign(this, {
        seq: resume.seq,
        number: resume.number,
        status: resume.status,
        chorusStatus: resume.chorusStatus,
        chorusHistoryCount: resume.chorusHistoryCount,
        identifiantFactureCPP: resume.identifiantFactureCPP,
        numeroFluxDepot: resume.numeroFluxDepot,
        engagementCode: resume.engagementCode,
        serviceCode: resume.serviceCode,
        buyerSiret: resume.buyerSiret,
        depositedAt: resume.depositedAt,
        mailCounts: resume.mailCounts,
      });
    }
  }

  actions(): InvoiceAction[] {
    if (this.busy) return [];
    return availableActions({ status: this.status, chorusStatus: this.chorusStatus, buyerKind: this.input.buyerKind });
  }

  snapshot(): InvoiceSnapshot {
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
    chorusStatus: string | null,
    detail?: string,
    patch: Parameters<Activities['recordStatus']>[0]['patch'] = {},
    at: string = new Date().toISOString(),
  ): Promise<void> {
    this.seq += 1;
    await this.acts.recordStatus({ invoiceId: this.input.invoiceId, seq: this.seq, at, status, chorusStatus, detail, patch });
    this.status = status;
    this.chorusStatus = chorusStatus;
    upsertSearchAttributes(searchAttributeUpdates({ status, chorusStatus, number: this.number, buyerSiret: patch.buyerSiret }));
  }

  /** Sends a mail of one kind; a kind that may recur gets a new key each time (`:2`, `:3`...). */
  async mail(kind: MailKind, reason?: SendMailInput['reason']): Promise<void> {
    const n = (this.mailCounts[kind] ?? 0) + 1;
    this.mailCounts[kind] = n;
    const mailKey = `${this.input.invoiceId}:${kind}${n > 1 ? `:${n}` : ''}`;
    await this.acts.sendMail({ invoiceId: this.input.invoiceId, kind, mailKey, reason });
  }
}

export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceSnapshot> {
  const { timing } = input;
  const attemptMs = timing.activityTimeoutMs ?? DEFAULT_ATTEMPT_MS;
  const { buildInvoice, assignInvoiceNumber, renderInvoiceDocument, loadProducerProfile } = coreActivities(attemptMs);
  const inv = new Invoice(input, coreActivities(attemptMs));

  // ---- Messages -------------------------------------------------------------------------------------------
  setHandler(getInvoiceQuery, () => inv.snapshot());

  /** Validator part shared by every action: one request at a time, and only what the state allows. */
  const requireAction = (action: InvoiceAction | 'VALIDATE' | 'CANCEL'): void => {
    if (inv.busy || inv.pending) {
      throw refuse('INVALID_STATE', `Another action on this invoice is in progress (status ${inv.status}).`, {
        status: inv.status,
        chorusStatus: inv.chorusStatus,
        allowedActions: [],
      });
    }
    const waitingForQuantities = inv.status === 'EN_ATTENTE_VALIDATION';
    const allowed =
      action === 'VALIDATE' || action === 'CANCEL' ? waitingForQuantities : inv.actions().includes(action);
    if (!allowed) {
      const what =
        action === 'VALIDATE' ? 'The delivered quantities can be validated only once, before invoicing'
        : action === 'CANCEL' ? 'An order can be cancelled only before its invoice is created'
        : `Action ${action} is not allowed now`;
      throw refuse('INVALID_STATE', `${what}: the invoice is ${inv.status}${inv.chorusStatus ? ` (Chorus: ${inv.chorusStatus})` : ''}.`, {
        status: inv.status,
        chorusStatus: inv.chorusStatus,
        allowedActions: inv.actions(),
      });
    }
  };

  /** Hands a request to the main loop and answers when it is handled (or refused there). */
  const submit = async (request: Request): Promise<InvoiceSnapshot> => {
    const pending: Pending = { request, done: false };
    inv.pending = pending;
    await condition(() => pending.done);
    if (pending.refusal) throw pending.refusal;
    return inv.snapshot();
  };

  setHandler(validateQuantitiesUpdate, (i) => submit({ kind: 'VALIDATE', input: i }), {
    validator: (i: QuantityValidationInput) => {
      requireAction('VALIDATE');
      validateQuantities(input, i);
    },
  });
  setHandler(cancelOrderUpdate, (i) => submit({ kind: 'CANCEL', reason: i.reason }), {
    validator: (_i) => requireAction('CANCEL'),
  });
  setHandler(sendInvoiceUpdate, (i) => submit({ kind: 'SEND', input: i }), {
    validator: (i: SendInput) => requireAction(i.channel === 'CHORUS' ? 'SEND_CHORUS' : 'SEND_EMAIL'),
  });
  setHandler(markProcessedUpdate, () => submit({ kind: 'MARK_PROCESSED' }), {
    validator: () => requireAction('MARK_PROCESSED'),
  });
  setHandler(archiveUpdate, () => submit({ kind: 'ARCHIVE' }), { validator: () => requireAction('ARCHIVE') });
  setHandler(recycleUpdate, (i) => submit({ kind: 'RECYCLE', input: i }), { validator: (_i) => requireAction('RECYCLE') });
  setHandler(completeUpdate, (i) => submit({ kind: 'COMPLETE', input: i }), {
    validator: (i: CompleteInput) => {
      requireAction('COMPLETE');
      if (i.attachmentIds.length === 0 && !i.comment) {
        throw refuse('VALIDATION_ERROR', 'Give at least one attachment or a comment to complete the invoice.', {
          details: [{ path: 'attachments', message: 'at least one attachment or a comment is required' }],
        });
      }
    },
  });

  /** Waits for the next request (or the timeout); marks the loop busy while it is handled. */
  const nextRequest = async (timeoutMs?: number): Promise<Pending | undefined> => {
    const arrived =
      timeoutMs === undefined ? (await condition(() => inv.pending !== undefined), true)
      : await condition(() => inv.pending !== undefined, timeoutMs);
    if (!arrived) return undefined;
    inv.busy = true;
    return inv.pending;
  };
  const finish = (p: Pending, refusal?: ApplicationFailure): void => {
    p.refusal = refusal;
    p.done = true;
    inv.pending = undefined;
    inv.busy = false;
  };

  // ---- Story ----------------------------------------------------------------------------------------------
  if (input.resume) {
    return followLifecycle();
  }

  upsertSearchAttributes(searchAttributeUpdates({ status: inv.status, chorusStatus: null, number: null }));
  await inv.record('EN_ATTENTE_VALIDATION', null, 'Commande reçue');

  // 1. Delivered quantities, or cancellation. 2. The invoice: totals, number, Factur-X.
  for (;;) {
    const p = await nextRequest();
    if (!p) continue;
    if (p.request.kind === 'CANCEL') {
      const reason = p.request.reason;
      await inv.record('ANNULEE', null, reason ? `Commande annulée : ${reason}` : 'Commande annulée', { cancelReason: reason ?? null });
      finish(p);
      return inv.snapshot();
    }
    if (p.request.kind !== 'VALIDATE') {
      finish(p, refuse('INVALID_STATE', `Action ${p.request.kind} is not allowed now.`, { status: inv.status }));
      continue;
    }
    const validation = p.request.input;
    const issueDate = parisDate(new Date());
    try {
      const built = await buildInvoice({ invoiceId: input.invoiceId, validatedBy: validation.validatedBy, deliveredLines: validation.lines, issueDate });
      inv.number = await assignInvoiceNumber({ invoiceId: input.invoiceId, producerSiret: input.producerSiret, issueDate });
      await renderInvoiceDocument({ invoiceId: input.invoiceId });
      upsertSearchAttributes(searchAttributeUpdates({ amountTtcCents: built.amountTtcCents }));
    } catch (error) {
      if (!failedForGood(error)) throw error;
      // Data that cannot make a legal invoice (e.g. VAT without the seller's VAT number): refused, the order waits.
      finish(p, refuse('INVOICE_DATA_INVALID', error.cause?.message ?? error.message, { status: inv.status }));
      continue;
    }
    const by = validation.validatedBy === 'PRODUCER' ? 'le producteur' : "l'acheteur";
    await inv.record('A_TRAITER', null, `Quantité livrée validée par ${by} ; facture ${inv.number} créée`, { number: inv.number });
    finish(p);
    break;
  }

  if (input.buyerKind === 'PRIVATE') {
    await inv.mail('INVOICE_TO_BUYER', 'PRIVATE_BUYER');
    await inv.record('ENVOYEE_MAIL', null, 'Acheteur privé : facture envoyée automatiquement par mail');
    return waitForArchive();
  }

  // 3. The producer's decision.
  await inv.mail('PRODUCER_INVOICE_READY');
  let reminders = 0;
  for (;;) {
    const waitMs = reminders < 3 ? timing.reminderAfterMs : undefined;
    const p = await nextRequest(waitMs);
    if (!p) {
      reminders += 1;
      await inv.mail('PRODUCER_REMINDER');
      continue;
    }
    const r = p.request;
    switch (r.kind) {
      case 'MARK_PROCESSED':
        await inv.record('TRAITEE_MANUELLEMENT', null, 'Déposée sur le portail Chorus Pro par le producteur');
        finish(p);
        return waitForArchive();
      case 'ARCHIVE':
        await inv.record('ARCHIVEE', null, 'Archivée par le producteur');
        finish(p);
        return inv.snapshot();
      case 'SEND':
        if (r.input.channel === 'EMAIL') {
          await inv.mail('INVOICE_TO_BUYER', 'PRODUCER_CHOICE');
          await inv.record('ENVOYEE_MAIL', null, "Envoyée par mail à l'acheteur");
          finish(p);
          return waitForArchive();
        }
        {
          const outcome = await sendThroughChorus(p, r.input);
          if (outcome === 'DEPOSITED') return followLifecycle();
          if (outcome === 'MAILED') return waitForArchive();
          // REFUSED or REJECTED: the producer decides again.
        }
        break;
      default:
        finish(p, refuse('INVALID_STATE', `Action ${r.kind} is not allowed now.`, { status: inv.status }));
    }
  }

  /**
   * Chorus path. Answers the Update once the invoice left A_TRAITER (deposited, mailed) or was refused.
   * Returns where the story goes next.
   */
  async function sendThroughChorus(p: Pending, send: SendInput): Promise<'DEPOSITED' | 'MAILED' | 'REFUSED' | 'REJECTED'> {
    const profile = await loadProducerProfile({ siret: input.producerSiret });
    if (!profile?.chorusEnabled) {
      finish(
        p,
        refuse('CHORUS_NOT_ENABLED', "Le flux de facturation vers Chorus Pro n'est pas ouvert dans le profil du producteur.", {
          status: inv.status,
          allowedActions: inv.actions().filter((a) => a !== 'SEND_CHORUS'),
        }),
      );
      return 'REFUSED';
    }
    const engagementCode = send.engagementCode ?? inv.engagementCode;
    if (input.engagementCodeRequired && !engagementCode) {
      finish(p, refuse('ENGAGEMENT_CODE_REQUIRED', "L'acheteur exige un code d'engagement : indiquez-le pour envoyer la facture.", { status: inv.status }));
      return 'REFUSED';
    }

    // Chorus may fail for a while; past the budget the invoice goes by mail.
    const budgetEnds = Date.now() + timing.chorusFailureBudgetMs;
    const chorus = (extra: ActivityOptions = {}) =>
      proxyActivities<Activities>({
        startToCloseTimeout: attemptMs,
        scheduleToCloseTimeout: Math.max(1000, budgetEnds - Date.now()),
        retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE },
        ...extra,
      });
    const mailAfterChorusFailure = async (why: string): Promise<'MAILED'> => {
      await inv.mail('INVOICE_TO_BUYER', 'CHORUS_FAILURE');
      await inv.record('ENVOYEE_MAIL_ECHEC_CHORUS', null, `Échec de la transmission à Chorus Pro (${why}) : facture envoyée par mail`);
      finish(p);
      await inv.mail('PRODUCER_SENT_BY_MAIL_FALLBACK', 'CHORUS_FAILURE');
      return 'MAILED';
    };

    let buyer;
    try {
      buyer = await chorus().describeBuyerOnChorus({ buyerSiret: inv.buyerSiret });
    } catch (error) {
      if (failedForGood(error)) return mailAfterChorusFailure('recherche de la structure');
      throw error;
    }
    if (buyer.kind === 'unknown') {
      await inv.mail('INVOICE_TO_BUYER', 'BUYER_UNKNOWN_ON_CHORUS');
      await inv.record('ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE', null, `SIRET ${inv.buyerSiret} inconnu de Chorus Pro : facture envoyée par mail`);
      finish(p);
      return 'MAILED';
    }
    const needsEngagement = buyer.requirement === 'engagement' || buyer.requirement === 'service_and_engagement';
    if (needsEngagement && !engagementCode) {
      finish(p, refuse('ENGAGEMENT_CODE_REQUIRED', `${buyer.designation} exige un code d'engagement sous Chorus Pro : indiquez-le pour envoyer la facture.`, { status: inv.status }));
      return 'REFUSED';
    }
    if (engagementCode !== inv.engagementCode) {
      // The engagement code is part of the Factur-X (BT-13): store it, then render the document again.
      await recordPatch({ engagementCode });
      inv.engagementCode = engagementCode;
      await renderInvoiceDocument({ invoiceId: input.invoiceId });
    }

    inv.depositAttempts += 1;
    const businessKey = `${input.invoiceId}:deposit:${inv.depositAttempts}`;
    let deposit;
    try {
      deposit = await chorus().depositOnChorus({
        invoiceId: input.invoiceId,
        businessKey,
        settleMs: timing.depositSettleMs ?? timing.flowPollMs * 10,
      });
    } catch (error) {
      if (failedForGood(error)) return mailAfterChorusFailure('dépôt du flux');
      throw error;
    }
    inv.numeroFluxDepot = deposit.numeroFluxDepot;
    inv.chorusErrors = [];
    await inv.record('EN_ATTENTE_TRAITEMENT', null, `Flux ${deposit.numeroFluxDepot} déposé sur Chorus Pro`, {
      numeroFluxDepot: deposit.numeroFluxDepot,
      chorusErrors: null,
    });
    finish(p);

    // The flow report: polled through activity retries (no history growth while Chorus works).
    const { awaitFlowReport } = proxyActivities<Activities>({
      startToCloseTimeout: attemptMs,
      scheduleToCloseTimeout: timing.lifecycleMaxAgeMs,
      retry: { initialInterval: timing.flowPollMs, backoffCoefficient: 1, nonRetryableErrorTypes: NON_RETRYABLE },
    });
    let report;
    try {
      report =
        deposit.adoptedIdentifiantFactureCPP ?
          { outcome: 'INTEGRATED' as const, etat: 'IN_INTEGRE', identifiantFactureCPP: deposit.adoptedIdentifiantFactureCPP }
        : await awaitFlowReport({ invoiceId: input.invoiceId, businessKey, numeroFluxDepot: deposit.numeroFluxDepot });
    } catch (error) {
      if (!failedForGood(error)) throw error;
      report = { outcome: 'REJECTED' as const, etat: 'INCONNU', errors: ["Chorus Pro n'a pas rendu de compte rendu de traitement du flux"] };
    }
    if (report.outcome === 'REJECTED') {
      inv.chorusErrors = report.errors;
      await inv.record('REJETEE_CHORUS', null, `Flux ${report.etat} : ${report.errors.join(' | ')}`, { chorusErrors: report.errors });
      await inv.mail('PRODUCER_FLOW_REJECTED');
      return 'REJECTED';
    }
    inv.identifiantFactureCPP = report.identifiantFactureCPP;
    inv.depositedAt = Date.now();
    await inv.record('DEPOSEE_CHORUS', 'DEPOSEE', `Facture intégrée dans Chorus Pro (n° ${report.identifiantFactureCPP})`, {
      identifiantFactureCPP: report.identifiantFactureCPP,
    });
    return 'DEPOSITED';
  }

  /** A patch of the current state without a status change (kept in history as a detail line). */
  async function recordPatch(patch: Parameters<Activities['recordStatus']>[0]['patch']): Promise<void> {
    await inv.record(inv.status, inv.chorusStatus, "Code d'engagement renseigné", patch);
  }

  /** 4. The Chorus lifecycle, until payment, rejection, or the maximum age. */
  async function followLifecycle(): Promise<InvoiceSnapshot> {
    const cpp = inv.identifiantFactureCPP;
    if (!cpp) throw new Error('followLifecycle without identifiantFactureCPP');
    const schedule: RetryPolicy =
      timing.lifecyclePollMs !== undefined ?
        { initialInterval: timing.lifecyclePollMs, backoffCoefficient: 1 }
        // Frequent at first, then daily: Chorus processes take days to weeks.
      : { initialInterval: '15m', backoffCoefficient: 2, maximumInterval: '1d' };

    for (;;) {
      if (inv.chorusStatus !== null && CHORUS_TERMINAL_STATUSES.includes(inv.chorusStatus)) break;
      const remaining = inv.depositedAt + timing.lifecycleMaxAgeMs - Date.now();
      if (remaining <= 0) {
        await inv.record(inv.status, inv.chorusStatus, 'Suivi du cycle de vie arrêté : durée maximale atteinte');
        break;
      }
      if (workflowInfo().continueAsNewSuggested && !inv.pending) {
        // A producer action arriving meanwhile is served by this run first (its handler waits for this loop).
        await condition(() => allHandlersFinished() || inv.pending !== undefined);
        if (inv.pending) {
          await handleLifecycleAction();
          continue;
        }
        await continueAsNew<typeof invoiceWorkflow>({
          ...input,
          resume: {
            seq: inv.seq,
            number: inv.number ?? '',
            status: inv.status,
            chorusStatus: inv.chorusStatus,
            chorusHistoryCount: inv.chorusHistoryCount,
            identifiantFactureCPP: cpp,
            numeroFluxDepot: inv.numeroFluxDepot,
            engagementCode: inv.engagementCode,
            serviceCode: inv.serviceCode,
            buyerSiret: inv.buyerSiret,
            depositedAt: inv.depositedAt,
            mailCounts: inv.mailCounts,
          },
        });
      }

      // Poll for a change, unless a producer action arrives first (recycle / complete / archive).
      const { awaitChorusStatusChange } = proxyActivities<Activities>({
        startToCloseTimeout: attemptMs,
        scheduleToCloseTimeout: remaining,
        retry: { ...schedule, nonRetryableErrorTypes: NON_RETRYABLE },
      });
      type Outcome = { kind: 'change'; value: StatusChange } | { kind: 'action' } | { kind: 'gave-up' };
      const scope = new CancellationScope();
      let outcome: Outcome;
      try {
        outcome = await scope.run(() =>
          Promise.race([
            awaitChorusStatusChange({ identifiantFactureCPP: cpp, knownCount: inv.chorusHistoryCount, knownStatus: inv.chorusStatus }).then(
              (value): Outcome => ({ kind: 'change', value }),
            ),
            condition(() => inv.pending !== undefined).then((): Outcome => ({ kind: 'action' })),
          ]),
        );
      } catch (error) {
        if (!failedForGood(error)) throw error;
        outcome = { kind: 'gave-up' };
      } finally {
        scope.cancel(); // whichever of the two is still waiting
      }
      if (outcome.kind === 'action') {
        await handleLifecycleAction();
        continue;
      }
      if (outcome.kind === 'gave-up') {
        await inv.record(inv.status, inv.chorusStatus, 'Suivi du cycle de vie arrêté : durée maximale atteinte');
        break;
      }
      const result = outcome.value;
      for (const entry of result.newEntries) {
        await inv.record('DEPOSEE_CHORUS', entry.code, chorusStatusLabel(entry.code) + (entry.comment ? ` : ${entry.comment}` : ''), {}, entry.at);
      }
      inv.chorusHistoryCount = result.totalCount;
      if (inv.chorusStatus !== result.statutCourantCode) {
        await inv.record('DEPOSEE_CHORUS', result.statutCourantCode, chorusStatusLabel(result.statutCourantCode));
      }
      switch (inv.chorusStatus) {
        case 'A_RECYCLER':
          await inv.mail('PRODUCER_RECYCLE_REQUIRED');
          break;
        case 'SUSPENDUE':
          await inv.mail('PRODUCER_COMPLETION_REQUIRED');
          break;
        case 'MISE_EN_PAIEMENT':
          await inv.mail('PRODUCER_PAYMENT_ISSUED');
          break;
        case 'REJETEE':
          await inv.mail('PRODUCER_INVOICE_REJECTED');
          break;
        default:
      }
    }
    return waitForArchive();
  }

  async function handleLifecycleAction(): Promise<void> {
    const p = await nextRequest(0);
    if (!p) return;
    const r = p.request;
    const cpp = inv.identifiantFactureCPP ?? '';
    if (r.kind === 'RECYCLE') {
      const change = {
        buyerSiret: r.input.buyerSiret ?? inv.buyerSiret,
        serviceCode: r.input.serviceCode ?? inv.serviceCode,
        engagementCode: r.input.engagementCode ?? inv.engagementCode,
      };
      const { recycleOnChorus } = proxyActivities<Activities>({
        startToCloseTimeout: attemptMs,
        scheduleToCloseTimeout: timing.chorusFailureBudgetMs,
        retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE },
      });
      try {
        await recycleOnChorus({ invoiceId: input.invoiceId, identifiantFactureCPP: cpp, ...change });
      } catch (error) {
        if (!failedForGood(error)) throw error;
        finish(p, refuse('INVALID_STATE', `Chorus Pro a refusé le recyclage : ${error.cause?.message ?? error.message}`, { status: inv.status, chorusStatus: inv.chorusStatus, allowedActions: ['RECYCLE'] }));
        return;
      }
      Object.assign(inv, change);
      await inv.record('DEPOSEE_CHORUS', 'DEPOSEE', 'Facture recyclée : renvoyée au destinataire sous le même numéro', change);
      finish(p);
      return;
    }
    if (r.kind === 'COMPLETE') {
      const { completeOnChorus } = proxyActivities<Activities>({
        startToCloseTimeout: attemptMs,
        scheduleToCloseTimeout: timing.chorusFailureBudgetMs,
        retry: { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE },
      });
      try {
        await completeOnChorus({
          invoiceId: input.invoiceId,
          identifiantFactureCPP: cpp,
          comment: r.input.comment ?? null,
          attachmentIds: r.input.attachmentIds,
        });
      } catch (error) {
        if (!failedForGood(error)) throw error;
        finish(p, refuse('INVALID_STATE', `Chorus Pro a refusé le complément : ${error.cause?.message ?? error.message}`, { status: inv.status, chorusStatus: inv.chorusStatus, allowedActions: ['COMPLETE'] }));
        return;
      }
      await inv.record('DEPOSEE_CHORUS', 'COMPLETEE', 'Pièces jointes ajoutées : facture complétée');
      finish(p);
      return;
    }
    finish(p, refuse('INVALID_STATE', `Action ${r.kind} is not allowed now.`, { status: inv.status, chorusStatus: inv.chorusStatus }));
  }

  /** Processed invoices stay archivable for the lifecycle's maximum age, then the workflow ends. */
  async function waitForArchive(): Promise<InvoiceSnapshot> {
    const p = await nextRequest(timing.lifecycleMaxAgeMs);
    if (p) {
      if (p.request.kind === 'ARCHIVE') {
        await inv.record('ARCHIVEE', inv.chorusStatus, 'Archivée par le producteur');
        finish(p);
      } else {
        finish(p, refuse('INVALID_STATE', `Action ${p.request.kind} is not allowed now.`, { status: inv.status }));
      }
    }
    await condition(allHandlersFinished);
    return inv.snapshot();
  }
}

/** Update validator for quantities: lines must match the order, quantities are exact decimals >= 0. */
function validateQuantities(order: InvoiceWorkflowInput, v: QuantityValidationInput): void {
  const details: { path: string; message: string }[] = [];
  const ordered = new Set(order.lines.map((l) => l.lineId));
  const seen = new Set<string>();
  v.lines.forEach((line, i) => {
    if (!ordered.has(line.lineId)) details.push({ path: `lines.${i}.lineId`, message: `line ${line.lineId} is not in the order` });
    if (seen.has(line.lineId)) details.push({ path: `lines.${i}.lineId`, message: `line ${line.lineId} is given twice` });
    seen.add(line.lineId);
    if (!isDecimalString(line.deliveredQuantity, 3)) {
      details.push({ path: `lines.${i}.deliveredQuantity`, message: 'must be a decimal >= 0 with at most 3 decimals, e.g. "12.5"' });
    }
  });
  for (const id of ordered) {
    if (!seen.has(id)) details.push({ path: 'lines', message: `line ${id} of the order has no delivered quantity` });
  }
  if (details.length > 0) {
    throw refuse('VALIDATION_ERROR', 'The delivered quantities do not match the order.', { details });
  }
}
