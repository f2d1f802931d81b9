/**
 * PostgreSQL faults as the API sees them, on a PostgreSQL of this file's own (so that stopping it disturbs no other
 * suite): while it is down or restarting, or when its server cuts our connections (pg_terminate_backend), every
 * answer is a 503 UNAVAILABLE with Retry-After — never a 500 — and once it answers again the pool reconnects by
 * itself, with no restart of the API.
 */
import path from 'node:path';
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { Client as PgClient } from 'pg';
import { createApp } from '../../api/app';
import { loadConfig } from '../../config';
import { initOrm, migrate, type Orm } from '../../db/orm';
import { freePort } from '../../scripts/lib/ports';
import { startPostgresProcess, type PostgresProcess } from '../support/postgres-process';
import { testServices } from '../support/services';
import { expectError } from './support';
import { producerProfile, newSiret } from './fixtures';

let pg: PostgresProcess;
let orm: Orm;
let connection: Connection;
let app: ReturnType<typeof createApp>;
let platformKey = '';

beforeAll(async () => {
  const services = testServices();
  pg = await startPostgresProcess(path.join(services.workDir, `pg-faults-${process.pid}`), await freePort());
  orm = await initOrm(pg.url, { pool: { min: 0, max: 5 } });
  await migrate(orm);
  connection = await Connection.connect({ address: services.temporalAddress });
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: pg.url, TEMPORAL_ADDRESS: services.temporalAddress });
  platformKey = config.AGRILOCAL_API_KEY;
  app = createApp({ config, orm, temporalClient: new Client({ connection }), options: { rateLimit: false } });
}, 120_000);

afterAll(async () => {
  await orm?.close(true);
  await connection?.close();
  await pg?.stop();
});

const listInvoices = () => request(app).get('/api/v1/invoices').set('Authorization', `Bearer ${platformKey}`);
const putProducer = (siret: string) =>
  request(app).put(`/api/v1/producers/${siret}`).set('Authorization', `Bearer ${platformKey}`).send(producerProfile());

/** A 503 in the contract's shape, with Retry-After; anything else but a 2xx fails the test. */
function expectUpOr503(res: request.Response): 'up' | 'down' {
  if (res.status >= 200 && res.status < 300) return 'up';
  expectError(res, 503, 'UNAVAILABLE', /database/i);
  expect(res.headers['retry-after']).toBe('2');
  return 'down';
}

async function untilUp(call: () => request.Test, withinMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (expectUpOr503(await call()) === 'up') return Date.now() - started;
    if (Date.now() - started > withinMs) throw new Error(`the API still answers 503 after ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('PostgreSQL faults', () => {
  it('When the server cuts every connection of the pool, then no request gets a 500 and the pool reconnects by itself', async () => {
    expect(expectUpOr503(await putProducer(newSiret()))).toBe('up');
    // Several pooled connections, all idle in the pool when the server terminates them.
    await Promise.all([listInvoices(), listInvoices(), listInvoices()]);
    const admin = new PgClient({ connectionString: pg.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ n: string }>(
        `select count(pg_terminate_backend(pid)) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
      );
      expect(Number(rows[0]!.n)).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    const outcomes = [];
    for (let i = 0; i < 6; i++) outcomes.push(expectUpOr503(await listInvoices()));
    expect(outcomes.at(-1)).toBe('up');
    expect(expectUpOr503(await putProducer(newSiret()))).toBe('up');
  });

  it.each(['fast', 'immediate'] as const)(
    'When PostgreSQL is down (%s shutdown) and comes back, then the API answers 503 with Retry-After meanwhile and recovers without a restart',
    async (mode) => {
      expect(expectUpOr503(await listInvoices())).toBe('up');
      const restarted = pg.restart(mode, 3000);
      // Down: the postmaster is gone for 3 s.
      await new Promise((r) => setTimeout(r, 1000));
      expect(expectUpOr503(await listInvoices())).toBe('down');
      expect(expectUpOr503(await putProducer(newSiret()))).toBe('down');
      await restarted;
      const ms = await untilUp(listInvoices, 15_000);
      expect(ms).toBeLessThan(15_000);
      expect(expectUpOr503(await putProducer(newSiret()))).toBe('up');
    },
    60_000,
  );
});
