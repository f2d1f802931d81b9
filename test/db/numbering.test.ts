/**
 * db/numbering.ts against a real PostgreSQL: gapless under concurrency, idempotent, one series per producer
 * and per year.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Invoice } from '../../db/entities';
import { initOrm, migrate, type Orm } from '../../db/orm';
import { assignInvoiceNumber, formatInvoiceNumber, InvoiceNumberingError, parseInvoiceNumber } from '../../db/numbering';
import { invoiceWorkflowId } from '../../workflows/messages';
import { issueCreditNote } from '../../db/credit-notes';
import { createTestDatabase } from '../support/db';

// --- Database: the run's server when `npm test` started one, else a private embedded PostgreSQL (jest alone). ---
interface Db {
  orm: Orm;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts test/db/support/embedded-pg-server.ts and waits for its URL. */
async function startPrivatePostgres(): Promise<{ url: string; child: ChildProcessWithoutNullStreams; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agrilocal-documents-pg-'));
  fs.chmodSync(dir, 0o755);
  const root = path.resolve(__dirname, '../..');
  const child = spawn(path.join(root, 'node_modules/.bin/tsx'), [path.join(__dirname, 'support/embedded-pg-server.ts'), path.join(dir, 'data'), String(await freePort())], { cwd: root });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /READY (\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`embedded PostgreSQL exited (${code}): ${err}`)));
  });
  return { url, child, dir };
}

async function openDb(): Promise<Db> {
  if (process.env.TEST_DATABASE_URL) {
    const db = await createTestDatabase();
    return { orm: db.orm, close: () => db.drop() };
  }
  const pg = await startPrivatePostgres();
  const orm = await initOrm(pg.url, { pool: { min: 0, max: 20 }, logger: () => undefined });
  await migrate(orm);
  return {
    orm,
    close: async () => {
      await orm.close(true);
      const exited = new Promise((resolve) => pg.child.once('exit', resolve));
      pg.child.stdin.end();
      await exited;
      fs.rmSync(pg.dir, { recursive: true, force: true });
    },
  };
}
// -----------------------------------------------------------------------------------------------------------------

let db: Db;
let siretCounter = 0;

beforeAll(async () => {
  db = await openDb();
}, 120_000);

afterAll(async () => {
  await db?.close();
});

/** A SIRET-shaped id unique to this test run (numbering does not check the Luhn key). */
function newProducer(): string {
  siretCounter += 1;
  return `9${String(process.pid % 100000).padStart(5, '0')}${String(Date.now() % 10000).padStart(4, '0')}${String(siretCounter).padStart(4, '0')}`.slice(0, 14);
}

const LINE = { lineId: 'L1', label: 'Pommes', unit: 'kg', unitPriceHT: '2.50', vatRate: '5.5', orderedQuantity: '10', deliveredQuantity: '10', totalHT: '25.00' };

async function createInvoice(producerSiret: string, lines: (typeof LINE)[] = []): Promise<string> {
  const em = db.orm.em.fork();
  const invoiceId = randomUUID();
  const orderId = `order-${invoiceId}`;
  em.create(Invoice, {
    invoiceId,
    orderId,
    workflowId: invoiceWorkflowId(orderId),
    orderHash: '0'.repeat(64),
    producerSiret,
    buyerSiret: '21150014500019',
    buyerKind: 'PUBLIC',
    deliveryDate: '2026-02-27',
    lines,
    status: 'A_TRAITER',
  });
  await em.flush();
  return invoiceId;
}

async function storedNumber(invoiceId: string): Promise<{ number: string | null; issue_date: unknown }> {
  const rows = await db.orm.em.fork().execute<{ number: string | null; issue_date: unknown }[]>('select "number", "issue_date"::text as issue_date from "invoice" where "invoice_id" = ?', [invoiceId]);
  return rows[0]!;
}

