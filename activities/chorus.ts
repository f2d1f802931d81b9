/**
 * Activities that talk to Chorus Pro. Each makes at most one kind of remote change (but the legacy upload kept
 * in `completeOnChorus` for running workflows), and checks what Chorus
 * (and our `chorus_deposit` record) already holds before making it again.
 *
 * Polling activities (`awaitFlowReport`, `awaitChorusStatusChange`) look once and throw a benign retryable
 * failure while nothing changed: the workflow's retry policy is the poll schedule, and retries are not written
 * to the workflow history, so an invoice can be followed for months without its history growing.
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import type { EntityManager } from '@mikro-orm/postgresql';
import { BuyerDirectory, ChorusTransientError, classifyFlowReport, entriesSince, type ChorusClient, type InvoiceOnChorus } from '../chorus';
import { chorusAttachmentName } from '../domain/chorus-limits';
import { ChorusDeposit, Invoice, InvoiceAttachment, InvoiceDocument, type IChorusDeposit } from '../db/entities';
import type { Orm } from '../db/orm';
import { chorusDateToIso } from '../chorus/dates';
import { isFlowFinal } from '../domain/statuses';
import { invoiceDataError, loadInvoice, type ChorusForProducer } from './shared';
import type {
  BuyerOnChorus,
  CompleteOnChorusInput,
  UploadAttachmentsInput,
  DepositInput,
  DepositResult,
  FlowReport,
  RecycleOnChorusInput,
  StatusChange,
  StatusChangeInput,
} from './types';

/** "Not yet": retried by the poll schedule, logged as benign. */
function notYet(message: string, nextRetryDelayMs?: number): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type: 'NotYet',
    category: ApplicationFailureCategory.BENIGN,
    ...(nextRetryDelayMs !== undefined ? { nextRetryDelay: nextRetryDelayMs } : {}),
  });
}

/** Honours Chorus' Retry-After on 429/503; other errors (business ones included) go through unchanged (classified by class name). */
function withRetryHint(error: unknown): unknown {
  if (error instanceof ChorusTransientError && error.retryAfterMs !== undefined) {
    return ApplicationFailure.create({ message: error.message, type: error.name, nextRetryDelay: error.retryAfterMs, cause: error });
  }
  return error;
}

/** A safety look the lifecycle sync made needless: it found the invoice with our status recently (no call). */
async function skipSafetyLookIfSeen(em: EntityManager, input: StatusChangeInput): Promise<void> {
  if (input.unlessSyncSawWithinMs === undefined) return;
  const seen = await em.findOne(Invoice, { identifiantFactureCPP: input.identifiantFactureCPP }, { fields: ['chorusStatus', 'chorusSeenAt'] });
  if (seen?.chorusSeenAt && seen.chorusStatus === input.knownStatus && Date.now() - seen.chorusSeenAt.getTime() < input.unlessSyncSawWithinMs) {
    throw notYet(`Invoice ${input.identifiantFactureCPP}: the lifecycle sync found it ${seen.chorusStatus} at ${seen.chorusSeenAt.toISOString()}.`);
  }
}

/** One deposit being made: the business key and settle delay (input), and the invoice's number. */
interface Deposit {
  em: EntityManager;
  input: DepositInput;
  number: string;
}

/**
 * The invoice as Chorus holds it from an earlier deposit of ours, if it does (and was not rejected). Chorus can
 * hold this number only through a deposit of ours (an earlier attempt, or this one cut short): with none
 * recorded, the search is skipped (one Chorus call less per invoice). A number deposited by hand on the portal
 * is caught later: the flow is rejected as a duplicate and awaitFlowReport adopts it.
 */
async function heldByChorus({ em, input, number }: Deposit, chorus: ChorusClient, record: IChorusDeposit | null, producerSiret: string) {
  const depositedBefore = record !== null || (await em.count(ChorusDeposit, { invoiceId: input.invoiceId })) > 0;
  const existing = depositedBefore ? await chorus.findInvoiceByNumber(number, { siretFournisseur: producerSiret }) : null;
  return existing && existing.statut !== 'REJETEE' && existing.numeroFluxDepot ? { ...existing, numeroFluxDepot: existing.numeroFluxDepot } : null;
}

