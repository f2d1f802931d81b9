/**
 * Starts the dispatcher workflow of a webhook endpoint (workflows/webhook-dispatcher.ts). Idempotent: a running
 * dispatcher is kept (USE_EXISTING), one that ended is started again, so a redelivery request also re-arms it.
 */
import type { Client } from '@temporalio/client';
import type { Config } from '../config';
import { WEBHOOK_DISPATCHER_TYPE, webhookDispatcherId, type WebhookDispatcherInput } from '../workflows/webhook-dispatcher';
import { fromTemporalError } from './errors';

/** Events of different invoices delivered at a time to one endpoint. */
const BATCH_SIZE = 10;

export class WebhookDispatchers {
  constructor(
    private readonly client: Client,
    private readonly config: Pick<Config, 'TEMPORAL_TASK_QUEUE' | 'WEBHOOK_TASK_QUEUE' | 'WEBHOOK_POLL_INTERVAL' | 'WEBHOOK_TIMEOUT'>,
    private readonly rpcTimeoutMs: number,
  ) {}

  async ensureRunning(endpointId: string): Promise<void> {
    const input: WebhookDispatcherInput = {
      endpointId,
      activityTaskQueue: this.config.WEBHOOK_TASK_QUEUE,
      pollMs: this.config.WEBHOOK_POLL_INTERVAL,
      deliveryTimeoutMs: this.config.WEBHOOK_TIMEOUT,
      batchSize: BATCH_SIZE,
    };
    try {
      await this.client.withDeadline(Date.now() + this.rpcTimeoutMs, () =>
        this.client.workflow.start(WEBHOOK_DISPATCHER_TYPE, {
          workflowId: webhookDispatcherId(endpointId),
          taskQueue: this.config.TEMPORAL_TASK_QUEUE,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
        }),
      );
    } catch (err) {
      throw fromTemporalError(err) ?? err;
    }
  }
}
