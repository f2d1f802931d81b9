/**
 * A worker process killed with SIGKILL while it deposits an invoice on Chorus: the next worker finishes the
 * job, Chorus holds one deposit of the number, and no mail goes out twice.
 */
import type { ChildProcess } from 'node:child_process';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, platform, sandboxControl, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';
import { waitUntil } from '../support/wait';
import { killWorkerProcess, startWorkerProcess } from '../support/worker-process';

let stack: TestStack;
const children: ChildProcess[] = [];
beforeAll(async () => {
  // Chorus is slowed to 1.5 s a call in this test: give each attempt room (the dead worker's attempt is retried
  // once ACTIVITY_TIMEOUT has passed).
  stack = await startTestStack({
    sandbox: { flowProcessingDelayMs: 50 },
    env: { ACTIVITY_TIMEOUT: '15s', CHORUS_TIMEOUT: '5s', CHORUS_FAILURE_BUDGET: '2m' },
  });
  await stack.stopWorker(); // only worker processes serve this file's task queue
});
afterAll(async () => {
  for (const c of children) await killWorkerProcess(c);
  await stack?.teardown();
});

async function startWorker(): Promise<ChildProcess> {
  const { child } = await startWorkerProcess(stack);
  children.push(child);
  return child;
}

async function depositCalls(): Promise<number> {
  const stats = (await sandboxControl(stack, 'GET', '/stats')) as Record<string, number>;
  return stats['POST /cpro/factures/v1/deposer/flux'] ?? 0;
}

it('When the worker is killed during the deposit, then a new worker completes it with one deposit and one mail of each kind', async () => {
  const first = await startWorker();
  const parties = await setUpParties(stack);
  const { orderId, invoiceId } = await createOrder(stack, parties);
  expect((await validateQuantities(stack, orderId)).status).toBe(200);
  await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' });

  // Slow Chorus down so the deposit call is in flight when the worker dies.
  await sandboxControl(stack, 'PUT', '/config', { faults: { latencyMs: 1500 } });
  const before = await depositCalls();
  // supertest sends a request only when it is then'd: `.then` starts it now, and the test awaits its answer later.
  // A 503 (the workflow recovering from the dead worker, or slow to answer on a loaded machine) is retried with the
  // same Idempotency-Key, as the API asks its clients to.
  const send = () =>
    platform(stack)
      .post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' })
      .set('Idempotency-Key', `crash-send-${invoiceId}`)
      .then((answer) => ({ status: answer.status, body: answer.body as unknown }));
  const firstAnswer = send();
  const deadline = Date.now() + 60_000;
  while ((await depositCalls()) === before) {
    if (Date.now() > deadline) throw new Error('the deposit never reached Chorus');
    await new Promise((r) => setTimeout(r, 20));
  }
  await killWorkerProcess(first);
  await sandboxControl(stack, 'PUT', '/config', { faults: { latencyMs: 0 } });

  await startWorker();
  let answer = await firstAnswer;
  for (let retries = 0; answer.status === 503 && retries < 10; retries += 1) {
    await new Promise((r) => setTimeout(r, 2000));
    answer = await send();
  }
  expect(answer).toMatchObject({ status: 200 });
  const deposited = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' }, 60_000);

  const onChorus = (await sandboxControl(stack, 'GET', `/invoices?numeroFacture=${deposited.number}&siretFournisseur=${parties.producerSiret}`)) as {
    invoices: { depositCount: number }[];
  };
  const list = onChorus.invoices;
  expect(list).toHaveLength(1);
  expect(list[0]!.depositCount).toBe(1);

  // `mail_key` is the primary key of sent_mail, so a mail sent twice under one key still leaves one row: count
  // what the SMTP server received instead, per Message-ID (derived from the key), for every row of the invoice.
  const sentMails = () =>
    stack.db.orm.em.fork().getConnection().execute<{ mail_key: string; kind: string; state: string; message_id: string }[]>(
      `select mail_key, kind, state, message_id from sent_mail where invoice_id = ? order by mail_key`,
      [invoiceId],
    );
  let rows = await sentMails();
  await waitUntil(async () => (rows = await sentMails()).every((r) => r.state === 'SENT'), 'every mail of the invoice to be sent', {
    seen: () => rows.map((r) => `${r.mail_key}: ${r.state}`).join(', '),
  });
  expect(rows.map((r) => r.kind)).toContain('PRODUCER_INVOICE_READY');
  const copies = rows.map((r) => ({ mailKey: r.mail_key, copies: stack.smtp.messages.filter((m) => m.messageId === r.message_id).length }));
  expect(copies).toEqual(rows.map((r) => ({ mailKey: r.mail_key, copies: 1 })));
}, 180_000);
