/**
 * The load: registers the parties (API profiles + sandbox structures), then `concurrency` virtual users take
 * invoices one after the other (optionally paced to a rate) and walk each through the API: order → delivered
 * quantities → the producer's decision of its path → a detail read and a list read. The invoice then lives on in
 * its workflow (flow report, lifecycle); the monitor watches PostgreSQL for the end.
 */
import type { ApiClient } from './http';
import {
  ADDRESS,
  DELIVERED,
  IBAN,
  ORDER_LINES,
  siretFor,
  vatNumberOf,
  type InvoicePath,
} from './scenario';
import type { Stack } from './stack';

export interface InvoiceRun {
  index: number;
  orderId: string;
  path: InvoicePath;
  producerSiret: string;
  buyerSiret: string;
  invoiceId?: string;
  /** ms since epoch: first request, the send (or mark-processed) request, end of the API part. */
  startedAt?: number;
  sentAt?: number;
  apiDoneAt?: number;
  error?: string;
}

export interface Parties {
  producers: string[];
  publicBuyers: string[];
  privateBuyers: string[];
}

export async function registerParties(
  api: ApiClient,
  stack: Stack,
  prefix: string,
  counts: { producers: number; publicBuyers: number; privateBuyers: number },
): Promise<Parties> {
  const producers = Array.from({ length: counts.producers }, (_, i) => siretFor(prefix, i));
  const publicBuyers = Array.from({ length: counts.publicBuyers }, (_, i) => siretFor(prefix, 50_000 + i));
  const privateBuyers = Array.from({ length: counts.privateBuyers }, (_, i) => siretFor(prefix, 80_000 + i));
  const jobs: (() => Promise<unknown>)[] = [];
  for (const siret of producers) {
    // The structure first: opening a producer's Chorus flow checks that it is attached to our technical account.
    jobs.push(async () => {
      await stack.sandboxControl('PUT', `/structures/${siret}`, { designation: `Ferme ${siret.slice(-5)}`, type: 'SUPPLIER' });
      return api.call('PUT /producers/{siret}', 'PUT', `/producers/${siret}`, {
        name: `Ferme ${siret.slice(-5)}`,
        email: `producteur-${siret}@ferme.test`,
        address: ADDRESS,
        vatNumber: vatNumberOf(siret),
        chorusEnabled: true,
        paymentMethod: { type: 'VIREMENT', iban: IBAN },
      });
    });
  }
  for (const siret of publicBuyers) {
    jobs.push(() =>
      api.call('PUT /buyers/{siret}', 'PUT', `/buyers/${siret}`, {
        name: `Collège ${siret.slice(-5)}`,
        email: `intendance-${siret}@college.test`,
        kind: 'PUBLIC',
        address: ADDRESS,
      }),
    );
    jobs.push(() => stack.sandboxControl('PUT', `/structures/${siret}`, { designation: `Collège ${siret.slice(-5)}`, type: 'PUBLIC' }));
  }
  for (const siret of privateBuyers) {
    jobs.push(() =>
      api.call('PUT /buyers/{siret}', 'PUT', `/buyers/${siret}`, {
        name: `Restaurant ${siret.slice(-5)}`,
        email: `compta-${siret}@restaurant.test`,
        kind: 'PRIVATE',
        address: ADDRESS,
      }),
    );
  }
  await runPool(jobs, 8);
  return { producers, publicBuyers, privateBuyers };
}

/** Runs jobs with at most `width` at a time. */
export async function runPool(jobs: (() => Promise<unknown>)[], width: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, lane));
}

export function planInvoices(prefix: string, paths: InvoicePath[], parties: Parties): InvoiceRun[] {
  return paths.map((path, index) => {
    const buyers = path === 'private' ? parties.privateBuyers : parties.publicBuyers;
    return {
      index,
      orderId: `BENCH-${prefix}-${String(index).padStart(6, '0')}`,
      path,
      producerSiret: parties.producers[index % parties.producers.length]!,
      buyerSiret: buyers[Math.floor(index / parties.producers.length) % buyers.length]!,
    };
  });
}

export interface DriveOptions {
  concurrency: number;
  /** Invoices started per second at most (undefined: as fast as the API answers). */
  rate?: number;
  /** Called after each invoice's API part (progress). */
  onInvoice?: (run: InvoiceRun) => void;
  /** Stop taking new invoices (the drill's deadline, Ctrl-C). */
  shouldStop?: () => boolean;
}

/** Walks one invoice through the API. */
async function walk(api: ApiClient, run: InvoiceRun): Promise<void> {
  run.startedAt = Date.now();
  const created = await api.call<{ invoiceId: string }>('POST /orders', 'POST', '/orders', {
    orderId: run.orderId,
    producerSiret: run.producerSiret,
    buyerSiret: run.buyerSiret,
    deliveryDate: '2026-11-20',
    lines: ORDER_LINES,
  });
  run.invoiceId = created.body.invoiceId;
  const key = (action: string) => ({ 'idempotency-key': `${action}-${run.orderId}` });
  await api.call('POST /orders/{orderId}/quantity-validation', 'POST', `/orders/${run.orderId}/quantity-validation`, { validatedBy: 'PRODUCER', lines: DELIVERED }, key('validate'));
  const id = run.invoiceId;
  switch (run.path) {
    case 'chorus':
      run.sentAt = Date.now();
      await api.call('POST /invoices/{id}/send CHORUS', 'POST', `/invoices/${id}/send`, { channel: 'CHORUS' }, key('send'));
      break;
    case 'email':
      run.sentAt = Date.now();
      await api.call('POST /invoices/{id}/send EMAIL', 'POST', `/invoices/${id}/send`, { channel: 'EMAIL' }, key('send'));
      break;
    case 'processed':
      run.sentAt = Date.now();
      await api.call('POST /invoices/{id}/mark-processed', 'POST', `/invoices/${id}/mark-processed`, {}, key('processed'));
      break;
    case 'private':
    case 'open':
      break;
  }
  // What a producer's screen reads: the invoice, and his list.
  await api.call('GET /invoices/{id}', 'GET', `/invoices/${id}`);
  await api.call('GET /invoices?producerSiret&view', 'GET', `/invoices?producerSiret=${run.producerSiret}&view=traitees&pageSize=20`);
  run.apiDoneAt = Date.now();
}

export async function drive(api: ApiClient, runs: InvoiceRun[], options: DriveOptions): Promise<void> {
  let next = 0;
  const t0 = Date.now();
  const lane = async () => {
    for (;;) {
      if (options.shouldStop?.()) return;
      const index = next++;
      const run = runs[index];
      if (!run) return;
      if (options.rate) {
        const due = t0 + (index / options.rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      try {
        await walk(api, run);
      } catch (error) {
        run.error = error instanceof Error ? error.message : String(error);
        run.apiDoneAt = Date.now();
      }
      options.onInvoice?.(run);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, lane));
}
