/**
 * Steps 1 and 2 of the story: the order waits for its delivered quantities (or a cancellation), then the
 * invoice is built: totals, number, data checked -> A_TRAITER (answered), then its Factur-X is drawn.
 */
import { patched, upsertSearchAttributes } from '@temporalio/workflow';
import { parisDate } from '../domain/dates';
import { documents, localRecords, outcomeOf, reasonOf, records } from './activity-options';
import type { Taken } from './inbox';
import type { StoryContext } from './invoice-state';
import type { QuantityValidationInput } from './messages';
import { refuse, refuseOutOfPhase } from './refusals';
import { searchAttributeUpdates } from './search-attributes';

export async function openOrder({ run }: StoryContext): Promise<void> {
  // Written before the first record (which upserts the same keys): the order of commands is the contract that
  // recorded histories replay against, so it stays.
  upsertSearchAttributes(searchAttributeUpdates({ status: run.status, chorusStatus: null, number: null }));
  await run.record('EN_ATTENTE_VALIDATION', null, 'Commande reçue');
}

/** Until the quantities make an invoice, or the order is cancelled. */
export async function awaitQuantities(s: StoryContext): Promise<'INVOICED' | 'CANCELLED'> {
  for (;;) {
    const taken = await s.inbox.next();
    const request = taken.request;
    if (request.kind === 'CANCEL') {
      await cancelOrder(s, taken, request.reason);
      return 'CANCELLED';
    }
    if (request.kind !== 'VALIDATE') {
      s.inbox.answer(taken, refuseOutOfPhase(s.run, request));
      continue;
    }
    if (await invoiceTheDelivery(s, taken, request.input)) return 'INVOICED';
  }
}

async function cancelOrder({ run, inbox }: StoryContext, taken: Taken, reason: string | undefined): Promise<void> {
  await run.record('ANNULEE', null, reason ? `Commande annulée : ${reason}` : 'Commande annulée', { cancelReason: reason ?? null });
  inbox.answer(taken);
}

/**
 * Builds the invoice; false when its data cannot make a legal invoice (refused, the order waits). The validation
 * is answered once the number and totals are recorded and the data checked; the Factur-X is drawn right after,
 * before anything that needs it (mail, sending, the PDF route answers 409 DOCUMENT_NOT_READY meanwhile).
 */
async function invoiceTheDelivery(s: StoryContext, taken: Taken, validation: QuantityValidationInput): Promise<boolean> {
  const { run, input } = s;
  const issueDate = parisDate(new Date());
  const answersBeforeRendering = patched('fast-quantity-validation');
  const acts = answersBeforeRendering ? localRecords(s.attemptMs) : records(s.attemptMs);
  const built = await outcomeOf(async () => {
    const invoice = await acts.buildInvoice({ invoiceId: input.invoiceId, validatedBy: validation.validatedBy, deliveredLines: validation.lines, issueDate });
    run.number = await acts.assignInvoiceNumber({ invoiceId: input.invoiceId, producerSiret: input.producerSiret, issueDate });
    if (answersBeforeRendering) await acts.checkInvoiceDocument({ invoiceId: input.invoiceId });
    else await acts.renderInvoiceDocument({ invoiceId: input.invoiceId });
    return invoice;
  });
  if (!built.ok) {
    // e.g. VAT charged without the seller's VAT number.
    s.inbox.answer(taken, refuse('INVOICE_DATA_INVALID', reasonOf(built.error), { status: run.status }));
    return false;
  }
  upsertSearchAttributes(searchAttributeUpdates({ amountTtcCents: built.value.amountTtcCents }));
  const by = validation.validatedBy === 'PRODUCER' ? 'le producteur' : "l'acheteur";
  const created = `Quantité livrée validée par ${by} ; facture ${run.number} créée`;
  await run.record('A_TRAITER', null, created, { number: run.number ?? undefined }, undefined, answersBeforeRendering ? acts.recordStatus : undefined);
  s.inbox.answer(taken);
  if (answersBeforeRendering) await documents(s.attemptMs).renderInvoiceDocument({ invoiceId: input.invoiceId });
  return true;
}

/** A replacement invoice, numbered and built with its credit note: its document, then A_TRAITER. */
export async function openIssued({ run, input, attemptMs }: StoryContext, issued: { number: string; replaces: string }): Promise<void> {
  run.number = issued.number;
  await documents(attemptMs).renderInvoiceDocument({ invoiceId: input.invoiceId });
  await run.record('A_TRAITER', null, `Facture ${issued.number} créée : remplace la facture ${issued.replaces}, annulée par avoir`, { number: issued.number });
}
