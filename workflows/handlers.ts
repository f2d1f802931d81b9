/**
 * The invoice's messages: one query, the lifecycle sync's signal, and the Updates producers and the platform
 * send. Each validator refuses at once what the invoice does not allow now; an accepted Update goes to the inbox
 * and answers when the story has handled it (see inbox.ts).
 */
import { setHandler } from '@temporalio/workflow';
import { completeIssues } from '../domain/actions';
import { cancellationRefusal } from '../domain/credit-notes';
import { deliveredLinesIssues } from '../domain/order';
import type { InvoiceAction } from '../domain/statuses';
import type { Request, RequestInbox } from './inbox';
import type { InvoiceRun } from './invoice-state';
import {
  archiveUpdate,
  cancelOrderUpdate,
  chorusStatusMovedSignal,
  completeUpdate,
  getInvoiceQuery,
  markProcessedUpdate,
  recycleUpdate,
  reissueUpdate,
  sendInvoiceUpdate,
  validateQuantitiesUpdate,
  type CompleteInput,
  type InvoiceState,
  type QuantityValidationInput,
  type SendInput,
} from './messages';
import { refuse, refuseAction, refuseBusy, standing } from './refusals';

export function wireHandlers(run: InvoiceRun, inbox: RequestInbox): void {
  const submit = async (request: Request): Promise<InvoiceState> => {
    await inbox.submit(request);
    return run.state();
  };
  /** Shared by every validator: one request at a time, and only what the state allows. */
  const requireAction = (action: InvoiceAction | 'VALIDATE' | 'CANCEL'): void => {
    if (inbox.busy) throw refuseBusy(run);
    const allowed =
      action === 'VALIDATE' || action === 'CANCEL' ? run.status === 'EN_ATTENTE_VALIDATION' : run.actions().includes(action);
    if (!allowed) throw refuseAction(run, action);
  };

  setHandler(getInvoiceQuery, () => run.state());
  // Only a hint: the story reads the status history itself, unless the status named is already the invoice's.
  setHandler(chorusStatusMovedSignal, (moved) => {
    run.statusMovedSignals += 1;
    run.lastSignalledStatus = moved?.statut ?? null;
  });
  setHandler(validateQuantitiesUpdate, (input) => submit({ kind: 'VALIDATE', input }), {
    validator: (input: QuantityValidationInput) => {
      requireAction('VALIDATE');
      const details = deliveredLinesIssues(run.input.lines, input.lines);
      if (details.length > 0) throw refuse('VALIDATION_ERROR', 'Les quantités livrées ne correspondent pas à la commande.', { details });
    },
  });
  setHandler(cancelOrderUpdate, (input) => submit({ kind: 'CANCEL', reason: input.reason }), {
    validator: (_input) => requireAction('CANCEL'),
  });
  setHandler(sendInvoiceUpdate, (input) => submit({ kind: 'SEND', input }), {
    validator: (input: SendInput) => requireAction(input.channel === 'CHORUS' ? 'SEND_CHORUS' : 'SEND_EMAIL'),
  });
  setHandler(markProcessedUpdate, () => submit({ kind: 'MARK_PROCESSED' }), { validator: () => requireAction('MARK_PROCESSED') });
  setHandler(archiveUpdate, () => submit({ kind: 'ARCHIVE' }), { validator: () => requireAction('ARCHIVE') });
  setHandler(recycleUpdate, (input) => submit({ kind: 'RECYCLE', input }), { validator: (_input) => requireAction('RECYCLE') });
  setHandler(reissueUpdate, (input) => submit({ kind: 'REISSUE', input }), {
    validator: (_input) => {
      if (inbox.busy) throw refuseBusy(run);
      const why = cancellationRefusal({ documentType: 'INVOICE', status: run.status, chorusStatus: run.chorusStatus });
      if (why) throw refuse('INVALID_STATE', why, standing(run));
    },
  });
  setHandler(completeUpdate, (input) => submit({ kind: 'COMPLETE', input }), {
    validator: (input: CompleteInput) => {
      requireAction('COMPLETE');
      const details = completeIssues({ comment: input.comment, attachmentCount: input.attachmentIds.length });
      if (details.length > 0) throw refuse('VALIDATION_ERROR', 'Joignez au moins une pièce ou un commentaire pour compléter la facture.', { details });
    },
  });
}
