/**
 * The API's only door to Temporal: starts the invoice workflow of an order and forwards producer and platform
 * actions to it as Updates, so a refusal comes back at once. Every call has a deadline (a Temporal outage is a
 * 503, not a hung request) and is counted by action and outcome.
 */
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { INVOICE_WORKFLOW_TYPE, invoiceWorkflowId, type InvoiceWorkflowInput } from '../workflows/messages';
import { BuyerSiretKey, InvoiceStatusKey, OrderIdKey, ProducerSiretKey } from '../workflows/search-attributes';
import { ApiError, fromTemporalError, type StateInfo } from './errors';
import type { ApiMetrics } from './metrics';

export type WorkflowAction = 'start' | 'validateQuantities' | 'cancel' | 'send' | 'markProcessed' | 'archive' | 'recycle' | 'complete' | 'reissue';

export interface WorkflowGatewayOptions {
  taskQueue: string;
  /** Deadline of a start or a health check. */
  rpcTimeoutMs: number;
  /** How long an Update may take, activities included, before the API answers 503. */
  updateTimeoutMs: number;
}

export interface UpdateRequest<Ret, Args extends unknown[]> {
  action: WorkflowAction;
  orderId: string;
  /** The document's own workflow (a replacement invoice's differs from its order's first); default `invoice-{orderId}`. */
  workflowId?: string;
  definition: UpdateDefinition<Ret, Args>;
  args: Args;
  updateId: string;
  state: StateInfo;
  startIfMissing?: () => InvoiceWorkflowInput;
}

export class InvoiceWorkflowGateway {
  constructor(
    private readonly client: Client,
    private readonly options: WorkflowGatewayOptions,
    private readonly metrics: ApiMetrics,
  ) {}

  /**
   * Starts `invoice-{orderId}`, or does nothing when it already runs (USE_EXISTING) or ran (REJECT_DUPLICATE):
   * a retried POST /orders after a crash between insert and start completes the job, and never restarts a
   * finished invoice.
   */
  async start(input: InvoiceWorkflowInput): Promise<void> {
    try {
      await this.client.withDeadline(Date.now() + this.options.rpcTimeoutMs, () =>
        this.client.workflow.start(INVOICE_WORKFLOW_TYPE, {
          workflowId: invoiceWorkflowId(input.orderId),
          taskQueue: this.options.taskQueue,
          args: [input],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [
            { key: OrderIdKey, value: input.orderId },
            { key: ProducerSiretKey, value: input.producerSiret },
            { key: BuyerSiretKey, value: input.buyerSiret },
            { key: InvoiceStatusKey, value: 'EN_ATTENTE_VALIDATION' },
          ],
        }),
      );
      this.count('start', 'ok');
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) {
        this.count('start', 'ok');
        return;
      }
      throw this.failure('start', err, {});
    }
  }

  /**
   * Sends an Update to the order's workflow and waits for its result. `updateId` deduplicates a retried request
   * within the run; `state` (the invoice as PostgreSQL knows it) completes INVALID_STATE answers. With
   * `startIfMissing`, a workflow that does not exist (a start cut short after the insert) is started, then the
   * Update is delivered.
   */
  async update<Ret, Args extends unknown[]>(request: UpdateRequest<Ret, Args>): Promise<Ret> {
    const { action, orderId, definition, args, updateId, state, startIfMissing } = request;
    const handle = this.client.workflow.getHandle(request.workflowId ?? invoiceWorkflowId(orderId));
    const execute = () =>
      this.client.withDeadline(Date.now() + this.options.updateTimeoutMs, () =>
        // The definition's argument tuple is carried by `Args`; the SDK's overloads cannot see through the generic.
        handle.executeUpdate(definition as unknown as UpdateDefinition<Ret, [unknown]>, { args: args as unknown as [unknown], updateId }),
      );
    try {
      let result: Ret;
      try {
        result = await execute();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError && startIfMissing)) throw err;
        await this.start(startIfMissing());
        result = await execute();
      }
      this.count(action, 'ok');
      return result;
    } catch (err) {
      if (err instanceof ApiError) throw err; // already counted (a start that failed)
      throw this.failure(action, err, { state });
    }
  }

  /** Readiness: the frontend answers within the deadline. */
  async ping(timeoutMs = this.options.rpcTimeoutMs): Promise<void> {
    await this.client.withDeadline(Date.now() + timeoutMs, () => this.client.workflowService.getSystemInfo({}));
  }

  private failure(action: WorkflowAction, err: unknown, context: { state?: StateInfo }): unknown {
    const mapped = fromTemporalError(err, context);
    this.count(action, mapped?.code ?? 'error');
    return mapped ?? err;
  }

  private count(action: WorkflowAction, outcome: string): void {
    this.metrics.workflowActions.inc({ action, outcome });
  }
}
