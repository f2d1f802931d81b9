/** Helpers of the API suites: callers with their credentials, and the contract's error shape. */
import request from 'supertest';
import type { Express } from 'express';
import type { Config } from '../../config';
import { signProducerToken } from '../../api/auth';

export type Credential = string | undefined;

export interface Caller {
  get(path: string): request.Test;
  put(path: string, body?: unknown): request.Test;
  post(path: string, body?: unknown): request.Test;
}

export function caller(app: Express, credential: Credential): Caller {
  const auth = (t: request.Test) => (credential === undefined ? t : t.set('Authorization', `Bearer ${credential}`));
  return {
    get: (path) => auth(request(app).get(`/api/v1${path}`)),
    put: (path, body) => auth(request(app).put(`/api/v1${path}`)).send(body as object),
    post: (path, body) => auth(request(app).post(`/api/v1${path}`)).send(body as object),
  };
}

export interface Callers {
  platform: Caller;
  admin: Caller;
  anonymous: Caller;
  producer(siret: string): Promise<Caller>;
}

export function callers(app: Express, config: Config): Callers {
  return {
    platform: caller(app, config.AGRILOCAL_API_KEY),
    admin: caller(app, config.ADMIN_API_KEY),
    anonymous: caller(app, undefined),
    producer: async (siret) => caller(app, await signProducerToken(config.PRODUCER_JWT_SECRET, siret)),
  };
}

export interface ErrorAnswer {
  error: { code: string; message: string; details: { path: string; message: string }[]; status?: string; allowedActions?: string[] };
}

/** The contract's error: JSON, `{error: {code, message, details[{path, message}]}}`, no stack. */
export function expectError(res: request.Response, status: number, code: string, message?: RegExp): ErrorAnswer['error'] {
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${res.status}: ${JSON.stringify(res.body)}`);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.body as ErrorAnswer;
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(Array.isArray(body.error.details)).toBe(true);
  for (const d of body.error.details) expect(d).toEqual({ path: expect.any(String) as string, message: expect.any(String) as string });
  expect(JSON.stringify(body)).not.toMatch(/\bat \S+\.(ts|js):\d+/);
  if (message) expect(body.error.message).toMatch(message);
  return body.error;
}

/** The invoice shape of the contract, for assertions. */
export interface InvoiceBody {
  invoiceId: string;
  orderId: string;
  number: string | null;
  producerSiret: string;
  buyerSiret: string;
  buyerKind: string;
  issueDate: string | null;
  lines: { lineId: string; deliveredQuantity: string | null; totalHT: string | null }[];
  totals: { ht: string | null; tva: string | null; ttc: string | null };
  status: string;
  chorusStatus: string | null;
  chorus: { numeroFluxDepot: string | null; identifiantFactureCPP: string | null };
  engagementCodeRequired: boolean;
  engagementCode: string | null;
  serviceCode: string | null;
  actions: string[];
  history: { at: string; status: string; chorusStatus: string | null; detail: string | null }[];
}

/** The producer's structure exists on Chorus, attached to our technical account (asked when his Chorus flow opens). */
export async function attachedOnChorus(sandboxUrl: string, siret: string): Promise<void> {
  const res = await fetch(`${sandboxUrl}/sandbox/v1/structures/${siret}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ designation: `Ferme ${siret}`, type: 'SUPPLIER', attached: true }),
  });
  if (!res.ok) throw new Error(`sandbox PUT structure ${siret}: ${res.status}`);
}
