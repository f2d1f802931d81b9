/**
 * Fast quantity validation: the Update answers once the number and totals are recorded and the data checked; the
 * Factur-X is drawn afterwards on the documents task queue, and nothing that needs it runs before it exists.
 * Here the stack has no documents worker until the test starts one, so the wait is seen, not raced: a worker
 * process polling only the documents queue (WORKER_QUEUES=documents), as production runs the renderings.
 */
import type { ChildProcess } from 'node:child_process';
import { createOrder, platform, setUpParties, validateQuantities } from '../support/scenario';
import { startTestStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/wait';
import { killWorkerProcess, startWorkerProcess } from '../support/worker-process';

let stack: TestStack;
let documents: ChildProcess | undefined;
beforeAll(async () => {
  stack = await startTestStack({ withoutDocumentsWorker: true });
});
afterAll(async () => {
  if (documents) await killWorkerProcess(documents);
  await stack?.teardown();
});

describe('Quantity validation answers before the Factur-X is drawn', () => {
  it('When the quantities are validated, then 200 A_TRAITER at once; the PDF is 409 DOCUMENT_NOT_READY and the mail waits until the document exists', async () => {
    const parties = await setUpParties(stack);
    const { orderId, invoiceId } = await createOrder(stack, parties);
    const validated = await validateQuantities(stack, orderId);
    expect(validated.status).toBe(200);
    expect(validated.body).toMatchObject({ status: 'A_TRAITER', number: expect.stringMatching(/\S/) as unknown });

    const api = platform(stack);
    const notYet = await api.get(`/invoices/${invoiceId}/pdf`);
    expect(notYet.status).toBe(409);
    expect(notYet.headers['retry-after']).toBe('2');
    expect(notYet.body).toMatchObject({ error: { code: 'DOCUMENT_NOT_READY' } });

    // The producer sends it by mail meanwhile: the action waits for the document, then the buyer gets it attached.
    const sending = api.post(`/invoices/${invoiceId}/send`, { channel: 'EMAIL' });
    const started = await startWorkerProcess(stack, { WORKER_QUEUES: 'documents' });
    documents = started.child;
    expect(started.banner).toContain(`polling task queues "${stack.taskQueue}-documents" on`);
    const sent = await sending;
    expect(sent.status).toBe(200);
    const mail = await stack.smtp.waitFor((m) => m.to !== undefined && JSON.stringify(m.to).includes(parties.buyerEmail));
    expect(mail.attachments.map((a) => a.contentType)).toContain('application/pdf');

    await waitUntil(async () => (await api.get(`/invoices/${invoiceId}/pdf`)).status === 200, 'the PDF');
    const pdf = await api.get(`/invoices/${invoiceId}/pdf`).buffer(true);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
  });
});
