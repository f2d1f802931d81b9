/**
 * The lifecycle sync, run by two Temporal Schedules (worker/schedules.ts): often for the invoices deposited in
 * the last days (when buyers act), daily for every invoice still followed. For each technical account, one
 * search of its invoices (activities/lifecycle-sync.ts) instead of one history read per invoice; each invoice
 * whose Chorus status moved is signalled and reads its own history. Costs a few calls per account and sync
 * (none for an account with nothing to follow in the window) plus one per change, where per-invoice polling costs
 * one per invoice and poll.
 */
import { ApplicationFailure, getExternalWorkflowHandle, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ChorusAccountRef } from '../activities/chorus-account';
import { forEachChorusAccount } from './chorus-accounts';
import { chorusStatusMovedSignal, chorusTaskQueueOf } from './messages';

export interface LifecycleSyncInput {
  /** Deposits of the last `windowMs` are looked at. */
  windowMs: number;
}

export interface LifecycleSyncResult {
  accounts: number;
  /** Accounts not searched: no invoice followed in the window. */
  idle: number;
  /** Invoices Chorus returned. */
  seen: number;
  /** Invoices told that their status moved. */
  signalled: number;
  /** Accounts whose search failed this time (the next sync asks again). */
  failed: number;
}

const chorus = () =>
  proxyActivities<Activities>({
    taskQueue: chorusTaskQueueOf(workflowInfo().taskQueue),
    startToCloseTimeout: '5m',
    // Within the sync's own cadence: a Chorus away for longer is asked again by the next sync.
    scheduleToCloseTimeout: '30m',
    retry: { initialInterval: '5s', maximumInterval: '2m', nonRetryableErrorTypes: ['ChorusBusinessError', 'ChorusAuthError'] },
  });

export async function chorusLifecycleSync(input: LifecycleSyncInput): Promise<LifecycleSyncResult> {
  const result: LifecycleSyncResult = { accounts: 0, idle: 0, seen: 0, signalled: 0, failed: 0 };
  await forEachChorusAccount((account) => syncAccount(account, input.windowMs, result));
  return result;
}

async function syncAccount(account: ChorusAccountRef, windowMs: number, result: LifecycleSyncResult): Promise<void> {
  result.accounts += 1;
  let sweep;
  try {
    sweep = await chorus().findMovedChorusInvoices({ producerSiret: account.producerSiret, windowMs });
  } catch (error) {
    log.warn('Chorus lifecycle sync: account not searched this time', { producerSiret: account.producerSiret, error: String(error) });
    result.failed += 1;
    return;
  }
  if (!sweep.searched) result.idle += 1;
  result.seen += sweep.seen;
  for (const moved of sweep.moved) {
    if (await tell(moved.workflowId, moved.statut)) result.signalled += 1;
  }
}

/** Signals the invoice; false when its workflow has ended meanwhile (nothing left to follow). */
async function tell(workflowId: string, statut: string): Promise<boolean> {
  try {
    await getExternalWorkflowHandle(workflowId).signal(chorusStatusMovedSignal, { statut });
    return true;
  } catch (error) {
    if (error instanceof ApplicationFailure || (error instanceof Error && error.name === 'ExternalWorkflowExecutionNotFoundError')) return false;
    throw error;
  }
}
