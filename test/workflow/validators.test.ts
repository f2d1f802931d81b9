/**
 * The workflow's own Update validators, reached around the API (as the Temporal Web UI, the CLI or another
 * client would): they apply the same domain rules as the API and refuse with the fields named, in French.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { RefusalDetails } from '../../domain/refusals';
import { completeUpdate, validateQuantitiesUpdate, invoiceWorkflowId } from '../../workflows/messages';
import { createOrder, getInvoice, setUpParties } from '../support/scenario';
import { startTestStack, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.teardown();
});

/** The refusal an Update failed with: its code (failure type), message and details. */
async function refusalOf(update: Promise<unknown>): Promise<{ type: string | undefined; message: string; details: RefusalDetails }> {
  const error = await update.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  return { type: failure.type ?? undefined, message: failure.message, details: failure.details?.[0] ?? {} };
}

describe('invoice workflow validators, without the API', () => {
  it('When delivered lines do not match the order, then the Update is refused with each faulty line named and nothing is invoiced', async () => {
    const parties = await setUpParties(stack);
    const { orderId, invoiceId } = await createOrder(stack, parties);
    const handle = stack.client.workflow.getHandle(invoiceWorkflowId(orderId));

    const refusal = await refusalOf(
      handle.executeUpdate(validateQuantitiesUpdate, {
        args: [
          {
            validatedBy: 'BUYER',
            lines: [
              { lineId: 'L1', deliveredQuantity: '12.25' },
              { lineId: 'L1', deliveredQuantity: '1' },
              { lineId: 'L9', deliveredQuantity: '3' },
              { lineId: 'L3', deliveredQuantity: '2.5555' },
            ],
          },
        ],
      }),
    );

    expect(refusal.type).toBe('VALIDATION_ERROR');
    expect(refusal.message).toBe('Les quantités livrées ne correspondent pas à la commande.');
    const paths = (refusal.details.details ?? []).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['lines.1.lineId', 'lines.2.lineId', 'lines.3.deliveredQuantity', 'lines']));
    expect((refusal.details.details ?? []).find((d) => d.path === 'lines')?.message).toContain('L2');
    const invoice = await getInvoice(stack, invoiceId);
    expect(invoice.status).toBe('EN_ATTENTE_VALIDATION');
    expect(invoice.number).toBeNull();
  });

  it('When an action the state does not allow is sent, then it is refused with the status, the allowed actions and a French message', async () => {
    const parties = await setUpParties(stack);
    const { orderId } = await createOrder(stack, parties);
    const handle = stack.client.workflow.getHandle(invoiceWorkflowId(orderId));

    const refusal = await refusalOf(handle.executeUpdate(completeUpdate, { args: [{ attachmentIds: [], comment: 'Bon de livraison signé' }] }));

    expect(refusal.type).toBe('INVALID_STATE');
    expect(refusal.message).toBe(
      'La facture ne peut pas être complétée maintenant : la facture est « En attente de validation de la quantité livrée ».',
    );
    expect(refusal.details).toEqual({ status: 'EN_ATTENTE_VALIDATION', chorusStatus: null, allowedActions: [] });
  });
});
