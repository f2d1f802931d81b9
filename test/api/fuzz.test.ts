/**
 * Random and malformed requests on every route (fast-check, bounded runs): each answer is a 4xx in the
 * contract's error shape, never a 500, and nothing is left behind in the database.
 */
import fc from 'fast-check';
import request from 'supertest';
import type { z } from 'zod';
import { createApp } from '../../api/app';
import * as s from '../../api/schemas';
import { startTestStack, type TestStack } from '../support/stack';
import { uniqueId } from '../support/services';
import { buyerProfile, newSiret, orderBody, producerProfile } from './fixtures';
import { attachedOnChorus, callers, type Callers, type ErrorAnswer } from './support';

let stack: TestStack;
let app: ReturnType<typeof createApp>;
let as: Callers;
const fixture = { producerSiret: newSiret(), buyerSiret: newSiret(), orderId: uniqueId('CMD'), invoiceId: '' };

const TABLES = ['producer', 'buyer', 'invoice', 'invoice_history', 'invoice_document', 'invoice_attachment', 'sent_mail', 'chorus_deposit'];
async function rowCounts(): Promise<Record<string, number>> {
  const connection = stack.db.orm.em.fork().getConnection();
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const [row] = await connection.execute<{ n: string }[]>(`select count(*)::text as n from "${table}"`);
    counts[table] = Number(row?.n);
  }
  return counts;
}

