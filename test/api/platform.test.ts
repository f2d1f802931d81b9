/**
 * The API over the real stack (PostgreSQL, Temporal dev server, worker): service routes, authentication and
 * authorisation, profiles, idempotent orders, listing and reading invoices, and every transport error.
 */
import request from 'supertest';
import { pino } from 'pino';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { signProducerToken } from '../../api/auth';
import { startWebServer, stopWebServer } from '../../api/server';
import { Invoice } from '../../db/entities';
import { OrderIdKey, ProducerSiretKey } from '../../workflows/search-attributes';
import { invoiceWorkflowId } from '../../workflows/messages';
import { TechnicalAccount } from '../../chorus';
import { startSandbox } from '../../chorus-sandbox';
import { chorusClientFromConfig } from '../../worker/chorus-client';
import { startTestStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/wait';
import { uniqueId } from '../support/services';
import { buyerProfile, newSiret, orderBody, producerProfile, IBAN } from './fixtures';
import { attachedOnChorus, callers, expectError, type Callers, type InvoiceBody } from './support';

let stack: TestStack;
let app: ReturnType<typeof createApp>;
let as: Callers;
/** A Temporal that cannot be reached: every call fails after its (short) deadline. */
let downClient: Client;
let downApp: ReturnType<typeof createApp>;

beforeAll(async () => {
  stack = await startTestStack();
  app = createApp({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, options: { rateLimit: false } });
  as = callers(app, stack.config);
  downClient = new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) });
  downApp = createApp({
    config: stack.config,
    orm: stack.db.orm,
    temporalClient: downClient,
    options: { rateLimit: false, rpcTimeoutMs: 800, updateTimeoutMs: 800 },
  });
});
afterAll(async () => {
  await downClient?.connection.close();
  await stack?.teardown();
});

async function parties(options: { chorusEnabled?: boolean; kind?: 'PUBLIC' | 'PRIVATE'; serviceCode?: string } = {}) {
  const producerSiret = newSiret();
  const buyerSiret = newSiret();
  await attachedOnChorus(stack.sandbox.url, producerSiret);
  expect((await as.platform.put(`/producers/${producerSiret}`, producerProfile({ chorusEnabled: options.chorusEnabled ?? true }))).status).toBe(201);
  const buyer = buyerProfile({ kind: options.kind ?? 'PUBLIC', ...(options.serviceCode ? { serviceCode: options.serviceCode } : {}) });
  expect((await as.platform.put(`/buyers/${buyerSiret}`, buyer)).status).toBe(201);
  return { producerSiret, buyerSiret };
}

async function newOrder(p: { producerSiret: string; buyerSiret: string }, overrides: Record<string, unknown> = {}) {
  const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret, overrides);
  const res = await as.platform.post('/orders', body);
  expect(res.status).toBe(201);
  return { body, answer: res.body as { orderId: string; invoiceId: string; status: string } };
}

interface AccountStatus {
  status: string;
  passwordExpiresAt: string | null;
  daysLeft: number | null;
  readAt: string | null;
  ageSeconds: number | null;
  lastFailureAt?: string;
}

/** One /readyz call, which must answer well before any Chorus deadline in play (a few seconds at most). */
async function timedProbe(target: ReturnType<typeof createApp>): Promise<{ body: { status: string; chorusTechnicalAccount: AccountStatus } }> {
  const started = Date.now();
  const res = await request(target).get('/readyz');
  expect(Date.now() - started).toBeLessThan(3_000);
  return { body: res.body as { status: string; chorusTechnicalAccount: AccountStatus } };
}

/** The account's status once its first read (started by the first probe, in the background) is in. */
async function settledAccountStatus(target: ReturnType<typeof createApp>): Promise<AccountStatus> {
  let status: AccountStatus | undefined;
  await waitUntil(async () => (status = (await timedProbe(target)).body.chorusTechnicalAccount).status !== 'checking', 'the first read of the account');
  return status as AccountStatus;
}