describe('invoice numbering', () => {
  it('formats numbers within Chorus Pro 20 characters and reads them back', () => {
    expect(formatInvoiceNumber(2026, 42)).toBe('AGL-2026-000042');
    expect(formatInvoiceNumber(2026, 1_234_567)).toBe('AGL-2026-1234567');
    expect(formatInvoiceNumber(2026, 99_999_999_999)).toHaveLength(20);
    expect(() => formatInvoiceNumber(2026, 100_000_000_000)).toThrow(/20 characters/);
    expect(parseInvoiceNumber('AGL-2026-000042')).toEqual({ year: 2026, sequence: 42 });
    expect(parseInvoiceNumber('AGL-26-42')).toBeUndefined();
    expect(() => formatInvoiceNumber(2026, 0)).toThrow(RangeError);
  });

  it('When 30 invoices of one producer are numbered concurrently, then they get 1..30, no gap, no duplicate', async () => {
    const producer = newProducer();
    const invoices = await Promise.all(Array.from({ length: 30 }, () => createInvoice(producer)));
    const numbers = await Promise.all(invoices.map((invoiceId) => assignInvoiceNumber(db.orm.em.fork(), { invoiceId, producerSiret: producer, issueDate: '2026-03-02' })));
    const sequences = numbers.map((n) => parseInvoiceNumber(n)?.sequence).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(sequences).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(numbers).size).toBe(30);
    for (const n of numbers) expect(n).toMatch(/^AGL-2026-\d{6}$/);
    // Each invoice row holds the number it was given, with its issue date.
    for (const [i, invoiceId] of invoices.entries()) expect(await storedNumber(invoiceId)).toEqual({ number: numbers[i], issue_date: '2026-03-02' });
    const counter = await db.orm.em.fork().execute<{ last_value: number }[]>('select "last_value" from "invoice_number_counter" where "producer_siret" = ? and "year" = 2026', [producer]);
    expect(counter).toEqual([{ last_value: 30 }]);
  });

  it('When credit notes, replacements and invoices of one producer are numbered at once, then they share one series, gapless; a repeated issue numbers nothing more', async () => {
    const producer = newProducer();
    const issued = await Promise.all(Array.from({ length: 8 }, () => createInvoice(producer, [LINE])));
    for (const invoiceId of issued) await assignInvoiceNumber(db.orm.em.fork(), { invoiceId, producerSiret: producer, issueDate: '2026-03-02' });
    const fresh = await Promise.all(Array.from({ length: 8 }, () => createInvoice(producer)));
    const issue = (invoiceId: string, i: number) =>
      issueCreditNote(db.orm.em.fork(), { invoiceId, issueKey: `key-${i}`, issueDate: '2026-03-05', reason: 'test', replacement: i % 2 === 0 ? {} : null });
    const [results] = await Promise.all([
      Promise.all(issued.map(issue)),
      Promise.all(fresh.map((invoiceId) => assignInvoiceNumber(db.orm.em.fork(), { invoiceId, producerSiret: producer, issueDate: '2026-03-05' }))),
    ]);
    // Twice more, concurrently: the same credit notes and replacements come back.
    const again = await Promise.all([...issued.map(issue), ...issued.map(issue)]);
    expect(again.slice(0, 8)).toEqual(results);
    expect(again.slice(8)).toEqual(results);
    const rows = await db.orm.em.fork().find(Invoice, { producerSiret: producer });
    // 8 invoices + 8 fresh ones + 8 credit notes + 4 replacements.
    expect(rows).toHaveLength(28);
    const sequences = rows.map((r) => parseInvoiceNumber(r.number ?? '')?.sequence).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(sequences).toEqual(Array.from({ length: 28 }, (_, i) => i + 1));
    expect(rows.filter((r) => r.documentType === 'CREDIT_NOTE')).toHaveLength(8);
    for (const [i, r] of results.entries()) {
      const original = rows.find((x) => x.invoiceId === issued[i])!;
      expect(original.cancelledByInvoiceId).toBe(r.creditNote.invoiceId);
      expect(original.replacedByInvoiceId).toBe(r.replacement?.invoiceId ?? null);
      // Within one issue the credit note comes first, its replacement right after.
      if (r.replacement) expect(parseInvoiceNumber(r.replacement.number)!.sequence).toBe(parseInvoiceNumber(r.creditNote.number)!.sequence + 1);
    }
  });

  it('When the same invoice is numbered again, or twice at once, then it keeps one number and the series does not move', async () => {
    const producer = newProducer();
    const first = await createInvoice(producer);
    const [a, b, c] = await Promise.all([0, 1, 2].map(() => assignInvoiceNumber(db.orm.em.fork(), { invoiceId: first, producerSiret: producer, issueDate: '2026-03-02' })));
    expect(a).toBe('AGL-2026-000001');
    expect([b, c]).toEqual([a, a]);
    // A retried activity, even a day later, gets the same number back.
    expect(await assignInvoiceNumber(db.orm.em.fork(), { invoiceId: first, producerSiret: producer, issueDate: '2026-03-03' })).toBe(a);
    const second = await createInvoice(producer);
    expect(await assignInvoiceNumber(db.orm.em.fork(), { invoiceId: second, producerSiret: producer, issueDate: '2026-03-03' })).toBe('AGL-2026-000002');
  });

  it('When two producers invoice at the same time, then each has its own series', async () => {
    const p1 = newProducer();
    const p2 = newProducer();
    const jobs = [...Array.from({ length: 6 }, () => p1), ...Array.from({ length: 4 }, () => p2)];
    const invoices = await Promise.all(jobs.map(async (producer) => ({ producer, invoiceId: await createInvoice(producer) })));
    const numbers = await Promise.all(
      invoices.map(async ({ producer, invoiceId }) => ({ producer, number: await assignInvoiceNumber(db.orm.em.fork(), { invoiceId, producerSiret: producer, issueDate: '2026-05-10' }) })),
    );
    const seq = (p: string) => numbers.filter((n) => n.producer === p).map((n) => parseInvoiceNumber(n.number)?.sequence).sort((x, y) => (x ?? 0) - (y ?? 0));
    expect(seq(p1)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seq(p2)).toEqual([1, 2, 3, 4]);
  });

  it('When the year changes, then the series restarts at 1 for the new year', async () => {
    const producer = newProducer();
    const december = await createInvoice(producer);
    const january = await createInvoice(producer);
    expect(await assignInvoiceNumber(db.orm.em.fork(), { invoiceId: december, producerSiret: producer, issueDate: '2026-12-31' })).toBe('AGL-2026-000001');
    expect(await assignInvoiceNumber(db.orm.em.fork(), { invoiceId: january, producerSiret: producer, issueDate: '2027-01-01' })).toBe('AGL-2027-000001');
  });

  it('When the caller is inside a transaction that rolls back, then the number is given back (no gap)', async () => {
    const producer = newProducer();
    const lost = await createInvoice(producer);
    const kept = await createInvoice(producer);
    await expect(
      db.orm.em.fork().transactional(async (em) => {
        await assignInvoiceNumber(em, { invoiceId: lost, producerSiret: producer, issueDate: '2026-03-02' });
        throw new Error('activity failed after numbering');
      }),
    ).rejects.toThrow('activity failed');
    expect((await storedNumber(lost)).number).toBeNull();
    expect(await assignInvoiceNumber(db.orm.em.fork(), { invoiceId: kept, producerSiret: producer, issueDate: '2026-03-02' })).toBe('AGL-2026-000001');
  });

  it('When the invoice is unknown, belongs to another producer, or the input is malformed, then it refuses with a code', async () => {
    const producer = newProducer();
    const invoiceId = await createInvoice(producer);
    const refusal = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof InvoiceNumberingError ? e.code : String(e)));
    const em = () => db.orm.em.fork();
    expect(await refusal(assignInvoiceNumber(em(), { invoiceId: randomUUID(), producerSiret: producer, issueDate: '2026-03-02' }))).toBe('INVOICE_NOT_FOUND');
    expect(await refusal(assignInvoiceNumber(em(), { invoiceId, producerSiret: newProducer(), issueDate: '2026-03-02' }))).toBe('PRODUCER_MISMATCH');
    expect(await refusal(assignInvoiceNumber(em(), { invoiceId: 'not-a-uuid', producerSiret: producer, issueDate: '2026-03-02' }))).toBe('INVALID_INPUT');
    expect(await refusal(assignInvoiceNumber(em(), { invoiceId, producerSiret: producer, issueDate: '02/03/2026' }))).toBe('INVALID_INPUT');
    expect((await storedNumber(invoiceId)).number).toBeNull();
  });
});
