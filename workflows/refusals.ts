/**
 * How the invoice workflow refuses: an ApplicationFailure whose `type` is a refusal code (mapped to HTTP by
 * the API) and whose message the producer reads, in French.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import type { RefusalCode, RefusalDetails } from '../domain/refusals';
import { refusedActionMessage } from '../domain/actions';
import type { InvoiceAction } from '../domain/statuses';
import type { Request } from './inbox';
import type { InvoiceRun } from './invoice-state';

export function refuse(code: RefusalCode, message: string, details: RefusalDetails = {}): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true, details: [details] });
}

/** Where the invoice stands, for a refusal's details. */
export const standing = (run: InvoiceRun): RefusalDetails => ({
  status: run.status,
  chorusStatus: run.chorusStatus,
  allowedActions: run.actions(),
});

/** The validators' refusal: the action is not one the invoice allows in its state. */
export function refuseAction(run: InvoiceRun, action: InvoiceAction | 'VALIDATE' | 'CANCEL'): ApplicationFailure {
  return refuse('INVALID_STATE', refusedActionMessage(action, run.status, run.chorusStatus), standing(run));
}

/** The validators' refusal while another request is handled. */
export function refuseBusy(run: InvoiceRun): ApplicationFailure {
  return refuse('INVALID_STATE', 'Une autre action sur cette facture est en cours : réessayez dans un instant.', {
    status: run.status,
    chorusStatus: run.chorusStatus,
    allowedActions: [],
  });
}

/**
 * A guard: a request reached a phase that does not handle it. The validators refuse such requests first, so
 * this answers only an Update whose validator was skipped (it cannot be: Temporal always runs it).
 */
export function refuseOutOfPhase(run: InvoiceRun, request: Request): ApplicationFailure {
  return refuse('INVALID_STATE', `Action ${request.kind} impossible à cette étape de la facture.`, standing(run));
}