describe('Service routes', () => {
  it('When /healthz and /readyz are called with PostgreSQL and Temporal up, then both answer 200', async () => {
    expect((await request(app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
  });

  it("When /readyz is called, then it says when our Chorus technical account's password expires, and warns within 30 days", async () => {
    const inAYear = await settledAccountStatus(app);
    expect(inAYear).toMatchObject({ status: 'ok', daysLeft: expect.any(Number) as number, readAt: expect.any(String) as string });
    expect(inAYear.daysLeft).toBeGreaterThan(300);

    const soon = new Date(Date.now() + 10 * 86_400_000 + 3_600_000).toISOString();
    await fetch(`${stack.sandbox.url}/sandbox/v1/config`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ technicalAccountPasswordExpiresAt: soon }) });
    // A fresh app: the account's answers are cached for 5 minutes.
    const fresh = createApp({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, options: { rateLimit: false } });
    const warned = await settledAccountStatus(fresh);
    expect(warned).toMatchObject({ status: 'expiring', passwordExpiresAt: soon, daysLeft: 10 });
    expect(warned.ageSeconds).toBeLessThan(60);
  });

  it('When Chorus hangs, then /readyz still answers at once, and says unreachable once the health-check deadline passed', async () => {
    // Every Chorus answer waits 10 minutes, and so would our client: only the probe's own deadline (8 s) ends the read.
    const hanging = await startSandbox({ port: 0, faults: { latencyMs: 600_000 } });
    try {
      const config = { ...stack.config, CHORUS_API_URL: hanging.url, CHORUS_OAUTH_URL: hanging.tokenUrl, CHORUS_TIMEOUT: 600_000 };
      const slow = createApp({ config, orm: stack.db.orm, temporalClient: stack.client, options: { rateLimit: false, rpcTimeoutMs: 8_000 } });
      const first = await timedProbe(slow);
      expect(first.body.status).toBe('ready');
      expect(first.body.chorusTechnicalAccount).toMatchObject({ status: 'checking', passwordExpiresAt: null, readAt: null });
      let last = first;
      await waitUntil(async () => (last = await timedProbe(slow)).body.chorusTechnicalAccount.status === 'unreachable', 'unreachable', { timeoutMs: 20_000, intervalMs: 500 });
      expect(last.body.chorusTechnicalAccount).toMatchObject({ status: 'unreachable', passwordExpiresAt: null, lastFailureAt: expect.any(String) as string });
      // The failure is kept 30 s: the probes since asked Chorus nothing more (one token request, still hanging).
      await timedProbe(slow);
      expect(hanging.state.stats()['POST /api/oauth/token']).toBe(1);
    } finally {
      await hanging.close();
    }
  }, 40_000);

  it('When Chorus stops answering, then /readyz keeps the last value read, with its age, and says unreachable', async () => {
    const gone = await startSandbox({ port: 0 });
    const config = { ...stack.config, CHORUS_API_URL: gone.url, CHORUS_OAUTH_URL: gone.tokenUrl, CHORUS_TIMEOUT: 600_000 };
    // Answers trusted 0 ms: every probe refreshes in the background.
    const account = new TechnicalAccount(chorusClientFromConfig(config), { ttlMs: 0 });
    const probed = createApp({ config, orm: stack.db.orm, temporalClient: stack.client, chorusAccount: account, options: { rateLimit: false, rpcTimeoutMs: 20_000 } });
    const known = await settledAccountStatus(probed);
    expect(known.status).toBe('ok');
    await gone.close();

    let last: Awaited<ReturnType<typeof timedProbe>> | undefined;
    await waitUntil(async () => (last = await timedProbe(probed)).body.chorusTechnicalAccount.status === 'unreachable', 'unreachable', { timeoutMs: 10_000, intervalMs: 200 });
    expect(last?.body.chorusTechnicalAccount).toMatchObject({ status: 'unreachable', passwordExpiresAt: known.passwordExpiresAt });
    // The last good read: the one seen, or a refresh that the probes (ttl 0) started before the sandbox went away.
    expect(Date.parse(last?.body.chorusTechnicalAccount.readAt ?? '')).toBeGreaterThanOrEqual(Date.parse(known.readAt ?? ''));
    expect(Date.parse(last?.body.chorusTechnicalAccount.readAt ?? '')).toBeLessThanOrEqual(Date.parse(last?.body.chorusTechnicalAccount.lastFailureAt ?? ''));
    expect(last?.body.chorusTechnicalAccount.ageSeconds).toEqual(expect.any(Number));
  });

  it('When Temporal cannot be reached, then /readyz answers 503 in the error shape and names it', async () => {
    const res = await request(downApp).get('/readyz');
    const error = expectError(res, 503, 'UNAVAILABLE', /temporal/);
    expect(error.details).toEqual([{ path: 'temporal', message: 'unreachable' }]);
  });

  it('When /openapi.json and /docs are read, then the document and its UI (with its own assets) are served', async () => {
    const doc = await request(app).get('/openapi.json');
    expect(doc.status).toBe(200);
    expect((doc.body as { openapi: string }).openapi).toBe('3.0.3');
    const docs = await request(app).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger-ui');
    const css = await request(app).get('/docs/swagger-ui.css');
    expect(css.status).toBe(200);
    const init = await request(app).get('/docs/swagger-ui-init.js');
    expect(init.text).toContain('/openapi.json');
  });

  it('When any route answers, then security headers and the request id are set (the client one is echoed)', async () => {
    const res = await request(app).get('/healthz').set('X-Request-Id', 'req-42.abc');
    expect(res.headers['x-request-id']).toBe('req-42.abc');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-powered-by']).toBeUndefined();
    const generated = await request(app).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('When /metrics is scraped without the admin key, then 401 without a credential and 403 with another one', async () => {
    expectError(await request(app).get('/metrics'), 401, 'UNAUTHENTICATED');
    expectError(await request(app).get('/metrics').set('Authorization', `Bearer ${stack.config.AGRILOCAL_API_KEY}`), 403, 'FORBIDDEN', /admin key/);
    expectError(await request(app).get('/metrics').set('Authorization', 'Bearer not-a-key'), 401, 'UNAUTHENTICATED');
  });

  it('When /metrics is scraped with the admin key, then request durations, invoices by status and workflow actions are there', async () => {
    const p = await parties();
    await newOrder(p);
    const res = await request(app).get('/metrics').set('Authorization', `Bearer ${stack.config.ADMIN_API_KEY}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/http_request_duration_seconds_bucket\{.*route="\/api\/v1\/orders".*\}/);
    expect(res.text).toMatch(/invoices_by_status\{status="EN_ATTENTE_VALIDATION"\} [1-9]/);
    expect(res.text).toMatch(/invoice_workflow_actions_total\{action="start",outcome="ok"\} [1-9]/);
  });

  it('When the web server is started on port 0, then it answers on the port it got and stops cleanly', async () => {
    const web = await startWebServer({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, port: 0 });
    expect(web.port).toBeGreaterThan(0);
    const res = await fetch(`${web.url}/healthz`);
    expect(await res.json()).toEqual({ status: 'ok' });
    await stopWebServer();
    await expect(fetch(`${web.url}/healthz`)).rejects.toThrow();
  });

  it('When a route does not exist, then 404 NOT_FOUND in JSON, inside /api/v1 or not', async () => {
    expectError(await request(app).get('/nope'), 404, 'NOT_FOUND', /No route GET \/nope/);
    expectError(await as.platform.get('/nope'), 404, 'NOT_FOUND');
    expectError(await as.platform.post('/producers'), 404, 'NOT_FOUND');
  });

  it('When a known path is asked with a method it does not have, then 405 METHOD_NOT_ALLOWED with the Allow header of the document', async () => {
    const key = `Bearer ${stack.config.AGRILOCAL_API_KEY}`;
    const trace = await request(app).trace('/api/v1/orders').set('Authorization', key);
    expectError(trace, 405, 'METHOD_NOT_ALLOWED', /TRACE is not a method of \/api\/v1\/orders/);
    expect(trace.headers.allow).toBe('POST');
    const del = await request(app).delete('/api/v1/invoices/0b6f3d1e-4a57-4c1b-9a4e-2f9d6a0c7e11').set('Authorization', key);
    expectError(del, 405, 'METHOD_NOT_ALLOWED');
    expect(del.headers.allow).toBe('GET, HEAD');
    const put = await request(app).put('/api/v1/webhooks').set('Authorization', key).send({});
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('POST, GET, HEAD');
    // Without a credential, the 401 comes first: the methods of a path are no secret, but nothing is answered unauthenticated.
    expectError(await request(app).trace('/api/v1/orders'), 401, 'UNAUTHENTICATED');
  });

  it('When requests carry keys and tokens, then the request logs show the request id but never the credential', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    const logged = createApp({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, logger, options: { rateLimit: false } });
    const token = await signProducerToken(stack.config.PRODUCER_JWT_SECRET, newSiret());
    await request(logged).get('/api/v1/invoices').set('Authorization', `Bearer ${stack.config.AGRILOCAL_API_KEY}`).set('X-Request-Id', 'log-check-1');
    await request(logged).get('/api/v1/invoices').set('Authorization', `Bearer ${token}`).set('Cookie', 'session=s3cr3t');
    await request(logged).get('/api/v1/invoices').set('Authorization', 'Bearer guessed-key');
    const text = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(text).toContain('"id":"log-check-1"');
    expect(text).toContain('"statusCode":401');
    for (const secret of [stack.config.AGRILOCAL_API_KEY, token, 's3cr3t', 'guessed-key']) expect(text).not.toContain(secret);
  });

  it('When the rate limit is passed, then 429 RATE_LIMITED in the error shape', async () => {
    const limited = createApp({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, options: { rateLimit: { windowMs: 60_000, limit: 2 } } });
    const limitedAs = callers(limited, stack.config);
    await limitedAs.platform.get('/invoices');
    await limitedAs.platform.get('/invoices');
    const res = await limitedAs.platform.get('/invoices');
    expectError(res, 429, 'RATE_LIMITED');
    expect(res.headers.ratelimit).toBeDefined();
  });
});

describe('Authentication and authorisation', () => {
  it('When no credential is sent, then every /api/v1 route answers 401 UNAUTHENTICATED', async () => {
    const siret = newSiret();
    const id = '0b6f3d1e-4a57-4c1b-9a4e-2f9d6a0c7e11';
    const calls = [
      as.anonymous.put(`/producers/${siret}`, producerProfile()),
      as.anonymous.put(`/buyers/${siret}`, buyerProfile()),
      as.anonymous.post('/orders', {}),
      as.anonymous.post('/orders/X/quantity-validation', {}),
      as.anonymous.post('/orders/X/cancel', {}),
      as.anonymous.get('/invoices'),
      as.anonymous.get(`/invoices/${id}`),
      as.anonymous.get(`/invoices/${id}/pdf`),
      ...['send', 'mark-processed', 'archive', 'recycle', 'complete'].map((a) => as.anonymous.post(`/invoices/${id}/${a}`, {})),
    ];
    for (const res of await Promise.all(calls)) expectError(res, 401, 'UNAUTHENTICATED', /Authorization: Bearer/);
  });

  it('When a wrong key or a token signed with another secret is sent, then 401', async () => {
    const forged = await signProducerToken('not-the-secret-not-the-secret-not-the-secret', newSiret());
    for (const credential of ['wrong-key', `${stack.config.AGRILOCAL_API_KEY}x`, forged]) {
      const res = await request(app).get('/api/v1/invoices').set('Authorization', `Bearer ${credential}`);
      expectError(res, 401, 'UNAUTHENTICATED', /Invalid credential/);
    }
  });

  it('When a producer or the admin calls a platform route, then 403 FORBIDDEN names who may', async () => {
    const siret = newSiret();
    const producer = await as.producer(siret);
    const calls = [
      producer.put(`/producers/${siret}`, producerProfile()),
      producer.put(`/buyers/${siret}`, buyerProfile()),
      producer.post('/orders', orderBody('CMD-X', siret, newSiret())),
      producer.post('/orders/CMD-X/quantity-validation', { validatedBy: 'PRODUCER', lines: [] }),
      producer.post('/orders/CMD-X/cancel', {}),
      as.admin.put(`/producers/${siret}`, producerProfile()),
      as.admin.post('/orders', {}),
    ];
    for (const res of await Promise.all(calls)) expectError(res, 403, 'FORBIDDEN', /platform/);
  });

  it("When producer A reads producer B's invoice, then 404 as if it did not exist; B and the platform see it", async () => {
    const p = await parties();
    const { answer } = await newOrder(p);
    const intruder = await as.producer(newSiret());
    const owner = await as.producer(p.producerSiret);
    expectError(await intruder.get(`/invoices/${answer.invoiceId}`), 404, 'NOT_FOUND', new RegExp(`No invoice ${answer.invoiceId}`));
    expectError(await intruder.get(`/invoices/${answer.invoiceId}/pdf`), 404, 'NOT_FOUND');
    for (const action of ['send', 'mark-processed', 'archive', 'recycle', 'complete']) {
      const body = action === 'send' ? { channel: 'EMAIL' } : action === 'recycle' ? { serviceCode: 'X' } : action === 'complete' ? { comment: 'x', attachments: [] } : {};
      expectError(await intruder.post(`/invoices/${answer.invoiceId}/${action}`, body), 404, 'NOT_FOUND');
    }
    expect((await intruder.get('/invoices')).body).toMatchObject({ total: 0, items: [] });
    expect((await owner.get(`/invoices/${answer.invoiceId}`)).status).toBe(200);
    expect((await as.platform.get(`/invoices/${answer.invoiceId}`)).status).toBe(200);
  });

  it('When the admin reads, then he sees every invoice but is offered no action and may not act', async () => {
    const p = await parties();
    const { answer } = await newOrder(p);
    const read = await as.admin.get(`/invoices/${answer.invoiceId}`);
    expect(read.status).toBe(200);
    expect((read.body as InvoiceBody).actions).toEqual([]);
    expectError(await as.admin.post(`/invoices/${answer.invoiceId}/archive`, {}), 403, 'FORBIDDEN', /admin key/);
  });
});

describe('Profiles', () => {
  it('When a producer profile is put twice, then 201 then 200, and the answer is the stored profile', async () => {
    const siret = newSiret();
    await attachedOnChorus(stack.sandbox.url, siret);
    const first = await as.platform.put(`/producers/${siret}`, producerProfile());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ siret, chorusEnabled: true, paymentMethod: { type: 'VIREMENT', iban: IBAN, bic: 'AGRIFRPP' }, vatNumber: 'FR40303265045' });
    const second = await as.platform.put(`/producers/${siret}`, producerProfile({ chorusEnabled: false, paymentMethod: { type: 'CHEQUE' }, vatNumber: null }));
    expect(second.status).toBe(200);
    // The payment method is replaced, not merged: no IBAN left on a cheque producer.
    expect(second.body).toMatchObject({ siret, chorusEnabled: false, paymentMethod: { type: 'CHEQUE' }, vatNumber: null });
    expect((second.body as { paymentMethod: object }).paymentMethod).toEqual({ type: 'CHEQUE' });
  });

  it('When a buyer profile is put twice, then 201 then 200', async () => {
    const siret = newSiret();
    expect((await as.platform.put(`/buyers/${siret}`, buyerProfile())).status).toBe(201);
    const again = await as.platform.put(`/buyers/${siret}`, buyerProfile({ kind: 'PRIVATE', serviceCode: null }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ siret, kind: 'PRIVATE', serviceCode: null });
  });

  it('When the path SIRET or a field is invalid, then 400 VALIDATION_ERROR names each field and its reason', async () => {
    const badPath = expectError(await as.platform.put('/producers/12345678901234', producerProfile()), 400, 'VALIDATION_ERROR', /path parameter/);
    expect(badPath.details).toEqual([{ path: 'siret', message: 'must be a SIRET: 14 digits with a valid check digit' }]);
    const res = await as.platform.put(`/producers/${newSiret()}`, producerProfile({ email: 'nope', paymentMethod: { type: 'VIREMENT', iban: 'FR7630006000011234567890188' }, extra: 1 }));
    const error = expectError(res, 400, 'VALIDATION_ERROR');
    expect(error.details).toEqual(
      expect.arrayContaining([
        { path: 'email', message: 'must be an e-mail address' },
        { path: 'paymentMethod.iban', message: 'must be a valid IBAN of a SEPA country (check digits and length)' },
        { path: 'extra', message: 'unknown field: remove it' },
      ]),
    );
  });

  it('When the body is not JSON, too large or of another type, then 400, 413 and 415 in the error shape', async () => {
    const siret = newSiret();
    const broken = await request(app).put(`/api/v1/producers/${siret}`).set('Authorization', `Bearer ${stack.config.AGRILOCAL_API_KEY}`).set('Content-Type', 'application/json').send('{"name": ');
    expectError(broken, 400, 'VALIDATION_ERROR', /not valid JSON/);
    const large = await as.platform.put(`/producers/${siret}`, producerProfile({ name: 'x'.repeat(300 * 1024) }));
    expectError(large, 413, 'PAYLOAD_TOO_LARGE');
    const text = await request(app).put(`/api/v1/producers/${siret}`).set('Authorization', `Bearer ${stack.config.AGRILOCAL_API_KEY}`).set('Content-Type', 'text/plain').send('name=x');
    expectError(text, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const huge = await as.platform.post('/invoices/0b6f3d1e-4a57-4c1b-9a4e-2f9d6a0c7e11/complete', { attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', contentBase64: 'A'.repeat(16 * 1024 * 1024) }] });
    expectError(huge, 413, 'PAYLOAD_TOO_LARGE');
  });
});

describe('Orders', () => {
  it('When an order is posted, then 201 with Location, a new invoice row and a running workflow with its search attributes', async () => {
    const p = await parties();
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret);
    const res = await as.platform.post('/orders', body);
    expect(res.status).toBe(201);
    const answer = res.body as { orderId: string; invoiceId: string; status: string };
    expect(answer).toEqual({ orderId: body.orderId, invoiceId: expect.stringMatching(/^[0-9a-f-]{36}$/) as string, status: 'EN_ATTENTE_VALIDATION' });
    expect(res.headers.location).toBe(`/api/v1/invoices/${answer.invoiceId}`);

    const description = await stack.client.workflow.getHandle(invoiceWorkflowId(body.orderId)).describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.taskQueue).toBe(stack.config.TEMPORAL_TASK_QUEUE);
    expect(description.typedSearchAttributes.get(OrderIdKey)).toBe(body.orderId);
    expect(description.typedSearchAttributes.get(ProducerSiretKey)).toBe(p.producerSiret);

    const invoice = (await as.platform.get(`/invoices/${answer.invoiceId}`)).body as InvoiceBody;
    expect(invoice).toMatchObject({
      invoiceId: answer.invoiceId,
      orderId: body.orderId,
      number: null,
      status: 'EN_ATTENTE_VALIDATION',
      buyerKind: 'PUBLIC',
      serviceCode: 'RESTAURATION', // from the buyer's profile, the order naming none
      totals: { ht: null, tva: null, ttc: null },
      actions: [],
    });
    expect(invoice.lines.map((l) => l.lineId)).toEqual(['L1', 'L2']);
  });

  it('When the same order is posted again (keys in another order), then 200 with the same answer and no second row', async () => {
    const p = await parties();
    const { body, answer } = await newOrder(p);
    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const again = await as.platform.post('/orders', reordered);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(answer);
    expect(again.headers.location).toBe(`/api/v1/invoices/${answer.invoiceId}`);
    expect(await stack.db.orm.em.fork().count(Invoice, { orderId: body.orderId })).toBe(1);
  });

  it('When the same orderId comes with another body, then 409 CONFLICT names orderId', async () => {
    const p = await parties();
    const { body } = await newOrder(p);
    const changed = { ...body, lines: [{ ...body.lines[0], orderedQuantity: '41' }, body.lines[1]] };
    const error = expectError(await as.platform.post('/orders', changed), 409, 'CONFLICT', /already exists with a different content/);
    expect(error.details).toEqual([{ path: 'orderId', message: 'already used by another order' }]);
  });

  it('When the same new order is posted 5 times at once, then one row, one workflow, one 201 and 200s with the same ids', async () => {
    const p = await parties();
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret);
    const answers = await Promise.all(Array.from({ length: 5 }, () => as.platform.post('/orders', body)));
    expect(answers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((r) => (r.body as { invoiceId: string }).invoiceId)).size).toBe(1);
    expect(await stack.db.orm.em.fork().count(Invoice, { orderId: body.orderId })).toBe(1);
  });

  it('When the producer or the buyer has no profile, then 422 names the field, and nothing is stored', async () => {
    const p = await parties();
    const orderId = uniqueId('CMD');
    const noProducer = expectError(await as.platform.post('/orders', orderBody(orderId, newSiret(), p.buyerSiret)), 422, 'UNKNOWN_PRODUCER', /PUT \/api\/v1\/producers/);
    expect(noProducer.details).toEqual([{ path: 'producerSiret', message: 'unknown producer' }]);
    const noBuyer = expectError(await as.platform.post('/orders', orderBody(orderId, p.producerSiret, newSiret())), 422, 'UNKNOWN_BUYER');
    expect(noBuyer.details).toEqual([{ path: 'buyerSiret', message: 'unknown buyer' }]);
    expect(await stack.db.orm.em.fork().count(Invoice, { orderId })).toBe(0);
  });

  it('When an order is invalid, then 400 names every bad field with its reason', async () => {
    const p = await parties();
    const body = orderBody('bad id!', p.producerSiret, p.buyerSiret, { deliveryDate: '2026-02-30', engagementCode: '' });
    (body.lines[0] as Record<string, unknown>).unitPriceHT = 1.85;
    (body.lines[1] as Record<string, unknown>).vatRate = '5.555';
    const error = expectError(await as.platform.post('/orders', body), 400, 'VALIDATION_ERROR', /Invalid body/);
    expect(error.details.map((d) => d.path).sort()).toEqual(['deliveryDate', 'engagementCode', 'lines.0.unitPriceHT', 'lines.1.vatRate', 'orderId']);
  });

  it('When Temporal is down, then POST /orders answers 503; the retry once it is back completes the job', async () => {
    const p = await parties();
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret);
    const down = await request(downApp).post('/api/v1/orders').set('Authorization', `Bearer ${stack.config.AGRILOCAL_API_KEY}`).send(body);
    expectError(down, 503, 'UNAVAILABLE', /Temporal/);
    // The row was written before the start failed: the retry adopts it and starts the workflow.
    const retry = await as.platform.post('/orders', body);
    expect(retry.status).toBe(200);
    const description = await stack.client.workflow.getHandle(invoiceWorkflowId(body.orderId)).describe();
    expect(description.status.name).toBe('RUNNING');
  });

  it('When Temporal is down, then an invoice action answers 503 UNAVAILABLE and says nothing changed', async () => {
    const p = await parties();
    const { answer } = await newOrder(p);
    const res = await request(downApp).post(`/api/v1/invoices/${answer.invoiceId}/archive`).set('Authorization', `Bearer ${stack.config.AGRILOCAL_API_KEY}`).send({});
    expectError(res, 503, 'UNAVAILABLE');
  });

  it('When an order or invoice does not exist, then 404 NOT_FOUND names it', async () => {
    expectError(await as.platform.post('/orders/NOPE-1/cancel', {}), 404, 'NOT_FOUND', /No order NOPE-1/);
    expectError(await as.platform.post('/orders/NOPE-1/quantity-validation', { validatedBy: 'BUYER', lines: [{ lineId: 'L1', deliveredQuantity: '1' }] }), 404, 'NOT_FOUND');
    expectError(await as.platform.get('/invoices/0b6f3d1e-4a57-4c1b-9a4e-2f9d6a0c7e11'), 404, 'NOT_FOUND');
    expectError(await as.platform.get('/invoices/not-a-uuid'), 400, 'VALIDATION_ERROR');
  });

  it('When the PDF is asked before the quantities are validated, then 404 says it is not made yet', async () => {
    const p = await parties();
    const { answer } = await newOrder(p);
    expectError(await as.platform.get(`/invoices/${answer.invoiceId}/pdf`), 404, 'NOT_FOUND', /does not exist yet.*EN_ATTENTE_VALIDATION/);
  });
});

describe('Listing invoices', () => {
  it('When a producer lists, then he sees only his invoices, newest first, paginated with the total', async () => {
    const p = await parties();
    const other = await parties();
    const mine = [];
    for (let i = 0; i < 3; i += 1) mine.push((await newOrder(p)).answer.invoiceId);
    await newOrder(other);
    const producer = await as.producer(p.producerSiret);
    const page1 = await producer.get('/invoices?pageSize=2');
    expect(page1.status).toBe(200);
    expect(page1.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    const page2 = await producer.get('/invoices?pageSize=2&page=2');
    const ids = [...(page1.body as { items: InvoiceBody[] }).items, ...(page2.body as { items: InvoiceBody[] }).items].map((i) => i.invoiceId);
    expect(ids).toEqual([...mine].reverse());
    expect((page1.body as { items: object[] }).items[0]).not.toHaveProperty('history');
  });

  it('When views and filters are combined, then only matching invoices come back', async () => {
    const p = await parties();
    await newOrder(p);
    const platform = as.platform;
    const q = `producerSiret=${p.producerSiret}`;
    expect((await platform.get(`/invoices?${q}`)).body).toMatchObject({ total: 1 });
    // An order waiting for its quantities is in neither list of the guide (docs/reference/agrilocal-chorus-guide.txt).
    expect((await platform.get(`/invoices?${q}&view=a_traiter`)).body).toMatchObject({ total: 0 });
    expect((await platform.get(`/invoices?${q}&view=traitees`)).body).toMatchObject({ total: 0 });
    expect((await platform.get(`/invoices?${q}&status=EN_ATTENTE_VALIDATION`)).body).toMatchObject({ total: 1 });
    expect((await platform.get(`/invoices?${q}&view=a_traiter&status=EN_ATTENTE_VALIDATION`)).body).toMatchObject({ total: 0 });
    expect((await platform.get(`/invoices?${q}&buyerSiret=${p.buyerSiret}`)).body).toMatchObject({ total: 1 });
    expect((await platform.get(`/invoices?${q}&buyerSiret=${newSiret()}`)).body).toMatchObject({ total: 0 });
    expect((await platform.get(`/invoices?${q}&chorusStatus=MISE_EN_PAIEMENT`)).body).toMatchObject({ total: 0 });
  });

  it('When the query is out of bounds or unknown, then 400 names each parameter', async () => {
    const error = expectError(await as.platform.get('/invoices?page=0&pageSize=500&view=toutes&status=PAYEE&sort=asc'), 400, 'VALIDATION_ERROR', /Invalid query/);
    expect(error.details.map((d) => d.path).sort()).toEqual(['page', 'pageSize', 'sort', 'status', 'view']);
    expectError(await as.platform.get('/invoices?page=1&page=2'), 400, 'VALIDATION_ERROR');
  });
});
