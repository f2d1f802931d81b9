/**
 * Step 4 of the story: follow the Chorus lifecycle until payment is issued, the buyer rejects the invoice, or
 * the maximum age passes. Each new Chorus status is recorded (with the buyer's comment) and the producer is
 * told what concerns him; when Chorus asks, he recycles or completes the invoice.
 *
 * The history stays bounded: polling lives in activity retries, and a long run continues as new. In production
 * the invoice does not poll on its own: the lifecycle sync (lifecycle-sync.ts) signals it when Chorus shows a
 * new status, and it asks itself only every `lifecycleSafetyPollMs`, and only if the sync has not seen it since.
 */
import { CancellationScope, allHandlersFinished, condition, continueAsNew, patched, workflowInfo, type RetryPolicy } from '@temporalio/workflow';
import type { MailKind, StatusChange } from '../activities/types';
import { CHORUS_TERMINAL_STATUSES, chorusStatusLabel, type ChorusStatus, type KnownChorusStatus } from '../domain/statuses';
import { chorusAction, lifecyclePolling, lifecycleSchedule, outcomeOf, reasonOf } from './activity-options';
import type { Taken } from './inbox';
import type { StoryContext } from './invoice-state';
import type { CompleteInput, InvoiceWorkflow, RecycleInput } from './messages';
import { refuse, refuseOutOfPhase } from './refusals';

/** What the producer is told when Chorus moves the invoice to a status. */
const MAIL_ON_STATUS: Partial<Record<ChorusStatus, MailKind>> = {
  A_RECYCLER: 'PRODUCER_RECYCLE_REQUIRED',
  SUSPENDUE: 'PRODUCER_COMPLETION_REQUIRED',
  MISE_EN_PAIEMENT: 'PRODUCER_PAYMENT_ISSUED',
  REJETEE: 'PRODUCER_INVOICE_REJECTED',
} satisfies Partial<Record<KnownChorusStatus, MailKind>>;

type Watch = { kind: 'change'; value: StatusChange } | { kind: 'action' } | { kind: 'gave-up' };