/** Chorus already holds the invoice: record its flow and id as this deposit's, and make no new one. */
async function adoptExisting({ em, input, number }: Deposit, record: IChorusDeposit | null, existing: InvoiceOnChorus & { numeroFluxDepot: string }): Promise<DepositResult> {
  const adopted = String(existing.identifiantFactureCPP);
  const row = record ?? em.create(ChorusDeposit, { businessKey: input.businessKey, invoiceId: input.invoiceId, numeroFacture: number });
  em.assign(row, { numeroFluxDepot: existing.numeroFluxDepot, dateDepot: existing.dateDepot ?? null, etatCourantDepotFlux: 'IN_INTEGRE', identifiantFactureCPP: adopted });
  await em.flush();
  return { numeroFluxDepot: existing.numeroFluxDepot, dateDepot: existing.dateDepot ?? null, adoptedIdentifiantFactureCPP: adopted };
}

/** The intent, written before the call: a retry then knows a deposit may have gone through. */
async function recordIntent({ em, input, number }: Deposit): Promise<IChorusDeposit> {
  const record = em.create(ChorusDeposit, { businessKey: input.businessKey, invoiceId: input.invoiceId, numeroFacture: number });
  await em.flush();
  return record;
}

/**
 * An intent left by an earlier attempt, with an unknown outcome and not found on Chorus: "not yet" until
 * `settleMs` after it was written, for a flow still in processing to show up before depositing again.
 */
function waitForSettling({ input, number }: Deposit, record: IChorusDeposit): void {
  if (Date.now() - record.createdAt.getTime() < input.settleMs) {
    throw notYet(`An earlier deposit of ${number} has an unknown outcome; waiting for Chorus to settle before depositing again.`);
  }
}

/** Deposits the Factur-X, then records the flow number at once. */
async function depositNow({ em, input, number }: Deposit, chorus: ChorusClient, record: IChorusDeposit): Promise<DepositResult> {
  const document = await em.findOne(InvoiceDocument, { invoiceId: input.invoiceId });
  if (!document) throw invoiceDataError(`The Factur-X of invoice ${number} is missing.`);
  const deposit = await chorus.deposerFlux({ fichierFlux: Buffer.from(document.pdf), nomFichier: document.filename });
  em.assign(record, { numeroFluxDepot: deposit.numeroFluxDepot, dateDepot: deposit.dateDepot ?? null });
  await em.flush();
  return { numeroFluxDepot: deposit.numeroFluxDepot, dateDepot: deposit.dateDepot ?? null };
}

/** The `chorus_deposit` columns a flow outcome sets (an overwrite: a retried write leaves the same row). */
const depositOutcome = (outcome: FlowReport) => ({
  etatCourantDepotFlux: outcome.etat,
  identifiantFactureCPP: outcome.outcome === 'INTEGRATED' ? outcome.identifiantFactureCPP : null,
  errors: outcome.outcome === 'REJECTED' ? outcome.errors : null,
});

/**
 * Uploads each of the invoice's attachments Chorus does not have yet (`ajouter/fichier`), keeping its
 * `pieceJointeId` at once: a retry uploads only the rest. Returns every attachment's `pieceJointeId`, in order.
 */
