/**
 * The lifecycle sync, through the real worker, sandbox and Temporal (its Schedules included): invoices do not
 * poll their Chorus status on their own (only a slow safety poll); one search per technical account finds those
 * whose status moved, and only they read their history.
 */
import { ensureLifecycleSyncSchedules, scheduleIdOf } from '../../worker/schedules';
import { replayNotedWorkflows } from '../support/histories';
import { chorusStatusMovedSignal, invoiceWorkflowId } from '../../workflows/messages';
import type { LifecycleSyncResult } from '../../workflows/lifecycle-sync';
import { createOrder, getInvoice, platform, sandboxControl, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';
import { startTestStack, type TestStack } from '../support/stack';
import { sleep, waitUntil } from '../support/wait';

let stack: TestStack;
beforeAll(async () => {
  // No fixed poll interval: the production mode, with a safety poll far beyond the test.
  stack = await startTestStack({ env: { LIFECYCLE_POLL_INTERVAL: '', LIFECYCLE_SAFETY_POLL_INTERVAL: '1h', LIFECYCLE_MAX_AGE: '30d' }, sandbox: { flowProcessingDelayMs: 100 } });
});
afterAll(async () => {
  await stack?.teardown();
});

const HISTORY = 'POST /cpro/factures/v1/consulter/historique';
const SEARCH = 'POST /cpro/factures/v1/rechercher/fournisseur';
const calls = (endpoint: string) => stack.sandbox.state.stats()[endpoint] ?? 0;

async function deposited(): Promise<{ invoiceId: string; orderId: string; cpp: string }> {
  const parties = await setUpParties(stack);
  const { orderId, invoiceId } = await createOrder(stack, parties);
  expect((await validateQuantities(stack, orderId)).status).toBe(200);
  expect((await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
  const view = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
  // Its first look at the lifecycle happens at once after the deposit; then it waits for the sync.
  await waitUntil(async () => (await getInvoice(stack, invoiceId)).chorusStatus !== null, 'the first status');
  return { invoiceId, orderId, cpp: view.chorus.identifiantFactureCPP ?? '' };
}

const sync = (windowMs = 7 * 86_400_000) =>
  stack.client.workflow.execute<(input: { windowMs: number }) => Promise<LifecycleSyncResult>>('chorusLifecycleSync', {
    taskQueue: stack.taskQueue,
    workflowId: `lifecycle-sync-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ windowMs }],
  });

describe('The Chorus lifecycle sync', () => {
  it('When Chorus moves one of two invoices, then one search finds it, only it reads its history, and the producer sees the new status', async () => {
    const moving = await deposited();
    const still = await deposited();
    const before = (await getInvoice(stack, still.invoiceId)).chorusStatus;
    await sandboxControl(stack, 'POST', `/invoices/${moving.cpp}/status`, { statut: 'MISE_A_DISPOSITION' });

    // Nobody polls: the move is not seen on its own.
    const histories = calls(HISTORY);
    await sleep(1500);
    expect(calls(HISTORY)).toBe(histories);
    expect((await getInvoice(stack, moving.invoiceId)).chorusStatus).not.toBe('MISE_A_DISPOSITION');

    const searches = calls(SEARCH);
    const result = await sync();
    expect(result.failed).toBe(0);
    expect(result.seen).toBeGreaterThanOrEqual(2);
    expect(result.signalled).toBe(1);
    const moved = await waitForInvoice(stack, moving.invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_A_DISPOSITION' });
    expect(moved.history.map((h) => h.chorusStatus)).toContain('MISE_A_DISPOSITION');
    expect(calls(SEARCH) - searches).toBeGreaterThanOrEqual(1);
    // One history read, by the invoice that moved; then it waits for the next signal on a timer.
    await sleep(500);
    expect(calls(HISTORY) - histories).toBe(1);
    expect((await getInvoice(stack, still.invoiceId)).chorusStatus).toBe(before);

    // The next sync finds nothing moved: no signal, no history read.
    const quiet = calls(HISTORY);
    expect((await sync()).signalled).toBe(0);
    await sleep(500);
    expect(calls(HISTORY)).toBe(quiet);

    // To payment: the invoice stops being followed.
    await sandboxControl(stack, 'POST', `/invoices/${moving.cpp}/status`, { statut: 'MISE_EN_PAIEMENT' });
    expect((await sync()).signalled).toBe(1);
    await waitForInvoice(stack, moving.invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    expect((await sync()).signalled).toBe(0);
  });

  it('When a signal names the status the invoice already holds (its own look came first), then it reads no history', async () => {
    const { invoiceId, orderId } = await deposited();
    const current = (await getInvoice(stack, invoiceId)).chorusStatus;
    await sleep(300);
    const histories = calls(HISTORY);
    await stack.client.workflow.getHandle(invoiceWorkflowId(orderId)).signal(chorusStatusMovedSignal, { statut: current ?? '' });
    await sleep(1500);
    expect(calls(HISTORY)).toBe(histories);
    // A signal naming another status is read at once.
    await sandboxControl(stack, 'POST', `/invoices/${(await getInvoice(stack, invoiceId)).chorus.identifiantFactureCPP ?? ''}/status`, { statut: 'MISE_A_DISPOSITION' });
    await stack.client.workflow.getHandle(invoiceWorkflowId(orderId)).signal(chorusStatusMovedSignal, { statut: 'MISE_A_DISPOSITION' });
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_A_DISPOSITION' });
    expect(calls(HISTORY) - histories).toBe(1);
  });

  it('When no invoice an account follows was deposited within the window, then the sync does not search Chorus for it', async () => {
    await deposited();
    await sleep(50);
    const searches = calls(SEARCH);
    // Deposits of the last 10 ms: none. Chorus' own filter is by day and would have returned today's.
    const idle = await sync(10);
    expect(idle.failed).toBe(0);
    expect(idle.idle).toBe(idle.accounts);
    expect(idle.seen).toBe(0);
    expect(calls(SEARCH)).toBe(searches);
    // The same account over a week is searched.
    const week = await sync();
    expect(week.idle).toBe(0);
    expect(week.seen).toBeGreaterThanOrEqual(1);
    expect(calls(SEARCH)).toBeGreaterThan(searches);
  });

  it('When the worker starts, then both sync Schedules exist for its task queue with the configured cadence', async () => {
    await ensureLifecycleSyncSchedules(stack.client, stack.taskQueue, { ...stack.config, LIFECYCLE_SYNC_INTERVAL: 3_600_000, LIFECYCLE_SYNC_DAILY_HOUR: 6 });
    const recent = stack.client.schedule.getHandle(scheduleIdOf(stack.taskQueue, 'chorus-lifecycle-sync-recent'));
    const daily = stack.client.schedule.getHandle(scheduleIdOf(stack.taskQueue, 'chorus-lifecycle-sync-daily'));
    try {
      const r = await recent.describe();
      expect(r.spec.intervals?.[0]?.every).toBe(3_600_000);
      expect(r.action).toMatchObject({ type: 'startWorkflow', workflowType: 'chorusLifecycleSync', taskQueue: stack.taskQueue, args: [{ windowMs: stack.config.LIFECYCLE_SYNC_RECENT_WINDOW }] });
      const d = await daily.describe();
      expect(d.spec.calendars?.[0]?.hour).toEqual([{ start: 6, end: 6, step: 1 }]);
      expect(d.action).toMatchObject({ args: [{ windowMs: stack.config.LIFECYCLE_MAX_AGE }] });
      // A new cadence at the next start updates the Schedule in place.
      await ensureLifecycleSyncSchedules(stack.client, stack.taskQueue, { ...stack.config, LIFECYCLE_SYNC_INTERVAL: 600_000, LIFECYCLE_SYNC_DAILY_HOUR: 6 });
      expect((await recent.describe()).spec.intervals?.[0]?.every).toBe(600_000);
      // Scaled time (the bench's lifecycle run): the daily sync on an interval instead of the Paris hour.
      await ensureLifecycleSyncSchedules(stack.client, stack.taskQueue, { ...stack.config, LIFECYCLE_SYNC_INTERVAL: 600_000, LIFECYCLE_SYNC_DAILY_HOUR: 6, LIFECYCLE_SYNC_DAILY_INTERVAL: 4000 });
      expect((await daily.describe()).spec.intervals?.[0]?.every).toBe(4000);
    } finally {
      await recent.delete();
      await daily.delete();
    }
  });
});

// Last, outside the describe block: the invoices above (safety poll, signals) replay on the current code; with
// RECORD_HISTORIES=1 their histories are saved for the replay test.
it('When the workflows of this suite are replayed on the current code, then none is non-deterministic', () => {
  const replay = replayNotedWorkflows();
  expect(replay.count).toBe(4);
  expect(replay.output).toContain(`replay: ${replay.count} passed, 0 failed`);
}, 120_000);
