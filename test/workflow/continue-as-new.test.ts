/**
 * History stays bounded: on a server that suggests continue-as-new after a few dozen events, an invoice
 * followed through its whole Chorus lifecycle continues as new several times and loses nothing on the way.
 */
import path from 'node:path';
import { startDevServer, type DevServer } from '../../scripts/lib/temporal-server';
import { freePort } from '../../scripts/lib/ports';
import { invoiceWorkflowId } from '../../workflows/messages';
import { testServices } from '../support/services';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, platform, sandboxControl, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';

let server: DevServer;
let stack: TestStack;
beforeAll(async () => {
  const { temporalCli, workDir } = testServices();
  server = await startDevServer({
    binary: temporalCli,
    port: await freePort(),
    unsafeFastSqlite: true,
    logFile: path.join(workDir, 'temporal-can.log'),
    extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
  });
  stack = await startTestStack({ temporalAddress: server.address, sandbox: { flowProcessingDelayMs: 20 } });
});
afterAll(async () => {
  await stack?.teardown();
  await server?.stop();
});

it('When the server suggests continue-as-new, then the invoice continues as new and reaches payment with its whole history', async () => {
  const parties = await setUpParties(stack);
  const { orderId, invoiceId } = await createOrder(stack, parties);
  expect((await validateQuantities(stack, orderId)).status).toBe(200);
  expect((await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
  const deposited = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
  const cpp = deposited.chorus.identifiantFactureCPP!;
  const path = ['MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE'];
  for (const statut of path) {
    await sandboxControl(stack, 'POST', `/invoices/${cpp}/status`, { statut });
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: statut });
  }
  await sandboxControl(stack, 'POST', `/invoices/${cpp}/status`, { statut: 'MISE_EN_PAIEMENT' });
  const paid = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });

  const runs: string[] = [];
  for await (const execution of stack.client.workflow.list({ query: `WorkflowId = "${invoiceWorkflowId(orderId)}"` })) runs.push(execution.runId);
  expect(runs.length).toBeGreaterThan(1);

  const codes = paid.history.map((h) => h.chorusStatus).filter((c) => c && c !== 'DEPOSEE');
  expect(codes).toEqual([...path, 'MISE_EN_PAIEMENT']);
  const seqs = await stack.db.orm.em
    .fork()
    .getConnection()
    .execute<{ seq: number }[]>('select seq from invoice_history where invoice_id = ? order by seq', [invoiceId]);
  expect(seqs.map((r) => r.seq)).toEqual(seqs.map((_, i) => i + 1));
});
