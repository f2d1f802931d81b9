/**
 * Webhooks past their retry window (WEBHOOK_RETRY_FOR shortened to 3 s for this stack): the event that keeps
 * failing is given up (FAILED in the log) and no longer holds the invoice's later events; a redelivery sends it
 * again. The receiver is a real HTTP server verifying signatures with the `standardwebhooks` package.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, getInvoice, platform, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';
import { waitUntil } from '../support/wait';

interface Delivery {
  deliveryId: string;
  eventId: string;
  state: string;
  attempts: number;
  lastStatusCode: number | null;
}

let stack: TestStack;
let server: http.Server;
let url: string;
const secret = `whsec_${randomBytes(32).toString('base64')}`;
/** webhook-ids in the order they were accepted; `refused` answers 500. */
const accepted: string[] = [];
let refused: string | undefined;
let unverified = 0;

beforeAll(async () => {
  stack = await startTestStack({
    sandbox: { flowProcessingDelayMs: 50 },
    env: { WEBHOOK_RETRY_INITIAL: '200ms', WEBHOOK_RETRY_MAX_INTERVAL: '400ms', WEBHOOK_RETRY_FOR: '3s' },
  });
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      try {
        new Webhook(secret).verify(Buffer.concat(chunks).toString('utf8'), headers);
      } catch {
        unverified += 1;
        res.writeHead(401).end();
        return;
      }
      const id = headers['webhook-id']!;
      if (refused === undefined) refused = id; // the first event ever sent is the one that keeps failing
      if (id === refused) {
        res.writeHead(500).end();
        return;
      }
      if (!accepted.includes(id)) accepted.push(id);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await stack?.teardown();
});

async function log(webhookId: string, invoiceId: string): Promise<Delivery[]> {
  const res = await platform(stack).get(`/webhooks/${webhookId}/deliveries?invoiceId=${invoiceId}&pageSize=100`);
  return (res.body as { items: Delivery[] }).items.reverse();
}

it('When an event keeps failing past the retry window, then it is FAILED, the later ones are delivered in order, and a redelivery sends it', async () => {
  const created = await platform(stack).post('/webhooks', { url, secret });
  expect(created.status).toBe(201);
  const webhookId = (created.body as { id: string }).id;
  const order = await createOrder(stack, await setUpParties(stack, { buyerKind: 'PRIVATE' }));
  expect((await validateQuantities(stack, order.orderId)).status).toBe(200);
  await waitForInvoice(stack, order.invoiceId, { status: 'ENVOYEE_MAIL' });

  let deliveries: Delivery[] = [];
  await waitUntil(
    async () => {
      const invoice = await getInvoice(stack, order.invoiceId);
      deliveries = await log(webhookId, order.invoiceId);
      return deliveries.length >= invoice.history.length && deliveries.slice(1).every((d) => d.state === 'DELIVERED');
    },
    'the later events delivered once the first one is given up',
    { timeoutMs: 20_000, intervalMs: 200, seen: () => JSON.stringify(deliveries) },
  );
  const [first, ...rest] = deliveries;
  expect(first).toMatchObject({ eventId: refused, state: 'FAILED', lastStatusCode: 500 });
  // Retried before it was given up (how many attempts fit in the window depends on the machine's load).
  expect(first!.attempts).toBeGreaterThanOrEqual(2);
  expect(accepted).toEqual(rest.map((d) => d.eventId));

  refused = 'none any more';
  const again = await platform(stack).post(`/webhooks/${webhookId}/deliveries/${first!.deliveryId}/redeliver`);
  expect(again.status).toBe(202);
  await waitUntil(async () => (await log(webhookId, order.invoiceId))[0]!.state === 'DELIVERED', 'the redelivered event');
  expect(accepted.at(-1)).toBe(first!.eventId);
  expect(unverified).toBe(0);
});
