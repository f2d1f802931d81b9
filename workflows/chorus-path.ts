/**
 * The Chorus path of step 3: checks, buyer lookup (unknown -> mail), deposit, flow report (rejected -> back to
 * the producer), integrated -> DEPOSEE_CHORUS. Chorus failing past the failure budget -> mail.
 *
 * The producer's Update answers once the invoice has left A_TRAITER (deposited, mailed) or was refused; the
 * flow report comes after that answer.
 */
import { RetryState } from '@temporalio/common';
import { patched, TimeoutFailure } from '@temporalio/workflow';
import type { FlowReport } from '../activities/types';
import { chorusWithinBudget, documents, flowReportMaxAgeOf, flowReportPolling, outcomeOf, records } from './activity-options';
import type { Taken } from './inbox';
import type { StoryContext } from './invoice-state';
import type { SendInput } from './messages';
import { refuse } from './refusals';

export type ChorusPathEnd = 'DEPOSITED' | 'MAILED' | 'BACK_TO_PRODUCER';

interface Sending {
  s: StoryContext;
  taken: Taken;
  /** Workflow time past which Chorus failures send the invoice by mail. */
  budgetEnds: number;
}

export async function sendThroughChorus(s: StoryContext, taken: Taken, send: SendInput): Promise<ChorusPathEnd> {
  const engagementCode = await engagementCodeIfSendable(s, taken, send);
  if (engagementCode === false) return 'BACK_TO_PRODUCER';
  const sending: Sending = { s, taken, budgetEnds: Date.now() + s.timing.chorusFailureBudgetMs };
  // Runs started before the check existed go straight to the buyer lookup (their histories have no such call).
  if (patched('chorus-attachment-check') && !(await technicalAccountMayDeposit(sending))) return 'BACK_TO_PRODUCER';

  const buyer = await outcomeOf(() => chorusWithinBudget(s.attemptMs, sending.budgetEnds).describeBuyerOnChorus({ buyerSiret: s.run.buyerSiret }));
  if (!buyer.ok) return mailAfterChorusFailure(sending, 'recherche de la structure');
  if (buyer.value.kind === 'unknown') return mailToUnknownBuyer(s, taken);
  const { requirement, designation } = buyer.value;
  if ((requirement === 'engagement' || requirement === 'service_and_engagement') && !engagementCode) {
    const message = `${designation} exige un code d'engagement sous Chorus Pro : indiquez-le pour envoyer la facture.`;
    s.inbox.answer(taken, refuse('ENGAGEMENT_CODE_REQUIRED', message, { status: s.run.status }));
    return 'BACK_TO_PRODUCER';
  }
  await keepEngagementCode(s, engagementCode);
  return depositAndAwaitIntegration(sending);
}

/**
 * Chorus rejects a flow whose seller is not attached to our technical account: say so before depositing, and
 * the invoice stays "à traiter". When Chorus cannot answer, the deposit path goes on and handles it.
 */
async function technicalAccountMayDeposit({ s, taken, budgetEnds }: Sending): Promise<boolean> {
  const checked = await outcomeOf(() => chorusWithinBudget(s.attemptMs, budgetEnds).checkChorusAttachment({ producerSiret: s.input.producerSiret }));
  if (!checked.ok) return true;
  if (checked.value.passwordExpired) {
    const expired =
      "Le mot de passe du compte technique Chorus Pro d'Agrilocal a expiré : l'envoi par Chorus Pro est suspendu le temps " +
      "qu'Agrilocal le renouvelle. Vous pouvez envoyer la facture par mail, ou réessayer plus tard.";
    s.inbox.answer(taken, refuse('CHORUS_PASSWORD_EXPIRED', expired, { status: s.run.status, allowedActions: s.run.actions() }));
    return false;
  }
  if (checked.value.attached) return true;
  const message =
    `Votre structure (SIRET ${s.input.producerSiret}) n'est pas rattachée au compte technique Agrilocal sur Chorus Pro : ` +
    "sur le portail Chorus Pro, demandez le rattachement de votre structure au compte technique d'Agrilocal " +
    "(rubrique « Gestion des rattachements »), puis renvoyez la facture. En attendant, vous pouvez l'envoyer par mail.";
  s.inbox.answer(taken, refuse('CHORUS_ACCOUNT_NOT_ATTACHED', message, { status: s.run.status, allowedActions: s.run.actions() }));
  return false;
}

/** The engagement code to send with (null: none needed so far), or false when the Update was refused. */
async function engagementCodeIfSendable({ run, inbox, input, attemptMs }: StoryContext, taken: Taken, send: SendInput): Promise<string | null | false> {
  const profile = await records(attemptMs).loadProducerProfile({ siret: input.producerSiret });
  if (!profile?.chorusEnabled) {
    const message = "Le flux de facturation vers Chorus Pro n'est pas ouvert dans le profil du producteur.";
    inbox.answer(taken, refuse('CHORUS_NOT_ENABLED', message, { status: run.status, allowedActions: run.actions().filter((a) => a !== 'SEND_CHORUS') }));
    return false;
  }
  const engagementCode = send.engagementCode ?? run.engagementCode;
  if (input.engagementCodeRequired && !engagementCode) {
    const message = "L'acheteur exige un code d'engagement : indiquez-le pour envoyer la facture.";
    inbox.answer(taken, refuse('ENGAGEMENT_CODE_REQUIRED', message, { status: run.status }));
    return false;
  }
  return engagementCode;
}

