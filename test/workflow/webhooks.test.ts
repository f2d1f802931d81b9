/**
 * Webhooks end to end: real invoices driven through the API and the Chorus sandbox, events delivered by the
 * dispatcher workflow to a real HTTP receiver (node:http) that checks every signature with the `standardwebhooks`
 * package (the specification's own verifier) and dedupes on `webhook-id` as the specification tells receivers to.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, getInvoice, makeSiret, platform, sandboxControl, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';
import { signProducerToken } from '../../api/auth';
import { waitUntil } from '../support/wait';
import { expectError } from '../api/support';
import { webhookDispatcherId } from '../../workflows/webhook-dispatcher';
import { WebhookEndpoint } from '../../db/entities';
import { createApp } from '../../api/app';
import { rearmWebhookDispatchers } from '../../api/use-cases/webhooks';
import { WebhookDispatchers } from '../../api/webhook-dispatchers';

interface EventBody {
  type: string;
  timestamp: string;
  data: {
    invoiceId: string;
    orderId: string;
    number: string | null;
    status: string;
    chorusStatus: string | null;
    actions: string[];
    change?: { seq: number; status: string; chorusStatus: string | null; previousStatus: string };
    mail?: { kind: string; messageId: string };
  };
}
interface Seen {
  id: string;
  headers: Record<string, string>;
  body: string;
  event: EventBody;
  verified: boolean;
  answered: number;
}

/** A platform's receiver: verifies, answers what `respond` says, processes each webhook-id once. */
class Receiver {
  readonly requests: Seen[] = [];
  /** Processed events in processing order, once per webhook-id. */
  readonly processed: EventBody[] = [];
  private readonly processedIds = new Set<string>();
  respond: (event: EventBody) => number = () => 204;
  private server?: http.Server;
  port = 0;

