/**
 * The invoice's safety look (for a status change the lifecycle sync missed), through the real worker, sandbox and
 * Temporal: skipped while the sync keeps finding the invoice unchanged on Chorus, made once the sync stops.
 */
import { replayNotedWorkflows } from '../support/histories';
import type { LifecycleSyncResult } from '../../workflows/lifecycle-sync';
import { createOrder, getInvoice, platform, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';
import { startTestStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/wait';

// Wide against one sync's duration (under 1 s alone, a few seconds on a loaded CI machine): the syncs below run
// back to back, so the sync's last sighting is never older than one sync's duration.
const SAFETY_LOOK_MS = 5000;
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: { LIFECYCLE_POLL_INTERVAL: '', LIFECYCLE_SAFETY_POLL_INTERVAL: `${SAFETY_LOOK_MS}ms`, LIFECYCLE_MAX_AGE: '30d' }, sandbox: { flowProcessingDelayMs: 100 } });
});
afterAll(async () => {
  await stack?.teardown();
});

const HISTORY = 'POST /cpro/factures/v1/consulter/historique';
const histories = () => stack.sandbox.state.stats()[HISTORY] ?? 0;

const sync = () =>
  stack.client.workflow.execute<(input: { windowMs: number }) => Promise<LifecycleSyncResult>>('chorusLifecycleSync', {
    taskQueue: stack.taskQueue,
    workflowId: `lifecycle-sync-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    args: [{ windowMs: 86_400_000 }],
  });

it('When the lifecycle sync keeps finding the invoice unchanged, then its safety looks make no Chorus call; when the sync stops, they do', async () => {
  const parties = await setUpParties(stack);
  const { orderId, invoiceId } = await createOrder(stack, parties);
  expect((await validateQuantities(stack, orderId)).status).toBe(200);
  expect((await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
  await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
  await waitUntil(async () => (await getInvoice(stack, invoiceId)).chorusStatus !== null, 'the first status');

  // The sync sees it more often than the safety look comes: three looks' time without one history read.
  const before = histories();
  const until = Date.now() + 3 * SAFETY_LOOK_MS;
  while (Date.now() < until) {
    const result = await sync();
    expect(result).toMatchObject({ failed: 0, signalled: 0 });
  }
  expect(histories()).toBe(before);

  // No sync any more: the next safety look asks Chorus itself.
  await waitUntil(async () => histories() > before, 'a safety look reading the history', { timeoutMs: 4 * SAFETY_LOOK_MS });
});

it('When the workflows of this suite are replayed on the current code, then none is non-deterministic', () => {
  const replay = replayNotedWorkflows();
  expect(replay.count).toBe(1);
  expect(replay.output).toContain(`replay: ${replay.count} passed, 0 failed`);
}, 120_000);