/** The engagement code is part of the Factur-X (BT-13): a new one is stored, then the document rendered again. */
async function keepEngagementCode({ run, input, attemptMs }: StoryContext, engagementCode: string | null): Promise<void> {
  if (engagementCode === run.engagementCode) return;
  await run.recordDetail("Code d'engagement renseigné", { engagementCode });
  run.engagementCode = engagementCode;
  await documents(attemptMs).renderInvoiceDocument({ invoiceId: input.invoiceId });
}

async function mailToUnknownBuyer({ run, inbox }: StoryContext, taken: Taken): Promise<'MAILED'> {
  await run.mail('INVOICE_TO_BUYER', 'BUYER_UNKNOWN_ON_CHORUS');
  await run.record('ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE', null, `SIRET ${run.buyerSiret} inconnu de Chorus Pro : facture envoyée par mail`);
  inbox.answer(taken);
  return 'MAILED';
}

/** The Update answers once the buyer's mail is recorded; the producer's copy follows. */
async function mailAfterChorusFailure({ s, taken }: Sending, why: string): Promise<'MAILED'> {
  await s.run.mail('INVOICE_TO_BUYER', 'CHORUS_FAILURE');
  await s.run.record('ENVOYEE_MAIL_ECHEC_CHORUS', null, `Échec de la transmission à Chorus Pro (${why}) : facture envoyée par mail`);
  s.inbox.answer(taken);
  await s.run.mail('PRODUCER_SENT_BY_MAIL_FALLBACK', 'CHORUS_FAILURE');
  return 'MAILED';
}

async function depositAndAwaitIntegration(sending: Sending): Promise<ChorusPathEnd> {
  const { s, taken } = sending;
  const { run, input, timing } = s;
  run.depositAttempts += 1;
  const businessKey = `${input.invoiceId}:deposit:${run.depositAttempts}`;
  const settleMs = timing.depositSettleMs ?? timing.flowPollMs * 10;
  const deposit = await outcomeOf(() =>
    chorusWithinBudget(s.attemptMs, sending.budgetEnds).depositOnChorus({ invoiceId: input.invoiceId, businessKey, settleMs }),
  );
  if (!deposit.ok) return mailAfterChorusFailure(sending, 'dépôt du flux');
  const { numeroFluxDepot, adoptedIdentifiantFactureCPP } = deposit.value;
  run.numeroFluxDepot = numeroFluxDepot;
  run.chorusErrors = [];
  await run.record('EN_ATTENTE_TRAITEMENT', null, `Flux ${numeroFluxDepot} déposé sur Chorus Pro`, { numeroFluxDepot, chorusErrors: null });
  s.inbox.answer(taken);

  const report: FlowReport =
    adoptedIdentifiantFactureCPP ?
      { outcome: 'INTEGRATED', etat: 'IN_INTEGRE', identifiantFactureCPP: adoptedIdentifiantFactureCPP }
    : await flowReport(s, businessKey, numeroFluxDepot);
  if (report.outcome === 'REJECTED') {
    run.chorusErrors = report.errors;
    await run.record('REJETEE_CHORUS', null, `Flux ${report.etat} : ${report.errors.join(' | ')}`, { chorusErrors: report.errors });
    await run.mail('PRODUCER_FLOW_REJECTED');
    return 'BACK_TO_PRODUCER';
  }
  run.identifiantFactureCPP = report.identifiantFactureCPP;
  run.depositedAt = Date.now();
  await run.record('DEPOSEE_CHORUS', 'DEPOSEE', `Facture intégrée dans Chorus Pro (n° ${report.identifiantFactureCPP})`, {
    identifiantFactureCPP: report.identifiantFactureCPP,
  });
  return 'DEPOSITED';
}

/**
 * Polled through activity retries (no history growth while Chorus works). No report at all counts as rejected;
 * a flow still unprocessed after its maximum age is given up, and the producer is told to look at the portal.
 */
async function flowReport(s: StoryContext, businessKey: string, numeroFluxDepot: string): Promise<FlowReport> {
  const polled = await outcomeOf(() =>
    flowReportPolling(s.attemptMs, s.timing).awaitFlowReport({ invoiceId: s.input.invoiceId, businessKey, numeroFluxDepot }),
  );
  if (polled.ok) return polled.value;
  // Out of time: either the timeout itself, or the last "not yet" when the next poll would come too late.
  if (polled.error.cause instanceof TimeoutFailure || polled.error.retryState === RetryState.TIMEOUT) {
    const days = Math.max(1, Math.round(flowReportMaxAgeOf(s.timing) / 86_400_000));
    const error = `Chorus Pro n'a pas fini de traiter le flux ${numeroFluxDepot} après ${days} jour${days > 1 ? 's' : ''} : vérifiez son état sur le portail Chorus Pro avant de renvoyer la facture`;
    return { outcome: 'REJECTED', etat: 'SANS_COMPTE_RENDU', errors: [error] };
  }
  return { outcome: 'REJECTED', etat: 'INCONNU', errors: ["Chorus Pro n'a pas rendu de compte rendu de traitement du flux"] };
}
