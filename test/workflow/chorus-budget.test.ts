/**
 * The global Chorus call budget: every Chorus call is an activity on the Chorus task queue, whose rate the
 * Temporal server holds for the queue as a whole. Two Chorus workers poll it here (the stack's and a second
 * one, as two worker processes would); an interceptor on each notes when every call starts.
 */
import { Context } from '@temporalio/activity';
import type { ActivityInboundCallsInterceptor, ActivityExecuteInput, Next, WorkerOptions } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import type { Worker } from '@temporalio/worker';
import { credentialsKey } from '../../config';
import { chorusAccountsFromConfig } from '../../worker/chorus-client';
import { createChorusWorker } from '../../worker/worker';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, platform, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';

const CALLS_PER_SECOND = 4;
const INVOICES = 6;

/** Start time of every Chorus activity attempt, and which worker ran it. */
const starts: { at: number; worker: 'first' | 'second'; activity: string }[] = [];
const noting = (worker: 'first' | 'second'): WorkerOptions['interceptors'] => ({
  activity: [
    (): { inbound: ActivityInboundCallsInterceptor } => ({
      inbound: {
        execute: (input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>) => {
          starts.push({ at: Date.now(), worker, activity: Context.current().info.activityType });
          return next(input);
        },
      },
    }),
  ],
});

let stack: TestStack;
let second: Worker;
let connection: NativeConnection;
let secondRun: Promise<void>;

beforeAll(async () => {
  stack = await startTestStack({
    sandbox: { flowProcessingDelayMs: 50 },
    // Polls slower than the other tests' (the budget is shared by polls and deposits alike), and a failure budget
    // longer than the wait in the queue (time waiting for the budget counts towards it).
    env: {
      CHORUS_MAX_CALLS_PER_SECOND: String(CALLS_PER_SECOND),
      LIFECYCLE_POLL_INTERVAL: '5s',
      FLOW_POLL_INTERVAL: '300ms',
      FLOW_POLL_MAX_INTERVAL: '1s',
      CHORUS_FAILURE_BUDGET: '2m',
    },
    chorusWorkerInterceptors: noting('first'),
  });
  connection = await NativeConnection.connect({ address: stack.config.TEMPORAL_ADDRESS });
  second = await createChorusWorker({
    connection,
    namespace: stack.config.TEMPORAL_NAMESPACE,
    invoiceTaskQueue: stack.taskQueue,
    deps: { orm: stack.db.orm, chorus: chorusAccountsFromConfig(stack.config), credentialsKey: credentialsKey(stack.config) },
    config: stack.config,
    tuning: { shutdownGraceTime: '1s', interceptors: noting('second') },
  });
  secondRun = second.run();
});
afterAll(async () => {
  if (second?.getState() === 'RUNNING') second.shutdown();
  await secondRun;
  await connection?.close();
  await stack?.teardown();
});

it('When two workers share the Chorus queue, then the calls started never exceed the budget, and every invoice is deposited', async () => {
  const invoices: string[] = [];
  for (let i = 0; i < INVOICES; i++) {
    const order = await createOrder(stack, await setUpParties(stack));
    expect((await validateQuantities(stack, order.orderId)).status).toBe(200);
    invoices.push(order.invoiceId);
  }
  // All sent at once: without a budget, their lookups, deposits and 200 ms polls start dozens of calls a second.
  const sent = await Promise.all(invoices.map((id) => platform(stack).post(`/invoices/${id}/send`, { channel: 'CHORUS' })));
  expect(sent.map((r) => r.status)).toEqual(invoices.map(() => 200));
  for (const id of invoices) await waitForInvoice(stack, id, { status: 'DEPOSEE_CHORUS' }, 60_000);

  const times = starts.map((s) => s.at).sort((a, b) => a - b);
  expect(times.length).toBeGreaterThan(INVOICES * 3); // lookup, attachment check, deposit, then polls
  // Temporal's limiter lets a burst of one second's worth through, then holds the rate: in any window of w
  // seconds, at most rate × (w + 1) calls start (upper bounds only: a slower machine starts fewer).
  for (const windowMs of [1000, 3000]) {
    let most = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= windowMs) j++;
      most = Math.max(most, i - j + 1);
    }
    expect(most).toBeLessThanOrEqual(CALLS_PER_SECOND * (windowMs / 1000 + 1));
  }
  // Both workers took calls: the budget is the queue's, not one worker's.
  expect(new Set(starts.map((s) => s.worker))).toEqual(new Set(['first', 'second']));
}, 120_000);
