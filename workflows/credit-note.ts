/**
 * The story of one credit note (workflow id `credit-note-{orderId}-{n}`), started by the invoice it cancels:
 * 1. Render its Factur-X (type 381) -> A_TRAITER.
 * 2. Route CHORUS (a public buyer whose invoice reached Chorus): deposit, flow report, integrated ->
 *    DEPOSEE_CHORUS, then the Chorus lifecycle like an invoice. A rejected flow or Chorus failing past the
 *    failure budget -> the buyer gets it by mail (it must reach him either way).
 * 3. Route MAIL: the buyer gets it by mail at once.
 * No producer action: the credit note cancels an invoice the producer already decided to cancel.
 */
import { setHandler } from '@temporalio/workflow';
import type { FlowReport, MailReason } from '../activities/types';
import { attemptMsOf, chorusWithinBudget, documents, flowReportPolling, mail, outcomeOf, records } from './activity-options';
import { RequestInbox } from './inbox';
import { InvoiceRun, type StoryContext } from './invoice-state';
import { followLifecycle } from './lifecycle';
import { getInvoiceQuery, type CreditNoteWorkflowInput, type InvoiceState } from './messages';

export async function creditNoteWorkflow(input: CreditNoteWorkflowInput): Promise<InvoiceState> {
  const attemptMs = attemptMsOf(input.timing);
  const inbox = new RequestInbox();
  const run = new InvoiceRun(input, inbox, { recordStatus: records(attemptMs).recordStatus, sendMail: mail(attemptMs).sendMail });
  setHandler(getInvoiceQuery, () => run.state());
  const story: StoryContext = { input, timing: input.timing, attemptMs, run, inbox };
  if (input.resume) {
    await followLifecycle(story);
    return run.state();
  }
  const { number, cancels, route } = input.creditNote;
  run.number = number;
  await documents(attemptMs).renderInvoiceDocument({ invoiceId: input.invoiceId });
  await run.record('A_TRAITER', null, `Avoir ${number} émis : annule la facture ${cancels}`, { number });
  if (route === 'MAIL') {
    await mailToBuyer(story, 'PRODUCER_CHOICE', 'ENVOYEE_MAIL', "Avoir envoyé par mail à l'acheteur (la facture annulée n'est pas passée par Chorus Pro)");
    return run.state();
  }
  if (await depositOnChorus(story)) await followLifecycle(story);
  return run.state();
}

async function mailToBuyer({ run }: StoryContext, reason: MailReason, status: 'ENVOYEE_MAIL' | 'ENVOYEE_MAIL_ECHEC_CHORUS', detail: string): Promise<void> {
  await run.mail('CREDIT_NOTE_TO_BUYER', reason);
  await run.record(status, null, detail);
}

/** One deposit (business key `…:deposit:1`); true once integrated, false when it went by mail instead. */
async function depositOnChorus(s: StoryContext): Promise<boolean> {
  const { run, input, timing } = s;
  const budgetEnds = Date.now() + timing.chorusFailureBudgetMs;
  const businessKey = `${input.invoiceId}:deposit:1`;
  const settleMs = timing.depositSettleMs ?? timing.flowPollMs * 10;
  const deposit = await outcomeOf(() => chorusWithinBudget(s.attemptMs, budgetEnds).depositOnChorus({ invoiceId: input.invoiceId, businessKey, settleMs }));
  if (!deposit.ok) {
    await mailToBuyer(s, 'CHORUS_FAILURE', 'ENVOYEE_MAIL_ECHEC_CHORUS', "Échec de la transmission à Chorus Pro (dépôt du flux) : avoir envoyé par mail");
    return false;
  }
  const { numeroFluxDepot, adoptedIdentifiantFactureCPP } = deposit.value;
  run.numeroFluxDepot = numeroFluxDepot;
  await run.record('EN_ATTENTE_TRAITEMENT', null, `Flux ${numeroFluxDepot} déposé sur Chorus Pro`, { numeroFluxDepot });
  const report = adoptedIdentifiantFactureCPP
    ? ({ outcome: 'INTEGRATED', etat: 'IN_INTEGRE', identifiantFactureCPP: adoptedIdentifiantFactureCPP } satisfies FlowReport)
    : await flowReportOf(s, businessKey, numeroFluxDepot);
  if (report.outcome === 'REJECTED') {
    run.chorusErrors = report.errors;
    await run.record('REJETEE_CHORUS', null, `Flux ${report.etat} : ${report.errors.join(' | ')}`, { chorusErrors: report.errors });
    await mailToBuyer(s, 'CHORUS_FAILURE', 'ENVOYEE_MAIL_ECHEC_CHORUS', 'Flux rejeté par Chorus Pro : avoir envoyé par mail');
    return false;
  }
  run.identifiantFactureCPP = report.identifiantFactureCPP;
  run.depositedAt = Date.now();
  await run.record('DEPOSEE_CHORUS', 'DEPOSEE', `Avoir intégré dans Chorus Pro (n° ${report.identifiantFactureCPP})`, {
    identifiantFactureCPP: report.identifiantFactureCPP,
  });
  return true;
}

async function flowReportOf(s: StoryContext, businessKey: string, numeroFluxDepot: string): Promise<FlowReport> {
  const polled = await outcomeOf(() => flowReportPolling(s.attemptMs, s.timing).awaitFlowReport({ invoiceId: s.input.invoiceId, businessKey, numeroFluxDepot }));
  return polled.ok ? polled.value : { outcome: 'REJECTED', etat: 'INCONNU', errors: ["Chorus Pro n'a pas rendu de compte rendu de traitement du flux"] };
}
