/**
 * The story of one invoice, from the order to payment (workflow id `invoice-{orderId}`).
 *
 * 1. Wait for the delivered quantities (validated by the producer or the buyer), or a cancellation.
 * 2. Build the invoice (number, totals, Factur-X PDF) -> A_TRAITER.
 * 3. A private buyer gets it by mail at once. For a public buyer the producer is told, then decides (reminded
 *    while he waits): Chorus Pro, mail, "traitée" (deposited on the portal himself), or archive. Chorus path:
 *    buyer lookup (unknown -> mail), deposit, flow report (rejected -> back to the producer), integrated ->
 *    DEPOSEE_CHORUS; Chorus failing past the failure budget -> mail.
 * 4. Follow the Chorus lifecycle until payment is issued (or rejection, or the maximum age), asking the
 *    producer to recycle or complete the invoice when Chorus says so.
 * 5. Stay archivable for a while, then end.
 * Until it is paid or handed to Chorus, an invoice may be cancelled by a credit note and replaced (reissue.ts): its
 * story then ends, and the credit note (credit-note.ts) and the replacement (this story, from step 3) go on.
 *
 * Producer actions are Updates (handlers.ts): validators refuse at once what the state does not allow, the
 * steps below do the work, and each Update answers when its work has moved the invoice on (inbox.ts).
 */
import { attemptMsOf, mail, records } from './activity-options';
import { awaitArchive, awaitProducerDecision, mailToPrivateBuyer } from './decision';
import { wireHandlers } from './handlers';
import { RequestInbox } from './inbox';
import { InvoiceRun, type StoryContext } from './invoice-state';
import { followLifecycle } from './lifecycle';
import type { InvoiceState, InvoiceWorkflowInput } from './messages';
import { awaitQuantities, openIssued, openOrder } from './quantities';

export async function invoiceWorkflow(input: InvoiceWorkflowInput): Promise<InvoiceState> {
  const attemptMs = attemptMsOf(input.timing);
  const inbox = new RequestInbox();
  const run = new InvoiceRun(input, inbox, { recordStatus: records(attemptMs).recordStatus, sendMail: mail(attemptMs).sendMail });
  wireHandlers(run, inbox);
  const story: StoryContext = { input, timing: input.timing, attemptMs, run, inbox };

  if (input.resume) {
    // Continued as new during the lifecycle: take up where the previous run stopped.
    await followLifecycle(story);
    return awaitArchive(story);
  }

  if (input.issued) {
    // A replacement invoice: issued with the credit note that cancels the one it replaces, then the usual path.
    await openIssued(story, input.issued);
  } else {
    await openOrder(story);
    if ((await awaitQuantities(story)) === 'CANCELLED') return run.state();
  }

  if (input.buyerKind === 'PRIVATE') {
    await mailToPrivateBuyer(story);
    return awaitArchive(story);
  }

  switch (await awaitProducerDecision(story)) {
    case 'END':
      return run.state();
    case 'FOLLOW_LIFECYCLE':
      await followLifecycle(story);
      return awaitArchive(story);
    case 'AWAIT_ARCHIVE':
      return awaitArchive(story);
  }
}
