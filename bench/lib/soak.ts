/**
 * The soak run (`npm run bench -- --soak N`): N open invoices — most left "à traiter", the rest deposited on Chorus
 * and followed the production way (the lifecycle run's machinery, lifecycle.ts) — then `--soak-for` of scaled
 * time. It tells whether memory stays flat while invoices wait (worker and Temporal RSS series), what an open
 * invoice costs in storage (PostgreSQL, Temporal), and how many Chorus calls an hour the follow-up takes.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ProcSample } from './proc';
import { round } from './stats';
import type { Stack } from './stack';

export interface SoakSeries {
  /** Samples of the follow-up window only, seconds from its start, at most SERIES_POINTS of them. */
  points: { t: number; mb: number }[];
  /** Means of the window's first and last sixths, and the change between them. */
  startMb: number;
  endMb: number;
  growthPct: number;
  peakMb: number;
}

export interface SoakFigures {
  invoices: number;
  byStatus: Record<string, number>;
  /** The follow-up window: wall seconds, and the scaled days they stand for. */
  windowSeconds: number;
  scaledDays: number;
  /** `documents`: the renderings' worker process, when it runs apart (the default). */
  rss: { worker: SoakSeries; temporal: SoakSeries; documents?: SoakSeries };
  storage: { postgresMb: number; postgresKbPerInvoice: number; temporalMb: number; temporalKbPerInvoice: number; temporalWhat: string };
  /** Chorus calls in the window, per scaled hour and per scaled day (production's clock). */
  chorusCalls: { total: number; perScaledHour: number; perScaledDay: number };
}

const SERIES_POINTS = 60;

/** A process's RSS over [from, to]: the series (thinned) and whether it grew, first sixth against last sixth. */
export function soakSeries(samples: readonly ProcSample[], from: number, to: number): SoakSeries {
  const inWindow = samples.filter((s) => s.t >= from && s.t <= to);
  const mean = (list: readonly ProcSample[]) => (list.length ? list.reduce((a, s) => a + s.rssMb, 0) / list.length : 0);
  const sixth = Math.max(1, Math.floor(inWindow.length / 6));
  const startMb = mean(inWindow.slice(0, sixth));
  const endMb = mean(inWindow.slice(-sixth));
  const step = Math.max(1, Math.ceil(inWindow.length / SERIES_POINTS));
  return {
    points: inWindow.filter((_, i) => i % step === 0).map((s) => ({ t: round((s.t - from) / 1000, 1), mb: s.rssMb })),
    startMb: round(startMb),
    endMb: round(endMb),
    growthPct: startMb > 0 ? round(((endMb - startMb) / startMb) * 100, 1) : 0,
    peakMb: round(Math.max(0, ...inWindow.map((s) => s.rssMb))),
  };
}

/** Bytes Temporal keeps: its PostgreSQL databases (server topology) or the dev server's SQLite file and WAL. */
async function temporalStorage(stack: Stack): Promise<{ bytes: number; what: string }> {
  if (stack.temporal.kind === 'server') {
    const { rows } = await stack.pool.query<{ bytes: string }>(
      `select coalesce(sum(pg_database_size(datname)), 0)::text as bytes from pg_database where datname in ('temporal', 'temporal_visibility')`,
    );
    return { bytes: Number(rows[0]?.bytes ?? 0), what: 'PostgreSQL databases temporal + temporal_visibility' };
  }
  const file = path.join(stack.workDir, 'temporal.sqlite');
  const size = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
  return { bytes: size(file) + size(`${file}-wal`), what: 'dev server SQLite file + WAL' };
}

export async function soakFigures(
  stack: Stack,
  window: { from: number; to: number; dayMs: number },
  orderPrefix: string,
  chorusCalls: number,
): Promise<SoakFigures> {
  const { rows } = await stack.pool.query<{ status: string; n: number }>(`select status, count(*)::int as n from invoice where order_id like $1 group by status`, [
    `${orderPrefix}%`,
  ]);
  const invoices = rows.reduce((a, r) => a + r.n, 0);
  const { rows: size } = await stack.pool.query<{ bytes: string }>(`select pg_database_size(current_database())::text as bytes`);
  const pgBytes = Number(size[0]?.bytes ?? 0);
  const temporal = await temporalStorage(stack);
  const perInvoiceKb = (bytes: number) => round(bytes / 1024 / Math.max(1, invoices), 1);
  const scaledDays = (window.to - window.from) / window.dayMs;
  // The first worker (the soak runs one unless --workers); the bench's own series has every process.
  const workerSamples = stack.workers[0]?.samples ?? [];
  return {
    invoices,
    byStatus: Object.fromEntries(rows.map((r) => [r.status, r.n])),
    windowSeconds: round((window.to - window.from) / 1000, 1),
    scaledDays: round(scaledDays, 1),
    rss: {
      worker: soakSeries(workerSamples, window.from, window.to),
      temporal: soakSeries(stack.temporal.samples, window.from, window.to),
      ...(stack.documents ? { documents: soakSeries(stack.documents.samples, window.from, window.to) } : {}),
    },
    storage: {
      postgresMb: round(pgBytes / 1048576, 1),
      postgresKbPerInvoice: perInvoiceKb(pgBytes),
      temporalMb: round(temporal.bytes / 1048576, 1),
      temporalKbPerInvoice: perInvoiceKb(temporal.bytes),
      temporalWhat: temporal.what,
    },
    chorusCalls: { total: chorusCalls, perScaledHour: round(chorusCalls / Math.max(1e-9, scaledDays * 24), 1), perScaledDay: round(chorusCalls / Math.max(1e-9, scaledDays), 1) },
  };
}

export function soakRows(s: SoakFigures): (string | number)[][] {
  const series = (x: SoakSeries) => `${x.startMb} → ${x.endMb} MB (${x.growthPct >= 0 ? '+' : ''}${x.growthPct} %), peak ${x.peakMb} MB`;
  return [
    ['Soak run', `${s.invoices} invoices (${Object.entries(s.byStatus).map(([k, n]) => `${k} ${n}`).join(', ')}); ${s.windowSeconds} s followed = ${s.scaledDays} scaled days`],
    ['  worker RSS, first sixth → last sixth', series(s.rss.worker)],
    ['  Temporal RSS, first sixth → last sixth', series(s.rss.temporal)],
    ...(s.rss.documents ? [['  documents worker RSS, first sixth → last sixth', series(s.rss.documents)]] : []),
    ['  PostgreSQL storage', `${s.storage.postgresMb} MB, ${s.storage.postgresKbPerInvoice} kB / invoice`],
    ['  Temporal storage', `${s.storage.temporalMb} MB, ${s.storage.temporalKbPerInvoice} kB / invoice (${s.storage.temporalWhat})`],
    ['  Chorus calls in the window', `${s.chorusCalls.total}: ${s.chorusCalls.perScaledHour} per scaled hour, ${s.chorusCalls.perScaledDay} per scaled day`],
    ['  RSS series (s: worker MB / Temporal MB)', s.rss.worker.points.map((p, i) => `${p.t}:${p.mb}/${s.rss.temporal.points[i]?.mb ?? '?'}`).join(' ')],
  ];
}
