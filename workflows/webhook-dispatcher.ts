/**
 * One dispatcher per webhook endpoint (`webhook-endpoint-{id}`), started when the endpoint is registered, ended
 * when it is deleted. It loops: ask which events are due (an activity whose retry policy is the poll, so an idle
 * endpoint adds nothing to the history), deliver each with its own activity, again. Events, their order and
 * their retry times live in PostgreSQL (the outbox, db/webhook-outbox.ts): the loop holds no state and starts
 * over as a new run before its history grows long.
 */
import { continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { WebhookActivities } from '../activities/webhooks';

export const WEBHOOK_DISPATCHER_TYPE = 'webhookDispatcher';
export const webhookDispatcherId = (endpointId: string): string => `webhook-endpoint-${endpointId}`;

export interface WebhookDispatcherInput {
  endpointId: string;
  /** The webhook activities' task queue (WEBHOOK_TASK_QUEUE). */
  activityTaskQueue: string;
  /** How often an idle endpoint is looked at again (WEBHOOK_POLL_INTERVAL). */
  pollMs: number;
  /** Longest wait for one answer (WEBHOOK_TIMEOUT). */
  deliveryTimeoutMs: number;
  /** Events delivered at a time (different invoices). */
  batchSize: number;
}

/** Rounds of one run before continue-as-new: each round writes about 3 + 3 × batch events. */
const ROUNDS_PER_RUN = 200;

export async function webhookDispatcher(input: WebhookDispatcherInput): Promise<void> {
  const poll = proxyActivities<WebhookActivities>({
    taskQueue: input.activityTaskQueue,
    startToCloseTimeout: '30s',
    retry: { initialInterval: input.pollMs, backoffCoefficient: 1, maximumInterval: input.pollMs },
  });
  // Each attempt's HTTP outcome is recorded by the activity itself; a Temporal retry here is for our own
  // failures only (database down, worker lost).
  const deliver = proxyActivities<WebhookActivities>({
    taskQueue: input.activityTaskQueue,
    startToCloseTimeout: input.deliveryTimeoutMs + 30_000,
    retry: { initialInterval: '1s', maximumInterval: '1m' },
  });
  for (let round = 0; round < ROUNDS_PER_RUN && !workflowInfo().continueAsNewSuggested; round++) {
    const next = await poll.nextWebhookDeliveries({ endpointId: input.endpointId, limit: input.batchSize });
    if (next.endpointGone) return;
    await Promise.all(next.deliveryIds.map((deliveryId) => deliver.deliverWebhook({ deliveryId })));
  }
  await continueAsNew<typeof webhookDispatcher>(input);
}