beforeAll(async () => {
  stack = await startTestStack();
  app = createApp({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, options: { rateLimit: false } });
  as = callers(app, stack.config);
  await attachedOnChorus(stack.sandbox.url, fixture.producerSiret);
  expect((await as.platform.put(`/producers/${fixture.producerSiret}`, producerProfile())).status).toBe(201);
  expect((await as.platform.put(`/buyers/${fixture.buyerSiret}`, buyerProfile())).status).toBe(201);
  const order = await as.platform.post('/orders', orderBody(fixture.orderId, fixture.producerSiret, fixture.buyerSiret));
  expect(order.status).toBe(201);
  fixture.invoiceId = (order.body as { invoiceId: string }).invoiceId;
  // Let the workflow write its first history row, so that the counts below are stable.
  const deadline = Date.now() + 20_000;
  while ((await rowCounts()).invoice_history === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
});
afterAll(async () => {
  await stack?.teardown();
});

/** Any JSON, including strings with control characters and lone surrogates. */
const anyJson = fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' });

type Json = fc.JsonValue;
type Container = Record<string | number, Json>;

/** Every path inside a JSON value (objects and arrays), root included. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v as Json, [...prefix, k]));
  return out;
}

/** A copy of `root` with `change` applied to the parent of `path` (path not empty). */
function changedAt(root: Json, path: (string | number)[], change: (parent: Container, key: string | number) => void): Json {
  const copy = structuredClone(root);
  let parent = copy as Container;
  for (const key of path.slice(0, -1)) parent = parent[key] as Container;
  change(parent, path[path.length - 1]!);
  return copy;
}

/** A valid body broken in one place: a field dropped, replaced by any JSON, or an unknown field added. */
function corrupted(valid: Json): fc.Arbitrary<Json> {
  const inner = paths(valid).filter((p) => p.length > 0);
  const broken: fc.Arbitrary<Json>[] = [anyJson];
  if (inner.length > 0) {
    broken.push(
      fc.constantFrom(...inner).map((path) =>
        changedAt(valid, path, (parent, key) => {
          if (Array.isArray(parent)) parent.splice(Number(key), 1);
          else delete parent[key];
        }),
      ),
      fc.record({ path: fc.constantFrom(...inner), value: anyJson }).map(({ path, value }) =>
        changedAt(valid, path, (parent, key) => {
          parent[key] = value;
        }),
      ),
    );
  }
  if (valid !== null && typeof valid === 'object' && !Array.isArray(valid)) {
    broken.push(fc.record({ value: anyJson, name: fc.string({ minLength: 1, maxLength: 12 }) }).map(({ value, name }) => ({ ...valid, [`x_${name}`]: value })));
  }
  return fc.oneof(...broken);
}

/** Any JSON value as the body, sent as text (superagent only sends objects itself). */
const withJson = (test: request.Test, body: Json): request.Test => test.set('Content-Type', 'application/json').send(JSON.stringify(body));

const PDF = Buffer.from('%PDF-1.4 fuzz').toString('base64');
/** Lone surrogates cannot be percent-encoded: they travel as U+FFFD, as a browser would send them. */
const enc = (x: string) => encodeURIComponent(Buffer.from(x, 'utf8').toString('utf8'));

interface Target {
  name: string;
  /** The request, not sent yet (GET: built from the generated value as its query). */
  start(value: Json): request.Test;
  /** Bodies the API would accept (and act on) are not sent: the property is about refusals. */
  schema: z.ZodType;
  valid: Json;
  /** What the API will see of the generated value (a query string only carries strings). */
  seen?: (value: Json) => Json;
}

const asQuery = (value: Json): Record<string, string> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
    : {};

const send = (t: Target, value: Json): request.Test => (t.seen ? t.start(value) : withJson(t.start(value), value));

function targets(): Target[] {
  const id = () => fixture.invoiceId;
  const post = (path: () => string) => () => as.platform.post(path());
  return [
    { name: 'PUT producer', start: () => as.platform.put(`/producers/${fixture.producerSiret}`), schema: s.producerBody, valid: producerProfile() },
    { name: 'PUT buyer', start: () => as.platform.put(`/buyers/${fixture.buyerSiret}`), schema: s.buyerBody, valid: buyerProfile() },
    { name: 'POST order', start: post(() => '/orders'), schema: s.orderBody, valid: orderBody(uniqueId('FUZZ'), fixture.producerSiret, fixture.buyerSiret) },
    {
      name: 'quantity-validation',
      start: post(() => `/orders/${fixture.orderId}/quantity-validation`),
      schema: s.quantityValidationBody,
      valid: { validatedBy: 'PRODUCER', lines: [{ lineId: 'L1', deliveredQuantity: '40' }, { lineId: 'L2', deliveredQuantity: '120' }] },
    },
    { name: 'cancel', start: post(() => `/orders/${fixture.orderId}/cancel`), schema: s.cancelBody, valid: { reason: 'test' } },
    { name: 'send', start: post(() => `/invoices/${id()}/send`), schema: s.sendBody, valid: { channel: 'EMAIL', engagementCode: 'EJ-1' } },
    { name: 'mark-processed', start: post(() => `/invoices/${id()}/mark-processed`), schema: s.emptyBody, valid: {} },
    { name: 'archive', start: post(() => `/invoices/${id()}/archive`), schema: s.emptyBody, valid: {} },
    { name: 'recycle', start: post(() => `/invoices/${id()}/recycle`), schema: s.recycleBody, valid: { buyerSiret: fixture.buyerSiret, engagementCode: 'EJ-1' } },
    {
      name: 'complete',
      start: post(() => `/invoices/${id()}/complete`),
      schema: s.completeBody,
      valid: { comment: 'pièces', attachments: [{ filename: 'bl.pdf', contentType: 'application/pdf', contentBase64: PDF }] },
    },
    {
      name: 'GET invoices',
      start: (q) => as.platform.get(`/invoices?${new URLSearchParams(asQuery(q)).toString()}`),
      seen: asQuery,
      schema: s.listQuery,
      valid: { view: 'a_traiter', status: 'A_TRAITER', page: '1', pageSize: '10' },
    },
  ];
}

function expectRefusal(res: request.Response, what: string): void {
  if (res.status < 400 || res.status >= 500) throw new Error(`${what}: expected a 4xx, got ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const { error } = res.body as ErrorAnswer;
  expect(typeof error.code).toBe('string');
  expect(typeof error.message).toBe('string');
  expect(Array.isArray(error.details)).toBe(true);
  for (const d of error.details) expect(typeof d.path === 'string' && typeof d.message === 'string').toBe(true);
}

describe('Fuzzing', () => {
  it('When random and broken bodies hit every write route, then each answer is a 4xx in the error shape and no row changes', async () => {
    const before = await rowCounts();
    const all = targets();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...all).chain((t) => corrupted(t.valid).map((body) => ({ t, body }))),
        async ({ t, body }) => {
          fc.pre(!t.schema.safeParse(t.seen ? t.seen(body) : body).success);
          expectRefusal(await send(t, body), t.name);
        },
      ),
      { numRuns: 300 },
    );
    expect(await rowCounts()).toEqual(before);
    const invoice = await as.platform.get(`/invoices/${fixture.invoiceId}`);
    expect(invoice.body).toMatchObject({ status: 'EN_ATTENTE_VALIDATION' });
  });

  it('When bodies are not JSON at all, then 400 (or 415 for other types), never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets().filter((t) => !t.name.startsWith('GET'))),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
        async (t, text, type) => {
          fc.pre(text.length > 0);
          let parses = true;
          try {
            JSON.parse(text);
          } catch {
            parses = false;
          }
          fc.pre(!parses || type !== 'application/json');
          const res = await t.start(null).set('Content-Type', type).send(text);
          expectRefusal(res, `${t.name} ${type}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('When path parameters and credentials are random, then 400, 401 or 404 in the error shape, never a 500', async () => {
    const routes = [
      (x: string) => request(app).get(`/api/v1/invoices/${enc(x)}`),
      (x: string) => request(app).get(`/api/v1/invoices/${enc(x)}/pdf`),
      (x: string) => request(app).post(`/api/v1/invoices/${enc(x)}/archive`).send({}),
      (x: string) => request(app).post(`/api/v1/orders/${enc(x)}/cancel`).send({}),
      (x: string) => request(app).put(`/api/v1/producers/${enc(x)}`).send(producerProfile()),
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }),
        fc.oneof(fc.constant(`Bearer ${stack.config.AGRILOCAL_API_KEY}`), fc.stringMatching(/^[\x20-\x7e]{0,300}$/)),
        async (route, param, authorization) => {
          fc.pre(param !== fixture.invoiceId && param !== fixture.orderId && !/^\d{14}$/.test(param));
          const res = await route(param).set('Authorization', authorization);
          expectRefusal(res, `${param} / ${authorization.slice(0, 20)}`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('When a producer fuzzes the actions of his own invoice, then 4xx only, and his token never reaches platform routes', async () => {
    const producer = await as.producer(fixture.producerSiret);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('send', 'recycle', 'complete', 'archive', 'mark-processed'), anyJson, async (action, body) => {
        const res = await withJson(producer.post(`/invoices/${fixture.invoiceId}/${action}`), body);
        expectRefusal(res, action);
      }),
      { numRuns: 100 },
    );
    await fc.assert(
      fc.asyncProperty(anyJson, async (body) => {
        const res = await withJson(producer.post('/orders'), body);
        expectRefusal(res, 'producer POST /orders');
        expect(res.status).toBe(403);
      }),
      { numRuns: 30 },
    );
  });
});
