/**
 * Step 3 of the story: who gets the invoice. A private buyer gets it by mail at once; for a public buyer the
 * producer decides (reminded while he waits): Chorus Pro, mail, "traitée" (deposited on the portal himself),
 * or archive. Processed invoices then stay archivable for a while. Until then, an invoice "à traiter", rejected
 * or mailed may be cancelled by a credit note (and replaced): reissue.ts.
 */
import { allHandlersFinished, condition } from '@temporalio/workflow';
import { sendThroughChorus } from './chorus-path';
import type { Taken } from './inbox';
import type { StoryContext } from './invoice-state';
import type { InvoiceState } from './messages';
import { refuseOutOfPhase } from './refusals';
import { reissue } from './reissue';

/** Where the story goes once the producer has decided. */
export type AfterDecision = 'FOLLOW_LIFECYCLE' | 'AWAIT_ARCHIVE' | 'END';

const MAX_REMINDERS = 3;

export async function mailToPrivateBuyer({ run }: StoryContext): Promise<void> {
  await run.mail('INVOICE_TO_BUYER', 'PRIVATE_BUYER');
  await run.record('ENVOYEE_MAIL', null, 'Acheteur privé : facture envoyée automatiquement par mail');
}

export async function awaitProducerDecision(s: StoryContext): Promise<AfterDecision> {
  await s.run.mail('PRODUCER_INVOICE_READY');
  let reminders = 0;
  for (;;) {
    const taken = await s.inbox.next(reminders < MAX_REMINDERS ? s.timing.reminderAfterMs : undefined);
    if (!taken) {
      reminders += 1;
      await s.run.mail('PRODUCER_REMINDER');
      continue;
    }
    const next = await decide(s, taken);
    if (next !== 'DECIDE_AGAIN') return next;
  }
}

async function decide(s: StoryContext, taken: Taken): Promise<AfterDecision | 'DECIDE_AGAIN'> {
  const { run, inbox } = s;
  const request = taken.request;
  switch (request.kind) {
    case 'MARK_PROCESSED':
      await run.record('TRAITEE_MANUELLEMENT', null, 'Déposée sur le portail Chorus Pro par le producteur');
      inbox.answer(taken);
      return 'AWAIT_ARCHIVE';
    case 'ARCHIVE':
      await run.record('ARCHIVEE', null, 'Archivée par le producteur');
      inbox.answer(taken);
      return 'END';
    case 'SEND':
      if (request.input.channel === 'EMAIL') {
        await run.mail('INVOICE_TO_BUYER', 'PRODUCER_CHOICE');
        await run.record('ENVOYEE_MAIL', null, "Envoyée par mail à l'acheteur");
        inbox.answer(taken);
        return 'AWAIT_ARCHIVE';
      }
      switch (await sendThroughChorus(s, taken, request.input)) {
        case 'DEPOSITED':
          return 'FOLLOW_LIFECYCLE';
        case 'MAILED':
          return 'AWAIT_ARCHIVE';
        case 'BACK_TO_PRODUCER':
          return 'DECIDE_AGAIN';
      }
      break;
    case 'REISSUE':
      return (await reissue(s, taken, request.input)) ? 'END' : 'DECIDE_AGAIN';
    default:
      inbox.answer(taken, refuseOutOfPhase(run, request));
  }
  return 'DECIDE_AGAIN';
}

/** Processed invoices stay archivable for the lifecycle's maximum age, then the workflow ends. */
export async function awaitArchive(s: StoryContext): Promise<InvoiceState> {
  const { run, inbox, timing } = s;
  let taken = await inbox.next(timing.lifecycleMaxAgeMs);
  // A cancellation by credit note ends the story; one refused (its data) leaves the invoice waiting as before.
  while (taken?.request.kind === 'REISSUE') {
    if (await reissue(s, taken, taken.request.input)) break;
    taken = await inbox.next(timing.lifecycleMaxAgeMs);
  }
  if (taken && taken.request.kind !== 'REISSUE') {
    if (taken.request.kind === 'ARCHIVE') {
      await run.record('ARCHIVEE', run.chorusStatus, 'Archivée par le producteur');
      inbox.answer(taken);
    } else {
      inbox.answer(taken, refuseOutOfPhase(run, taken.request));
    }
  }
  await condition(allHandlersFinished);
  return run.state();
}