async function uploadMissing(em: EntityManager, chorus: ChorusClient, input: { invoiceId: string; attachmentIds: string[] }): Promise<number[]> {
  const attachments = await em.find(InvoiceAttachment, { attachmentId: { $in: input.attachmentIds }, invoiceId: input.invoiceId });
  if (attachments.length !== input.attachmentIds.length) throw invoiceDataError('Some attachments to send are missing.');
  const ids: number[] = [];
  for (const a of attachments) {
    if (!a.pieceJointeId) {
      const extension = a.filename.includes('.') ? (a.filename.split('.').pop() ?? '') : '';
      const pieceJointeId = await chorus.ajouterFichier({
        pieceJointeFichier: Buffer.from(a.content),
        pieceJointeNom: chorusAttachmentName(a.filename),
        pieceJointeTypeMime: a.contentType,
        pieceJointeExtension: extension.toUpperCase(),
      });
      a.pieceJointeId = String(pieceJointeId);
      await em.flush();
    }
    ids.push(Number(a.pieceJointeId));
  }
  return ids;
}

/** Every activity of `activities`, with Chorus' Retry-After hints applied to what it throws. */
export function withRetryHints<T extends Record<string, (input: never) => Promise<unknown>>>(activities: T): T {
  const wrapped = Object.entries(activities).map(([name, activity]) => [
    name,
    async (input: never) => {
      try {
        return await activity(input);
      } catch (error) {
        throw withRetryHint(error);
      }
    },
  ]);
  return Object.fromEntries(wrapped) as T;
}

/**
 * `platform` reads the public directory (buyers); everything about an invoice goes through `chorusFor` its
 * producer: his own technical account when he has one, else the platform's.
 */
