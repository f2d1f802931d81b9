/**
 * The invoice's activities, one proxy per kind of call, so that each retry policy reads as configuration.
 *
 * - documents: the Factur-X rendering, on its own task queue (CPU-bound, bounded by its worker).
 * - records / mail: PostgreSQL and SMTP are ours; retried until they succeed (a mail is never dropped
 *   while SMTP refuses, it waits).
 * - chorus within a budget: the Chorus path may fail for a while; past the failure budget the story mails
 *   the invoice instead.
 * - every Chorus call runs on the Chorus task queue, whose rate Temporal holds for all workers together (the
 *   poll attempts included: each is one task). Runs begun before that queue existed keep the invoices' queue.
 * - polling: the retry policy *is* the poll schedule (the activity throws a benign "not yet"); retries are
 *   not written to history, so an invoice can be followed for months with a flat history.
 */
import { ActivityFailure, isCancellation, patched, proxyActivities, proxyLocalActivities, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { chorusTaskQueueOf, documentsTaskQueueOf, type InvoiceTiming } from './messages';

/** Business failures an activity may raise: never retried. */
const NON_RETRYABLE = ['ChorusBusinessError', 'InvoiceDataError'];
const DEFAULT_ATTEMPT_MS = 120_000;
/** Our own PostgreSQL work (records, the local steps, the rendering): retried until it succeeds. */
const RECORDS_RETRY: RetryPolicy = { initialInterval: '1s', maximumInterval: '30s', nonRetryableErrorTypes: NON_RETRYABLE };
const CHORUS_RETRY: RetryPolicy = { initialInterval: '1s', maximumInterval: '1m', nonRetryableErrorTypes: NON_RETRYABLE };

/** Start-to-close of one attempt: how soon a dead worker's work is retried elsewhere. */
export const attemptMsOf = (timing: InvoiceTiming): number => timing.activityTimeoutMs ?? DEFAULT_ATTEMPT_MS;

export function records(attemptMs: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: attemptMs,
    retry: RECORDS_RETRY,
  });
}

/**
 * Short PostgreSQL work the story waits on while a caller waits too (the quantity validation): run by the
 * workflow's own worker, with no round trip through the server's task queue; retried the same way.
 */
export function localRecords(attemptMs: number) {
  return proxyLocalActivities<Activities>({
    startToCloseTimeout: attemptMs,
    retry: RECORDS_RETRY,
  });
}

export function mail(attemptMs: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: attemptMs,
    retry: { initialInterval: '2s', maximumInterval: '5m', nonRetryableErrorTypes: NON_RETRYABLE },
  });
}

/**
 * The Factur-X rendering: on the documents task queue (CPU-bound, a few at a time) for runs that reached this
 * code; retried like the records (the data was checked before, so a failure is the machine's).
 */
export function documents(attemptMs: number) {
  return proxyActivities<Activities>({
    ...(patched('documents-queue') ? { taskQueue: documentsTaskQueueOf(workflowInfo().taskQueue) } : {}),
    startToCloseTimeout: attemptMs,
    retry: RECORDS_RETRY,
  });
}

/** Where Chorus calls are scheduled: the rate-limited Chorus queue, for runs that reached this code. */
function chorusQueue(): { taskQueue?: string } {
  return patched('chorus-call-budget') ? { taskQueue: chorusTaskQueueOf(workflowInfo().taskQueue) } : {};
}

/** Chorus calls of the sending path: together they may take until `budgetEnds` (workflow time). */
export function chorusWithinBudget(attemptMs: number, budgetEnds: number) {
  return proxyActivities<Activities>({
    ...chorusQueue(),
    startToCloseTimeout: attemptMs,
    scheduleToCloseTimeout: Math.max(1000, budgetEnds - Date.now()),
    retry: CHORUS_RETRY,
  });
}

/** A producer's action on Chorus (recycle, complete): each call gets the whole failure budget. */
export function chorusAction(attemptMs: number, timing: InvoiceTiming) {
  return proxyActivities<Activities>({
    ...chorusQueue(),
    startToCloseTimeout: attemptMs,
    scheduleToCloseTimeout: timing.chorusFailureBudgetMs,
    retry: CHORUS_RETRY,
  });
}

const DEFAULT_FLOW_POLL_MAX_MS = 3_600_000;
const DEFAULT_FLOW_REPORT_MAX_AGE_MS = 7 * 86_400_000;

/** How long a flow may stay unprocessed before the story gives it up. */
export const flowReportMaxAgeOf = (timing: InvoiceTiming): number => timing.flowReportMaxAgeMs ?? DEFAULT_FLOW_REPORT_MAX_AGE_MS;

/**
 * The flow report: looked at after `flowPollMs`, then less and less often (doubling, up to `flowPollMaxMs`),
 * until Chorus has processed the flow or `flowReportMaxAgeMs` has passed. Chorus settles most flows within
 * minutes; a flow stuck for days will not settle by being asked every minute.
 */
export function flowReportPolling(attemptMs: number, timing: InvoiceTiming) {
  const maximumInterval = Math.max(timing.flowPollMs, timing.flowPollMaxMs ?? DEFAULT_FLOW_POLL_MAX_MS);
  return proxyActivities<Activities>({
    ...chorusQueue(),
    startToCloseTimeout: attemptMs,
    scheduleToCloseTimeout: flowReportMaxAgeOf(timing),
    retry: { initialInterval: timing.flowPollMs, backoffCoefficient: 2, maximumInterval, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}

/** The lifecycle schedule: one fixed interval when configured, else frequent at first, then daily. */
export function lifecycleSchedule(timing: InvoiceTiming): RetryPolicy {
  return timing.lifecyclePollMs !== undefined ?
      { initialInterval: timing.lifecyclePollMs, backoffCoefficient: 1 }
      // Chorus processes take days to weeks.
    : { initialInterval: '15m', backoffCoefficient: 2, maximumInterval: '1d' };
}

/** The next Chorus status change, looked for until `remainingMs` has passed. */
export function lifecyclePolling(attemptMs: number, schedule: RetryPolicy, remainingMs: number) {
  return proxyActivities<Activities>({
    ...chorusQueue(),
    startToCloseTimeout: attemptMs,
    scheduleToCloseTimeout: remainingMs,
    retry: { ...schedule, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: ActivityFailure };

/**
 * Runs an activity and says whether it failed for good (budget spent, business error), which the story
 * handles as an outcome. A cancellation or any other error goes through: it is not the activity's verdict.
 */
export async function outcomeOf<T>(call: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (error instanceof ActivityFailure && !isCancellation(error)) return { ok: false, error };
    throw error;
  }
}

/** The business reason of an activity's failure (its cause's message), for the producer or the history. */
export const reasonOf = (error: ActivityFailure): string => error.cause?.message ?? error.message;