  constructor(readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/agrilocal`;
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        let verified = true;
        try {
          new Webhook(this.secret).verify(body, headers);
        } catch {
          verified = false;
        }
        const event = JSON.parse(body) as EventBody;
        const answered = verified ? this.respond(event) : 401;
        const id = headers['webhook-id']!;
        this.requests.push({ id, headers, body, event, verified, answered });
        if (answered < 300 && !this.processedIds.has(id)) {
          this.processedIds.add(id);
          this.processed.push(event);
        }
        res.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  eventsOf(invoiceId: string): EventBody[] {
    return this.processed.filter((e) => e.data.invoiceId === invoiceId);
  }
}

interface Delivery {
  deliveryId: string;
  eventId: string;
  type: string;
  invoiceId: string;
  state: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
}

const newSecret = (bytes = 32): string => `whsec_${randomBytes(bytes).toString('base64')}`;

let stack: TestStack;
const receivers: Receiver[] = [];
const endpoints: string[] = [];

beforeAll(async () => {
  stack = await startTestStack({ sandbox: { flowProcessingDelayMs: 50 } });
});
afterEach(async () => {
  // Events fan out to every endpoint registered: each test removes its own.
  for (const id of endpoints.splice(0)) await request(stack.app).delete(`/api/v1/webhooks/${id}`).set(auth());
  for (const r of receivers.splice(0)) await r.stop();
});
afterAll(async () => {
  await stack?.teardown();
});

const auth = () => ({ Authorization: `Bearer ${stack.config.AGRILOCAL_API_KEY}` });

async function receiverWithEndpoint(): Promise<{ receiver: Receiver; webhookId: string }> {
  const receiver = new Receiver(newSecret());
  receivers.push(receiver);
  await receiver.start();
  const res = await platform(stack).post('/webhooks', { url: receiver.url, secret: receiver.secret });
  expect(res.status).toBe(201);
  const webhookId = (res.body as { id: string }).id;
  endpoints.push(webhookId);
  return { receiver, webhookId };
}

async function deliveries(webhookId: string, invoiceId: string): Promise<Delivery[]> {
  const res = await platform(stack).get(`/webhooks/${webhookId}/deliveries?invoiceId=${invoiceId}&pageSize=100`);
  expect(res.status).toBe(200);
  // Newest first in the log: reversed, the order the events happened in.
  return ((res.body as { items: Delivery[] }).items).reverse();
}

/** Distinct mails of the invoice the SMTP server accepted (their Message-ID is derived from the invoice id). */
const mailsOf = (invoiceId: string): number => new Set(stack.smtp.messages.map((m) => m.messageId).filter((id) => id?.includes(invoiceId))).size;

/**
 * Waits until every change of the invoice reached the receiver: one event per history entry and per mail,
 * each delivered, and processed once.
 */
async function waitAllDelivered(receiver: Receiver, webhookId: string, invoiceId: string): Promise<Delivery[]> {
  let log: Delivery[] = [];
  let expected = 0;
  await waitUntil(
    async () => {
      const invoice = await getInvoice(stack, invoiceId);
      expected = invoice.history.length + mailsOf(invoiceId);
      log = await deliveries(webhookId, invoiceId);
      return log.length === expected && log.every((d) => d.state === 'DELIVERED') && receiver.eventsOf(invoiceId).length === expected;
    },
    `every event of ${invoiceId} delivered`,
    { timeoutMs: 30_000, intervalMs: 200, seen: () => `${receiver.eventsOf(invoiceId).length}/${expected} processed; log ${JSON.stringify(log.map((d) => [d.type, d.state, d.attempts, d.lastError]))}` },
  );
  return log;
}

/** The receiver processed the invoice's events in the order they happened, and they tell its history. */
async function expectInOrder(receiver: Receiver, log: Delivery[], invoiceId: string): Promise<void> {
  const events = receiver.eventsOf(invoiceId);
  expect(events).toHaveLength(log.length);
  const idsInProcessingOrder = receiver.requests.filter((r) => r.answered < 300 && r.event.data.invoiceId === invoiceId).map((r) => r.id);
  expect([...new Set(idsInProcessingOrder)]).toEqual(log.map((d) => d.eventId));
  const invoice = await getInvoice(stack, invoiceId);
  const changes = events.filter((e) => e.data.change).map((e) => e.data.change!);
  expect(changes.map((c) => c.seq)).toEqual(invoice.history.map((_, i) => i + 1));
  expect(changes.map((c) => [c.status, c.chorusStatus])).toEqual(invoice.history.map((h) => [h.status, h.chorusStatus]));
}

async function moveOnChorus(cpp: string, statut: string): Promise<void> {
  await sandboxControl(stack, 'POST', `/invoices/${cpp}/status`, { statut });
}

describe('webhook endpoints', () => {
  it('When an endpoint is registered, then its secret is checked, sealed and never shown again; deleting it ends its dispatcher', async () => {
    const api = platform(stack);
    const token = await signProducerToken(stack.config.PRODUCER_JWT_SECRET, makeSiret());
    const asProducer = await request(stack.app).post('/api/v1/webhooks').set({ Authorization: `Bearer ${token}` }).send({ url: 'http://127.0.0.1:9/x', secret: newSecret() });
    expectError(asProducer, 403, 'FORBIDDEN');

    expect(expectError(await api.post('/webhooks', { url: 'http://127.0.0.1:9/x' }), 400, 'VALIDATION_ERROR').details).toEqual([{ path: 'secret', message: 'required' }]);
    const refusals: [object, string, RegExp][] = [
      [{ secret: 'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr' }, 'secret', /whsec_/],
      [{ secret: 'whsec_not base64!' }, 'secret', /base64/],
      [{ secret: newSecret(16) }, 'secret', /24 to 64 random bytes \(this one has 16\)/],
      [{ secret: newSecret(65) }, 'secret', /this one has 65/],
      [{ url: 'http://agrilocal.example/hooks' }, 'url', /https/],
      [{ url: 'ftp://127.0.0.1/hooks' }, 'url', /https/],
      [{ url: 'https://user:pass@agrilocal.example/hooks' }, 'url', /user name or password/],
      [{ url: 'not a url' }, 'url', /absolute URL/],
    ];
    for (const [change, field, message] of refusals) {
      const error = expectError(await api.post('/webhooks', { url: 'https://agrilocal.example/hooks', secret: newSecret(), ...change }), 422, 'WEBHOOK_ENDPOINT_INVALID');
      expect(error.details).toEqual([{ path: field, message: expect.stringMatching(message) as string }]);
      expect(error.message).toContain(field);
    }
    const both = expectError(await api.post('/webhooks', { url: 'http://agrilocal.example/hooks', secret: 'whsec_' }), 422, 'WEBHOOK_ENDPOINT_INVALID');
    expect(both.details.map((d) => d.path)).toEqual(['url', 'secret']);

    // In production, https only: the same loopback URL is refused.
    const production = createApp({ config: { ...stack.config, NODE_ENV: 'production' }, orm: stack.db.orm, temporalClient: stack.client });
    const inProduction = await request(production).post('/api/v1/webhooks').set(auth()).send({ url: 'http://127.0.0.1:9/x', secret: newSecret() });
    expect(expectError(inProduction, 422, 'WEBHOOK_ENDPOINT_INVALID').details).toEqual([{ path: 'url', message: 'must use https in production' }]);

    const secret = newSecret(64);
    const created = await api.post('/webhooks', { url: 'https://agrilocal.example/hooks', secret });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    endpoints.push(id);
    expect(created.body).toEqual({ id: expect.any(String) as string, url: 'https://agrilocal.example/hooks', createdAt: expect.any(String) as string });
    expect(created.headers.location).toBe(`/api/v1/webhooks/${id}`);
    const list = await api.get('/webhooks');
    expect((list.body as { items: { id: string }[] }).items.map((e) => e.id)).toContain(id);
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(6, 30));
    const row = await stack.db.orm.em.fork().findOneOrFail(WebhookEndpoint, { id });
    expect(row.secretSealed).not.toContain(secret.slice(6, 30));
    expect(row.secretSealed).toMatch(/^v1\./);

    const dispatcher = stack.client.workflow.getHandle(webhookDispatcherId(id));
    expect((await dispatcher.describe()).status.name).toBe('RUNNING');
    expect((await request(stack.app).delete(`/api/v1/webhooks/${id}`).set(auth())).status).toBe(204);
    endpoints.splice(endpoints.indexOf(id), 1);
    expectError(await request(stack.app).delete(`/api/v1/webhooks/${id}`).set(auth()), 404, 'NOT_FOUND');
    expectError(await api.get(`/webhooks/${id}/deliveries`), 404, 'NOT_FOUND');
    await dispatcher.result(); // ends on its own once it sees the endpoint gone
  });
});

describe('webhook deliveries', () => {
  it('When invoices change, then every change and mail reaches the endpoint signed (standardwebhooks verifies) and in order per invoice', async () => {
    const { receiver, webhookId } = await receiverWithEndpoint();
    const publicParties = await setUpParties(stack);
    const privateParties = await setUpParties(stack, { buyerKind: 'PRIVATE' });
    const chorusOrder = await createOrder(stack, publicParties);
    const mailOrder = await createOrder(stack, privateParties);
    expect((await validateQuantities(stack, chorusOrder.orderId)).status).toBe(200);
    expect((await validateQuantities(stack, mailOrder.orderId)).status).toBe(200);
    expect((await platform(stack).post(`/invoices/${chorusOrder.invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
    const deposited = await waitForInvoice(stack, chorusOrder.invoiceId, { status: 'DEPOSEE_CHORUS' });
    for (const statut of ['MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_EN_PAIEMENT']) await moveOnChorus(deposited.chorus.identifiantFactureCPP!, statut);
    await waitForInvoice(stack, chorusOrder.invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    await waitForInvoice(stack, mailOrder.invoiceId, { status: 'ENVOYEE_MAIL' });

    const chorusLog = await waitAllDelivered(receiver, webhookId, chorusOrder.invoiceId);
    const mailLog = await waitAllDelivered(receiver, webhookId, mailOrder.invoiceId);
    await expectInOrder(receiver, chorusLog, chorusOrder.invoiceId);
    await expectInOrder(receiver, mailLog, mailOrder.invoiceId);
    expect(receiver.requests.every((r) => r.verified)).toBe(true);

    // The types tell what changed; the data is the invoice's view at that moment.
    const types = receiver.eventsOf(chorusOrder.invoiceId).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['invoice.status_changed', 'invoice.chorus_status_changed', 'invoice.mail_sent']));
    const paid = receiver.eventsOf(chorusOrder.invoiceId).find((e) => e.data.change?.chorusStatus === 'MISE_EN_PAIEMENT')!;
    expect(paid.type).toBe('invoice.chorus_status_changed');
    expect(paid.data).toMatchObject({ invoiceId: chorusOrder.invoiceId, orderId: chorusOrder.orderId, number: deposited.number, status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    expect(paid.data.change).toMatchObject({ previousStatus: 'DEPOSEE_CHORUS', status: 'DEPOSEE_CHORUS' });
    expect(new Date(paid.timestamp).toISOString()).toBe(paid.timestamp);
    const buyerMail = receiver.eventsOf(mailOrder.invoiceId).find((e) => e.type === 'invoice.mail_sent' && e.data.mail?.kind === 'INVOICE_TO_BUYER');
    expect(buyerMail?.data.mail?.messageId).toContain(mailOrder.invoiceId);

    // The signature is the documented one: a changed byte of the body or another secret fails verification.
    const sample = receiver.requests[0]!;
    expect(sample.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+={0,2}$/);
    expect(() => new Webhook(receiver.secret).verify(sample.body.replace('"type":"', '"type":"x'), sample.headers)).toThrow();
    expect(() => new Webhook(newSecret()).verify(sample.body, sample.headers)).toThrow();
  });

  it('When the receiver is down, then the invoices go on; when only one invoice fails, only its later events wait; back up, everything arrives in order', async () => {
    const { receiver, webhookId } = await receiverWithEndpoint();
    await receiver.stop(); // connection refused

    const parties = await setUpParties(stack, { buyerKind: 'PRIVATE' });
    const stuck = await createOrder(stack, parties);
    expect((await validateQuantities(stack, stuck.orderId)).status).toBe(200);
    // The invoice does not wait for its webhooks.
    await waitForInvoice(stack, stuck.invoiceId, { status: 'ENVOYEE_MAIL' });
    await waitUntil(
      async () => (await deliveries(webhookId, stuck.invoiceId)).some((d) => d.attempts >= 3),
      'a few failed attempts',
      { timeoutMs: 20_000, intervalMs: 200 },
    );
    const whileDown = await deliveries(webhookId, stuck.invoiceId);
    expect(whileDown.every((d) => d.state === 'PENDING')).toBe(true);
    // Only the oldest event is tried; the later ones wait behind it.
    expect(whileDown[0]).toMatchObject({ lastStatusCode: null, lastError: expect.stringContaining('ECONNREFUSED') as string });
    expect(whileDown.slice(1).every((d) => d.attempts === 0)).toBe(true);

    // Back up, but refusing this invoice's events (503) while accepting another invoice's.
    receiver.respond = (event) => (event.data.invoiceId === stuck.invoiceId ? 503 : 200);
    await receiver.start();
    const other = await createOrder(stack, await setUpParties(stack, { buyerKind: 'PRIVATE' }));
    expect((await validateQuantities(stack, other.orderId)).status).toBe(200);
    await waitForInvoice(stack, other.invoiceId, { status: 'ENVOYEE_MAIL' });
    await waitAllDelivered(receiver, webhookId, other.invoiceId);
    const blocked = await deliveries(webhookId, stuck.invoiceId);
    expect(blocked[0]).toMatchObject({ state: 'PENDING', lastStatusCode: 503, lastError: 'HTTP 503' });
    expect(blocked.slice(1).every((d) => d.attempts === 0)).toBe(true);
    expect(new Set(receiver.requests.filter((r) => r.event.data.invoiceId === stuck.invoiceId).map((r) => r.id))).toEqual(new Set([blocked[0]!.eventId]));

    receiver.respond = () => 204;
    const log = await waitAllDelivered(receiver, webhookId, stuck.invoiceId);
    await expectInOrder(receiver, log, stuck.invoiceId);
    expect(log[0]!.attempts).toBeGreaterThanOrEqual(4);
    expect(log[0]!.lastStatusCode).toBe(204);
  });

  it('When an event is redelivered, then it comes again with the same webhook-id and a deduping receiver processes it once', async () => {
    const { receiver, webhookId } = await receiverWithEndpoint();
    const order = await createOrder(stack, await setUpParties(stack, { buyerKind: 'PRIVATE' }));
    expect((await validateQuantities(stack, order.orderId)).status).toBe(200);
    await waitForInvoice(stack, order.invoiceId, { status: 'ENVOYEE_MAIL' });
    const log = await waitAllDelivered(receiver, webhookId, order.invoiceId);
    const first = log[0]!;
    expect(first).toMatchObject({ state: 'DELIVERED', attempts: 1, lastStatusCode: 204, lastError: null, deliveredAt: expect.any(String) as string });

    const again = await platform(stack).post(`/webhooks/${webhookId}/deliveries/${first.deliveryId}/redeliver`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ deliveryId: first.deliveryId, eventId: first.eventId, state: 'PENDING' });
    await waitUntil(async () => (await deliveries(webhookId, order.invoiceId))[0]!.attempts === 2 && (await deliveries(webhookId, order.invoiceId))[0]!.state === 'DELIVERED', 'the redelivery');
    expect(receiver.requests.filter((r) => r.id === first.eventId)).toHaveLength(2);
    expect(receiver.eventsOf(order.invoiceId)).toHaveLength(log.length);
    const [sent, resent] = receiver.requests.filter((r) => r.id === first.eventId);
    expect(resent!.body).toBe(sent!.body);
    expect(resent!.verified).toBe(true);

    expectError(await platform(stack).post(`/webhooks/${webhookId}/deliveries/${randomUUID()}/redeliver`), 404, 'NOT_FOUND');
    expectError(await platform(stack).post(`/webhooks/${randomUUID()}/deliveries/${first.deliveryId}/redeliver`), 404, 'NOT_FOUND');
    expectError(await platform(stack).get(`/webhooks/${webhookId}/deliveries?state=LOST`), 400, 'VALIDATION_ERROR');
    const failedOnly = await platform(stack).get(`/webhooks/${webhookId}/deliveries?state=FAILED`);
    expect(failedOnly.body).toMatchObject({ items: [], total: 0 });

    // A dispatcher terminated by hand is started again when the API starts.
    const dispatcher = stack.client.workflow.getHandle(webhookDispatcherId(webhookId));
    await dispatcher.terminate('by hand, in the Web UI');
    await rearmWebhookDispatchers(stack.db.orm.em.fork(), new WebhookDispatchers(stack.client, stack.config, 5_000));
    expect((await stack.client.workflow.getHandle(webhookDispatcherId(webhookId)).describe()).status.name).toBe('RUNNING');
  });
});