export function createChorusActivities(orm: Orm, platform: ChorusClient, chorusFor: ChorusForProducer, buyers: BuyerDirectory = new BuyerDirectory(platform, { ttlMs: 0 })) {
  /** The client for the invoice's producer, found by our invoice id or, for the lifecycle poll, by Chorus' id. */
  const clientForInvoice = async (em: EntityManager, where: { invoiceId: string } | { identifiantFactureCPP: string }) => {
    const invoice = await em.findOne(Invoice, where);
    return invoice ? (await chorusFor(em, invoice.producerSiret)).client : platform;
  };
  return withRetryHints({
    async describeBuyerOnChorus(input: { buyerSiret: string }): Promise<BuyerOnChorus> {
      const buyer = await buyers.describe(input.buyerSiret);
      return buyer.kind === 'unknown' ? { kind: 'unknown' } : { kind: 'known', designation: buyer.designation, requirement: buyer.requirement };
    },

    /**
     * Deposits the invoice's Factur-X once per business key, and never a second flow for an invoice Chorus
     * already holds: the intent is recorded before the call, the flow number right after; a retry that finds
     * an intent without a flow number (the worker died during the call) searches Chorus by invoice number,
     * and waits `settleMs` for a flow still in processing to show up before depositing again.
     */
    async depositOnChorus(input: DepositInput): Promise<DepositResult> {
      const em = orm.em.fork();
      const invoice = await loadInvoice(em, input.invoiceId);
      if (!invoice.number) throw invoiceDataError(`Invoice ${input.invoiceId} has no number yet.`);
      const deposit: Deposit = { em, input, number: invoice.number };
      const { client: chorus } = await chorusFor(em, invoice.producerSiret);

      const record = await em.findOne(ChorusDeposit, { businessKey: input.businessKey });
      if (record?.numeroFluxDepot) return { numeroFluxDepot: record.numeroFluxDepot, dateDepot: record.dateDepot ?? null };
      const existing = await heldByChorus(deposit, chorus, record, invoice.producerSiret);
      if (existing) return adoptExisting(deposit, record, existing);
      if (record) waitForSettling(deposit, record);
      return depositNow(deposit, chorus, record ?? (await recordIntent(deposit)));
    },

    /** One look at the flow report; "not yet" until the flow reaches a final state. */
    async awaitFlowReport(input: { invoiceId: string; businessKey: string; numeroFluxDepot: string }): Promise<FlowReport> {
      const em = orm.em.fork();
      const invoice = await loadInvoice(em, input.invoiceId);
      const { client: chorus } = await chorusFor(em, invoice.producerSiret);
      const report = await chorus.consulterCRDetaille(input.numeroFluxDepot);
      if (!isFlowFinal(report.etatCourantDepotFlux)) throw notYet(`Flow ${input.numeroFluxDepot} is ${report.etatCourantDepotFlux}.`);

      const number = invoice.number ?? '';
      const found = await chorus.findInvoiceByNumber(number, { siretFournisseur: invoice.producerSiret });
      const outcome: FlowReport = classifyFlowReport({ ...report, numeroFluxDepot: input.numeroFluxDepot }, found, number);
      // The buyer's services or engagement rule may have changed: the next invoice to it looks again.
      if (outcome.outcome === 'REJECTED') buyers.forget(invoice.buyerSiret);
      await em.nativeUpdate(ChorusDeposit, { businessKey: input.businessKey }, depositOutcome(outcome));
      return outcome;
    },

    /** One look at the invoice's Chorus history; "not yet" while nothing new happened (or the sync just saw it). */
    async awaitChorusStatusChange(input: StatusChangeInput): Promise<StatusChange> {
      const em = orm.em.fork();
      await skipSafetyLookIfSeen(em, input);
      const chorus = await clientForInvoice(em, { identifiantFactureCPP: input.identifiantFactureCPP });
      const answer = await chorus.consulterHistorique(Number(input.identifiantFactureCPP));
      const entries = answer.historiquesDesStatuts.histoStatut;
      if (entries.length <= input.knownCount && answer.statutCourantCode === input.knownStatus) {
        throw notYet(`Invoice ${input.identifiantFactureCPP} is still ${answer.statutCourantCode}.`);
      }
      const now = new Date();
      const newEntries = entriesSince(entries, input.knownCount, input.knownStatus).map((e) => ({
        code: e.histoStatutCode,
        at: chorusDateToIso(e.histoStatutDatePassage, now),
        comment: e.histoStatutCommentaire ?? null,
      }));
      return { statutCourantCode: answer.statutCourantCode, totalCount: entries.length, newEntries };
    },

    /** Recycles once: when Chorus no longer says A_RECYCLER, an earlier attempt already did it. */
    async recycleOnChorus(input: RecycleOnChorusInput): Promise<void> {
      const id = Number(input.identifiantFactureCPP);
      const chorus = await clientForInvoice(orm.em.fork(), { invoiceId: input.invoiceId });
      const current = await chorus.consulterHistorique(id);
      if (current.statutCourantCode !== 'A_RECYCLER') return;
      await chorus.recycler({
        identifiantFactureCPP: id,
        destinataire: { codeDestinataire: input.buyerSiret, ...(input.serviceCode ? { codeServiceExecutant: input.serviceCode } : {}) },
        ...(input.engagementCode ? { numeroEngagement: input.engagementCode } : {}),
        commentaire: 'Recyclage demandé par le fournisseur via Agrilocal',
      });
    },

    /** Uploads the attachments of a completion (`ajouter/fichier`), each once: its `pieceJointeId` is kept. */
    async uploadAttachments(input: UploadAttachmentsInput): Promise<void> {
      const em = orm.em.fork();
      await uploadMissing(em, await clientForInvoice(em, { invoiceId: input.invoiceId }), input);
    },

    /**
     * Completes the invoice (`completer`) with its uploaded attachments, unless Chorus no longer says SUSPENDUE
     * (an earlier attempt completed it). Workflows started before `uploadAttachments` existed call this alone:
     * it still uploads any attachment not uploaded yet (nothing, after `uploadAttachments`).
     */
    async completeOnChorus(input: CompleteOnChorusInput): Promise<void> {
      const em = orm.em.fork();
      const id = Number(input.identifiantFactureCPP);
      const chorus = await clientForInvoice(em, { invoiceId: input.invoiceId });
      const current = await chorus.consulterHistorique(id);
      if (current.statutCourantCode !== 'SUSPENDUE') return;
      const ids = await uploadMissing(em, chorus, input);
      await chorus.completer({ identifiantFactureCPP: id, ...(input.comment ? { commentaire: input.comment } : {}), pieceJointeIds: ids });
    },
  });
}
