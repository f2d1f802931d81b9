/**
 * Cancelling an issued invoice: one durable step issues the credit note (and the replacement invoice, unless the
 * order is cancelled), each numbered in the producer's series; each then has its own workflow, started here and
 * left to run when this one ends. The original records "Annulée par l'avoir … ; remplacée par la facture …".
 */
import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { parisDate } from '../domain/dates';
import { cancelledDetail } from '../domain/credit-notes';
import { outcomeOf, reasonOf, records } from './activity-options';
import type { Taken } from './inbox';
import type { StoryContext } from './invoice-state';
import {
  CREDIT_NOTE_WORKFLOW_TYPE,
  INVOICE_WORKFLOW_TYPE,
  type CreditNoteWorkflowInput,
  type InvoiceWorkflow,
  type InvoiceWorkflowInput,
  type ReissueInput,
} from './messages';
import { refuse } from './refusals';
import { BuyerSiretKey, InvoiceStatusKey, OrderIdKey, ProducerSiretKey } from './search-attributes';

/** Serves a REISSUE request; true when the invoice is cancelled (its story ends). */
export async function reissue(s: StoryContext, taken: Taken, request: ReissueInput): Promise<boolean> {
  const { run, input, inbox } = s;
  const issued = await outcomeOf(() =>
    records(s.attemptMs).issueCreditNote({
      invoiceId: input.invoiceId,
      issueKey: request.issueKey,
      issueDate: parisDate(new Date()),
      reason: request.reason ?? null,
      replacement: request.replacement,
    }),
  );
  if (!issued.ok) {
    inbox.answer(taken, refuse('INVOICE_DATA_INVALID', reasonOf(issued.error), { status: run.status }));
    return false;
  }
  const { creditNote, replacement } = issued.value;
  await startDocument<CreditNoteWorkflowInput>(CREDIT_NOTE_WORKFLOW_TYPE, creditNote.workflowId, {
    ...documentInput(s, creditNote.invoiceId),
    creditNote: { number: creditNote.number, cancels: run.number ?? '', route: creditNote.route },
  });
  if (replacement) {
    await startDocument<InvoiceWorkflowInput>(INVOICE_WORKFLOW_TYPE, replacement.workflowId, {
      ...documentInput(s, replacement.invoiceId),
      buyerSiret: replacement.buyerSiret,
      buyerKind: replacement.buyerKind,
      ...replacementCodes(request),
      issued: { number: replacement.number, replaces: run.number ?? '' },
    });
  }
  const detail = cancelledDetail(creditNote.number, replacement?.number ?? null, request.reason ?? null);
  await run.record('ANNULEE_PAR_AVOIR', run.chorusStatus, detail, { cancelReason: request.reason ?? null });
  inbox.answer(taken);
  return true;
}

/** The new document's workflow input: the original's, under its own id (no resume, no earlier issue). */
function documentInput({ input }: StoryContext, invoiceId: string): InvoiceWorkflowInput {
  const { resume: _resume, issued: _previous, ...rest } = input;
  return { ...rest, invoiceId };
}

function replacementCodes({ replacement }: ReissueInput): Partial<InvoiceWorkflowInput> {
  if (!replacement) return {};
  return {
    ...(replacement.serviceCode !== undefined ? { serviceCode: replacement.serviceCode } : {}),
    ...(replacement.engagementCode !== undefined ? { engagementCode: replacement.engagementCode } : {}),
    ...(replacement.marketNumber !== undefined ? { marketNumber: replacement.marketNumber } : {}),
  };
}

/** Started once (a replayed start is the same command), and left running when this invoice's story ends. */
async function startDocument<I extends InvoiceWorkflowInput>(type: string, workflowId: string, input: I): Promise<void> {
  await startChild<(i: I) => ReturnType<InvoiceWorkflow>>(type, {
    workflowId,
    args: [input],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    typedSearchAttributes: [
      { key: OrderIdKey, value: input.orderId },
      { key: ProducerSiretKey, value: input.producerSiret },
      { key: BuyerSiretKey, value: input.buyerSiret },
      { key: InvoiceStatusKey, value: 'A_TRAITER' },
    ],
  });
}