/** After the sync's signal the history is read at once, then briefly retried: Chorus may show it a moment later. */
const SIGNALLED_READ: RetryPolicy = { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' };
const SIGNALLED_READ_WINDOW_MS = 10 * 60_000;
/** The safety net's look: once; nothing new (or Chorus away) waits for the next signal or the next look. */
const SAFETY_LOOK: RetryPolicy = { maximumAttempts: 1 };

/** How the invoice learns that its Chorus status moved, from its timing. */
interface Watching {
  /** The poll's schedule and how long it may run. */
  schedule: RetryPolicy;
  windowMs: number;
  /** Whether the poll giving up just means "nothing new" (a stale signal, a safety look). */
  brief: boolean;
  /** A safety look: none needed when the sync found the status unchanged this recently. */
  unlessSyncSawWithinMs?: number;
}

export async function followLifecycle(s: StoryContext): Promise<void> {
  const { run, inbox } = s;
  const cpp = run.identifiantFactureCPP;
  if (!cpp) throw new Error('followLifecycle without identifiantFactureCPP');
  const schedule = lifecycleSchedule(s.timing);
  const safetyPollMs = s.timing.lifecycleSafetyPollMs;
  let seenSignals = run.statusMovedSignals;
  // Right after the deposit, one look at once (the first statuses); afterwards, the sync's signals.
  let firstLook = run.chorusHistoryCount === 0;
  for (;;) {
    if (run.chorusStatus !== null && CHORUS_TERMINAL_STATUSES.includes(run.chorusStatus)) return;
    const remaining = run.depositedAt + s.timing.lifecycleMaxAgeMs - Date.now();
    if (remaining <= 0) return stopFollowing(s);
    if (workflowInfo().continueAsNewSuggested && !inbox.waiting) {
      // A producer action arriving meanwhile is served by this run first (its handler waits for this loop).
      await condition(() => allHandlersFinished() || inbox.waiting);
      if (inbox.waiting) {
        await onLifecycleAction(s);
        continue;
      }
      await continueAsNew<InvoiceWorkflow>({ ...s.input, resume: run.toResume() });
    }
    let watching: Watching = { schedule, windowMs: remaining, brief: false };
    if (safetyPollMs !== undefined) {
      // The lifecycle sync tells the invoice when Chorus shows a new status. Between two signals the invoice
      // waits on a timer (no call) and looks by itself once every safetyPollMs, for a change the sync missed.
      const since = seenSignals;
      if (!firstLook && run.statusMovedSignals === since) {
        await condition(() => run.statusMovedSignals > since || inbox.waiting, Math.min(safetyPollMs, remaining));
        if (inbox.waiting) {
          await onLifecycleAction(s);
          continue;
        }
      }
      const signalled = run.statusMovedSignals > since;
      seenSignals = run.statusMovedSignals;
      // A stale signal: the sync compared Chorus with PostgreSQL before this invoice recorded the status itself
      // (its first look, a safety look). Reading then would find nothing and retry for SIGNALLED_READ_WINDOW_MS,
      // about 14 calls for nothing; the status named is already ours, so wait for the next signal instead.
      if (signalled && !firstLook && run.lastSignalledStatus === run.chorusStatus && patched('skip-stale-status-signal')) continue;
      const now = signalled || firstLook;
      firstLook = false;
      watching =
        now ?
          { schedule: SIGNALLED_READ, windowMs: Math.min(remaining, SIGNALLED_READ_WINDOW_MS), brief: true }
        : { schedule: SAFETY_LOOK, windowMs: remaining, brief: true, unlessSyncSawWithinMs: safetyPollMs };
    }
    const next = await nextChange(s, cpp, watching);
    if (next === 'ACTION_SERVED') continue;
    if (next === 'GAVE_UP') {
      if (watching.brief) continue;
      return stopFollowing(s);
    }
    await recordChange(s, next);
  }
}

/** The next status change; a producer action (recycle / complete / archive) arriving first is served instead. */
async function nextChange(s: StoryContext, cpp: string, watching: Watching): Promise<StatusChange | 'ACTION_SERVED' | 'GAVE_UP'> {
  const { run, inbox } = s;
  const { awaitChorusStatusChange } = lifecyclePolling(s.attemptMs, watching.schedule, watching.windowMs);
  const scope = new CancellationScope();
  let watched: Watch;
  try {
    const polled = await outcomeOf(() =>
      scope.run(() =>
        Promise.race([
          awaitChorusStatusChange({
            identifiantFactureCPP: cpp,
            knownCount: run.chorusHistoryCount,
            knownStatus: run.chorusStatus,
            ...(watching.unlessSyncSawWithinMs !== undefined ? { unlessSyncSawWithinMs: watching.unlessSyncSawWithinMs } : {}),
          }).then(
            (value): Watch => ({ kind: 'change', value }),
          ),
          condition(() => inbox.waiting).then((): Watch => ({ kind: 'action' })),
        ]),
      ),
    );
    watched = polled.ok ? polled.value : { kind: 'gave-up' };
  } finally {
    scope.cancel(); // whichever of the two is still waiting
  }
  if (watched.kind === 'action') {
    // Served with nothing awaited since the cancel: the poll's cancellation then reaches history after the
    // action's first command, the order recorded histories replay against.
    await onLifecycleAction(s);
    return 'ACTION_SERVED';
  }
  return watched.kind === 'change' ? watched.value : 'GAVE_UP';
}

async function stopFollowing({ run }: StoryContext): Promise<void> {
  await run.record(run.status, run.chorusStatus, 'Suivi du cycle de vie arrêté : durée maximale atteinte');
}

async function recordChange({ run }: StoryContext, change: StatusChange): Promise<void> {
  for (const entry of change.newEntries) {
    await run.record('DEPOSEE_CHORUS', entry.code, chorusStatusLabel(entry.code) + (entry.comment ? ` : ${entry.comment}` : ''), {}, entry.at);
  }
  run.chorusHistoryCount = change.totalCount;
  if (run.chorusStatus !== change.statutCourantCode) {
    await run.record('DEPOSEE_CHORUS', change.statutCourantCode, chorusStatusLabel(change.statutCourantCode));
  }
  const kind = run.chorusStatus === null ? undefined : MAIL_ON_STATUS[run.chorusStatus];
  if (kind) await run.mail(kind);
}

async function onLifecycleAction(s: StoryContext): Promise<void> {
  const taken = await s.inbox.next(0);
  if (!taken) return;
  const request = taken.request;
  if (request.kind === 'RECYCLE') return recycle(s, taken, request.input);
  if (request.kind === 'COMPLETE') return complete(s, taken, request.input);
  s.inbox.answer(taken, refuseOutOfPhase(s.run, request));
}

/** Chorus sends the invoice back to a (possibly new) recipient under the same number. */
async function recycle(s: StoryContext, taken: Taken, input: RecycleInput): Promise<void> {
  const { run } = s;
  const change = {
    buyerSiret: input.buyerSiret ?? run.buyerSiret,
    serviceCode: input.serviceCode ?? run.serviceCode,
    engagementCode: input.engagementCode ?? run.engagementCode,
  };
  const identifiantFactureCPP = run.identifiantFactureCPP ?? '';
  const done = await outcomeOf(() => chorusAction(s.attemptMs, s.timing).recycleOnChorus({ invoiceId: s.input.invoiceId, identifiantFactureCPP, ...change }));
  if (!done.ok) return refuseOnChorus(s, taken, 'le recyclage', reasonOf(done.error), 'RECYCLE');
  Object.assign(run, change);
  await run.record('DEPOSEE_CHORUS', 'DEPOSEE', 'Facture recyclée : renvoyée au destinataire sous le même numéro', change);
  s.inbox.answer(taken);
}

/** The producer answers a SUSPENDUE invoice with attachments and/or a comment. */
async function complete(s: StoryContext, taken: Taken, input: CompleteInput): Promise<void> {
  const identifiantFactureCPP = s.run.identifiantFactureCPP ?? '';
  const acts = chorusAction(s.attemptMs, s.timing);
  const { invoiceId } = s.input;
  const { attachmentIds } = input;
  const done = await outcomeOf(async () => {
    // Histories from before the split call completeOnChorus alone (it uploads what is missing itself).
    if (patched('upload-attachments-apart')) await acts.uploadAttachments({ invoiceId, attachmentIds });
    await acts.completeOnChorus({ invoiceId, identifiantFactureCPP, comment: input.comment ?? null, attachmentIds });
  });
  if (!done.ok) return refuseOnChorus(s, taken, 'le complément', reasonOf(done.error), 'COMPLETE');
  await s.run.record('DEPOSEE_CHORUS', 'COMPLETEE', 'Pièces jointes ajoutées : facture complétée');
  s.inbox.answer(taken);
}

function refuseOnChorus({ run, inbox }: StoryContext, taken: Taken, what: string, reason: string, retry: 'RECYCLE' | 'COMPLETE'): void {
  inbox.answer(taken, refuse('INVALID_STATE', `Chorus Pro a refusé ${what} : ${reason}`, { status: run.status, chorusStatus: run.chorusStatus, allowedActions: [retry] }));
}
