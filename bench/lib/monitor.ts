/**
 * Watches the invoices of a run in PostgreSQL (what the API reads too), without adding load on the API:
 * how many are settled, and at the end each invoice's final row, its send → DEPOSEE_CHORUS time and its
 * completion time (`updated_at` of its last status write).
 */
import type { Pool } from 'pg';
import { isSettled } from './scenario';

export interface StatusCount {
  status: string;
  chorusStatus: string | null;
  count: number;
}

export async function statusCounts(pool: Pool, orderPrefix: string): Promise<StatusCount[]> {
  const { rows } = await pool.query<{ status: string; chorus_status: string | null; n: string }>(
    `select status, chorus_status, count(*) as n from invoice where order_id like $1 group by 1, 2`,
    [`${orderPrefix}%`],
  );
  return rows.map((r) => ({ status: r.status, chorusStatus: r.chorus_status, count: Number(r.n) }));
}

export function settledCount(counts: StatusCount[], lastChorusStatus: string): number {
  return counts.filter((c) => isSettled(c.status, c.chorusStatus, lastChorusStatus)).reduce((a, c) => a + c.count, 0);
}

export interface FinalRow {
  invoiceId: string;
  orderId: string;
  number: string | null;
  producerSiret: string;
  status: string;
  chorusStatus: string | null;
  numeroFluxDepot: string | null;
  identifiantFactureCPP: string | null;
  historySeq: number;
  createdAt: number;
  updatedAt: number;
  /**
   * `at` of the first DEPOSEE_CHORUS history row, written by the workflow when the flow is integrated (later rows
   * copy Chorus' own dates, which have minute precision).
   */
  depositedAt: number | null;
}

export async function finalRows(pool: Pool, orderPrefix: string): Promise<FinalRow[]> {
  const { rows } = await pool.query<{
    invoice_id: string;
    order_id: string;
    number: string | null;
    producer_siret: string;
    status: string;
    chorus_status: string | null;
    numero_flux_depot: string | null;
    identifiant_facture_cpp: string | null;
    history_seq: number;
    created_at: Date;
    updated_at: Date;
    deposited_at: Date | null;
  }>(
    `select i.invoice_id, i.order_id, i.number, i.producer_siret, i.status, i.chorus_status, i.numero_flux_depot,
            i.identifiant_facture_cpp, i.history_seq, i.created_at, i.updated_at,
            (select h.at from invoice_history h where h.invoice_id = i.invoice_id and h.status = 'DEPOSEE_CHORUS'
              order by h.seq limit 1) as deposited_at
       from invoice i where i.order_id like $1`,
    [`${orderPrefix}%`],
  );
  return rows.map((r) => ({
    invoiceId: r.invoice_id,
    orderId: r.order_id,
    number: r.number,
    producerSiret: r.producer_siret,
    status: r.status,
    chorusStatus: r.chorus_status,
    numeroFluxDepot: r.numero_flux_depot,
    identifiantFactureCPP: r.identifiant_facture_cpp,
    historySeq: r.history_seq,
    createdAt: r.created_at.getTime(),
    updatedAt: r.updated_at.getTime(),
    depositedAt: r.deposited_at ? r.deposited_at.getTime() : null,
  }));
}

/**
 * Polls until every invoice of the run is settled, or nothing has moved (no invoice submitted or settled) for
 * `stallMs`; calls `onProgress` with the settled count. Resolves with the number settled.
 */
export async function waitSettled(
  pool: Pool,
  orderPrefix: string,
  expected: () => number,
  lastChorusStatus: string,
  options: {
    stallMs: number;
    onProgress?: (settled: number, counts: StatusCount[]) => void;
    /** False while invoices are still being submitted: waiting goes on even if all so far are settled. */
    submitted?: () => boolean;
    /** Invoices submitted so far (progress too). */
    activity?: () => number;
    intervalMs?: number;
  },
): Promise<number> {
  let lastMove = Date.now();
  let lastMark = -1;
  let settled = 0;
  for (;;) {
    try {
      const counts = await statusCounts(pool, orderPrefix);
      settled = settledCount(counts, lastChorusStatus);
      options.onProgress?.(settled, counts);
    } catch {
      // the database is not what the drill breaks; a failed look is retried
    }
    const mark = settled + (options.activity?.() ?? 0);
    if (mark !== lastMark) {
      lastMark = mark;
      lastMove = Date.now();
    }
    if (settled >= expected() && (options.submitted?.() ?? true)) return settled;
    if (Date.now() - lastMove > options.stallMs) return settled;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 500));
  }
}
