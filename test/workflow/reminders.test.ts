/** A producer who does not send his invoice is reminded (three times at most), and never after he acted. */
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, platform, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';
import { sleep, waitUntil } from '../support/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ env: { PRODUCER_REMINDER_AFTER: '700ms' } });
});
afterAll(async () => {
  await stack?.teardown();
});

async function invoiceToProcess() {
  const parties = await setUpParties(stack);
  const { orderId, invoiceId } = await createOrder(stack, parties);
  expect((await validateQuantities(stack, orderId)).status).toBe(200);
  const invoice = await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' });
  const reminders = () => stack.smtp.messages.filter((m) => m.subject === `Rappel : facture ${invoice.number} à traiter` && (m.to && 'text' in m.to ? m.to.text : '').includes(parties.producerEmail));
  return { invoiceId, reminders };
}

it('When the producer never acts, then he is reminded three times and no more', async () => {
  const { reminders } = await invoiceToProcess();
  await waitUntil(() => reminders().length >= 3, 'three reminders', { timeoutMs: 15_000, seen: () => `${reminders().length} reminder(s)` });
  await sleep(2000); // more than two reminder periods
  expect(reminders()).toHaveLength(3);
});

it('When the producer sends the invoice after a reminder, then no reminder follows', async () => {
  const { invoiceId, reminders } = await invoiceToProcess();
  await waitUntil(() => reminders().length >= 1, 'a first reminder', { timeoutMs: 10_000, seen: () => `${reminders().length} reminder(s)` });
  expect((await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'EMAIL' })).status).toBe(200);
  const count = reminders().length;
  await sleep(2000);
  expect(reminders()).toHaveLength(count);
});
