/**
 * The one way a use case changes an invoice: forward the action to its workflow as an Update (through the
 * gateway, api/invoice-workflow-gateway.ts), then answer with the invoice as PostgreSQL holds it afterwards.
 */
import type { UpdateDefinition } from '@temporalio/common';
import type { IInvoice } from '../../db/entities';
import type { InvoiceWorkflowInput } from '../../workflows/messages';
import { stateOf } from '../invoice-view';
import type { InvoiceResponse } from '../schemas';
import type { WorkflowAction } from '../invoice-workflow-gateway';
import type { UseCaseContext } from './context';
import { readInvoice } from './read';

/** Forwards one action to the invoice's workflow and answers with the invoice as stored afterwards. */
export async function act<Args extends unknown[]>(
  ctx: UseCaseContext,
  invoice: IInvoice,
  action: WorkflowAction,
  definition: UpdateDefinition<unknown, Args>,
  args: Args,
  startIfMissing?: () => InvoiceWorkflowInput,
): Promise<InvoiceResponse> {
  await ctx.workflows.update({
    action,
    orderId: invoice.orderId,
    workflowId: invoice.workflowId,
    definition,
    args,
    updateId: `${action}:${ctx.requestKey}`,
    state: stateOf(invoice, ctx.caller),
    ...(startIfMissing ? { startIfMissing } : {}),
  });
  return readInvoice(ctx, invoice.invoiceId);
}
