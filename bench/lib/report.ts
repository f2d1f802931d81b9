/** The bench's results: a summary for the terminal, the JSON, and a small self-contained HTML page. */
import fs from 'node:fs';
import path from 'node:path';
import type { BaselineResult } from '../baseline/run';
import type { BaselineShape } from '../baseline/workflows';
import type { Machine } from './machine';
import { PATH_DESCRIPTIONS, type InvoicePath } from './scenario';
import { fmtMs, table, type Summary } from './stats';
import { barChart, esc, htmlTable, lineChart, page } from './svg';
import type { CpuWindow } from './cpu';
import type { HistoryShape } from './histories';
import { soakRows, type SoakFigures } from './soak';

export interface ProcessFigures {
  peakRssMb: number;
  cpuSeconds: number;
}

export interface BenchResult {
  kind: 'bench';
  startedAt: string;
  finishedAt: string;
  command: string;
  options: object;
  env: Record<string, string>;
  sandbox: { flowProcessingDelayMs: number; autopilot: { path: string[]; stepDelayMs: number } };
  machine: Machine;
  invoices: {
    total: number;
    byPath: Record<InvoicePath, number>;
    completed: number;
    apiFailures: number;
    /** Calls answered 503 (or cut) and retried with the same Idempotency-Key: not failures, but counted. */
    apiRetries?: number;
    apiFailureSamples: string[];
    notCompleted: { orderId: string; path: string; status: string; chorusStatus: string | null }[];
    timedOut: boolean;
  };
  throughput: { seconds: number; completedPerSecond: number; submitSeconds: number; submittedPerSecond: number };
  latency: Record<string, Summary & { statuses: Record<string, number> }>;
  sendToDeposited: Summary;
  endToEnd: Record<string, Summary>;
  chorusCalls: { invoices: number; total: number; perInvoice: number; byEndpoint: Record<string, { total: number; perInvoice: number }> };
  /** Lifecycle run only (`--lifecycle-days`): keep these three keys, other tools read them. */
  lifecycleCost?: LifecycleCostFigures;
  soak?: SoakFigures;
  history: { perInvoice: Summary; byPath: Record<string, Summary & { shape: HistoryShape }> };
  /** `worker`: the workflow workers (the largest's peak, all of their CPU); `documents`: the renderings' process, when apart. */
  processes: { worker: ProcessFigures; documents?: ProcessFigures; api: ProcessFigures; temporal: ProcessFigures; sandbox: ProcessFigures };
  cpu: { load: CpuWindow; baseline: CpuWindow | undefined; speedProbeMs: number[] };
  tables: { table: string; seqScans: number; seqRowsRead: number; indexScans: number; rows: number }[];
  mails: { received: number };
  /** The baseline's figures (its samples go to `series`) and the shape run per path. */
  baseline?: Omit<BaselineResult, 'workerRss' | 'completions'> & { shapes: Record<string, BaselineShape> };
  ratio?: number;
  series: {
    completions: { t: number; n: number }[];
    submissions: { t: number; n: number }[];
    baselineCompletions: { t: number; n: number }[];
    rss: Record<string, { t: number; mb: number }[]>;
    sendToDeposited: number[];
  };
}

export interface LifecycleCostFigures {
  oursPerInvoice: number;
  ocaPerInvoice: number;
  ratio: number;
  /** What is compared, in words. */
  compared: string;
  /** Without the searches of the sync runs the compressed clock skipped. */
  measured: { oursPerInvoice: number; ocaPerInvoice: number; ratio: number };
  skippedSyncSearches: number;
  /** Skipped sync runs that were due while something was to be searched, and the runs that searched. */
  skippedSearchingRuns: number;
  searchingRuns: number;
  allCalls: { oursPerInvoice: number; ocaPerInvoice: number; ratio: number };
  invoices: number;
  days: number;
  dayMs: number;
  ocaRequests: number;
  oursStatusCalls: number;
  meanOpenDays: number;
  paidInWindow: number;
  plans: Record<string, number>;
  producerActions: { completed: number; recycled: number; failed: number };
  schedules: Record<'recent' | 'daily', { expected: number; triggered: number; taken: number; skippedOverlap: number }>;
  byEndpoint: Record<string, { total: number; perInvoice: number; role: string }>;
}

function lifecycleRows(l: LifecycleCostFigures): (string | number)[][] {
  const s = l.schedules;
  return [
    ['Lifecycle run', `${l.invoices} Chorus invoices, ${l.days} days of ${l.dayMs} ms after the last deposit; ${l.paidInWindow} paid within it, mean ${l.meanOpenDays} days open`],
    ['  mix', `${Object.entries(l.plans).map(([k, n]) => `${k} ${n}`).join(', ')}; producer completed ${l.producerActions.completed}, recycled ${l.producerActions.recycled}, failed ${l.producerActions.failed}`],
    ['  status requests / invoice: ours / OCA', `${l.oursPerInvoice} / ${l.ocaPerInvoice} → ratio ${l.ratio} (target ≤ 0.333)`],
    ['  measured (without the skipped syncs)', `${l.measured.oursPerInvoice} / ${l.measured.ocaPerInvoice} → ratio ${l.measured.ratio} (${l.skippedSyncSearches} searches added above for ${l.skippedSearchingRuns} skipped runs due while there was something to search, at the cost of the ${l.searchingRuns} that searched)`],
    ['  every call / invoice: ours / OCA (+ same other calls)', `${l.allCalls.oursPerInvoice} / ${l.allCalls.ocaPerInvoice} → ratio ${l.allCalls.ratio}`],
    ['  sync runs recent (taken / expected, skipped)', `${s.recent.taken} / ${s.recent.expected}${s.recent.triggered ? ` (${s.recent.triggered} triggered by the bench)` : ''}, ${s.recent.skippedOverlap} skipped`],
    ['  sync runs daily (taken / expected, skipped)', `${s.daily.taken} / ${s.daily.expected}, ${s.daily.skippedOverlap} skipped`],
  ];
}

function stamp(iso: string): string {
  return iso.replace(/[:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

export function benchSummary(r: BenchResult): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(`Machine: ${m.cpus} CPU (${m.cpuModel}), ${m.memoryGb} GB, ${m.os}, Node ${m.node}, ${m.temporalCli.split('\n')[0]}, PostgreSQL ${m.postgres}`);
  lines.push(
    `Invoices: ${r.invoices.total} (${Object.entries(r.invoices.byPath)
      .filter(([, n]) => n > 0)
      .map(([p, n]) => `${p} ${n}`)
      .join(', ')}); completed ${r.invoices.completed}; API failures ${r.invoices.apiFailures}${r.invoices.apiRetries ? ` (${r.invoices.apiRetries} calls retried after a 503)` : ''}${r.invoices.timedOut ? '; TIMED OUT' : ''}`,
  );
  lines.push('');
  const rows: (string | number)[][] = [['Figure', 'Value']];
  rows.push(['completed invoices / s', r.throughput.completedPerSecond]);
  rows.push(['  over', `${r.throughput.seconds} s (first order → last invoice settled)`]);
  rows.push(['invoices through the API / s', r.throughput.submittedPerSecond]);
  if (r.baseline) {
    rows.push(['baseline bare workflows / s', r.baseline.perSecond]);
    rows.push(['ours / baseline', r.ratio !== undefined ? `${(r.ratio * 100).toFixed(1)} %` : '-']);
  }
  rows.push(['send → DEPOSEE_CHORUS p50 / p95 / p99', `${fmtMs(r.sendToDeposited.p50)} / ${fmtMs(r.sendToDeposited.p95)} / ${fmtMs(r.sendToDeposited.p99)}`]);
  rows.push(['Chorus API calls / chorus invoice', r.chorusCalls.perInvoice]);
  rows.push(['Temporal history events / invoice (mean)', r.history.perInvoice.mean]);
  for (const [p, h] of Object.entries(r.history.byPath)) rows.push([`  ${p}`, `${h.mean} (${h.shape.activities} activities, ${h.shape.timers} timers, ${h.shape.updates} updates, ${h.shape.activityRetries} retries)`]);
  if (r.baseline) rows.push(['  baseline workflow', r.baseline.historyEventsPerWorkflow]);
  rows.push(['peak RSS worker / API', `${r.processes.worker.peakRssMb} MB / ${r.processes.api.peakRssMb} MB`]);
  rows.push(['peak RSS Temporal / sandbox', `${r.processes.temporal.peakRssMb} MB / ${r.processes.sandbox.peakRssMb} MB`]);
  if (r.processes.documents) rows.push(['peak RSS documents worker', `${r.processes.documents.peakRssMb} MB`]);
  if (r.baseline) rows.push(['peak RSS baseline worker', `${r.baseline.workerPeakRssMb} MB`]);
  const perInvoiceCpu = (s: number) => `${((s / Math.max(1, r.invoices.total)) * 1000).toFixed(0)} ms`;
  rows.push([
    'CPU per invoice: worker / API / Temporal / sandbox',
    `${perInvoiceCpu(r.processes.worker.cpuSeconds)} / ${perInvoiceCpu(r.processes.api.cpuSeconds)} / ${perInvoiceCpu(r.processes.temporal.cpuSeconds)} / ${perInvoiceCpu(r.processes.sandbox.cpuSeconds)}`,
  ]);
  if (r.processes.documents) rows.push(['CPU per invoice: documents worker', perInvoiceCpu(r.processes.documents.cpuSeconds)]);
  const c = r.cpu.load;
  rows.push(['CPU busy during the load (all cores)', `${Math.round((c.machineBusy / (c.seconds * c.cpus)) * 100)} % (other programs and hypervisor steal: ${(c.foreignShare * 100).toFixed(1)} %)`]);
  rows.push(['CPU speed probe before / after (ms, lower = faster)', r.cpu.speedProbeMs.join(' / ')]);
  rows.push([
    'CPU s per invoice by program (load phase)',
    Object.entries(c.oursByCommand)
      .filter(([, v]) => v >= 0.5)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${(v / Math.max(1, r.invoices.total)).toFixed(2)}`)
      .join(', '),
  ]);
  if (r.lifecycleCost) rows.push(...lifecycleRows(r.lifecycleCost));
  if (r.soak) rows.push(...soakRows(r.soak));
  lines.push(table(rows));
  if (c.foreignShare > 0.1) lines.push(`WARNING: other programs (or the hypervisor) took ${(c.foreignShare * 100).toFixed(0)} % of the machine during the run: the figures are low.`);
  lines.push('');
  const lat: (string | number)[][] = [['API route', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'non-2xx']];
  for (const [route, s] of Object.entries(r.latency)) {
    const bad = Object.entries(s.statuses)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, n]) => `${code}×${n}`)
      .join(' ');
    lat.push([route, s.count, Math.round(s.p50), Math.round(s.p95), Math.round(s.p99), Math.round(s.max), bad || '-']);
  }
  lines.push(table(lat));
  lines.push('');
  const ch: (string | number)[][] = [['Chorus endpoint', 'calls', 'per chorus invoice', ...(r.lifecycleCost ? ['compared as'] : [])]];
  for (const [e, c] of Object.entries(r.chorusCalls.byEndpoint)) ch.push([e, c.total, c.perInvoice, ...(r.lifecycleCost ? [r.lifecycleCost.byEndpoint[e]?.role ?? ''] : [])]);
  lines.push(table(ch));
  return lines.join('\n');
}

export function benchHtml(r: BenchResult): string {
  const m = r.machine;
  let body = `<p>${esc(r.startedAt)} — <code>${esc(r.command)}</code></p>`;
  body += `<p>Machine: ${m.cpus} CPU (${esc(m.cpuModel)}), ${m.memoryGb} GB RAM, ${esc(m.os)}, Node ${esc(m.node)}, ${esc(m.temporalCli.split('\n')[0] ?? '')}, PostgreSQL ${esc(m.postgres)}</p>`;
  body += `<h2>Headline</h2>`;
  const head: (string | number)[][] = [['Figure', 'Value']];
  head.push(['Invoices', `${r.invoices.total}: ${Object.entries(r.invoices.byPath).filter(([, n]) => n > 0).map(([p, n]) => `${p} ${n}`).join(', ')}`]);
  head.push(['Completed in their expected state', `${r.invoices.completed} / ${r.invoices.total}`]);
  head.push(['Completed invoices / s', r.throughput.completedPerSecond]);
  if (r.baseline) head.push(['Baseline bare workflows / s', r.baseline.perSecond], ['Ours / baseline', `${((r.ratio ?? 0) * 100).toFixed(1)} %`]);
  head.push(['send → DEPOSEE_CHORUS p50 / p95 / p99', `${fmtMs(r.sendToDeposited.p50)} / ${fmtMs(r.sendToDeposited.p95)} / ${fmtMs(r.sendToDeposited.p99)}`]);
  head.push(['Chorus API calls per chorus invoice', r.chorusCalls.perInvoice]);
  head.push(['Temporal history events per invoice (mean)', r.history.perInvoice.mean]);
  head.push(['Peak RSS worker / API', `${r.processes.worker.peakRssMb} MB / ${r.processes.api.peakRssMb} MB`]);
  body += htmlTable(head);
  body += `<ul>${Object.entries(r.invoices.byPath)
    .filter(([, n]) => n > 0)
    .map(([p]) => `<li><b>${esc(p)}</b>: ${esc(PATH_DESCRIPTIONS[p as InvoicePath])}</li>`)
    .join('')}</ul>`;

  body += `<h2>Throughput</h2>`;
  const series = [
    { name: 'invoices through the API / s', points: r.series.submissions.map((p) => ({ x: p.t, y: p.n })) },
    { name: 'invoices completed / s', points: r.series.completions.map((p) => ({ x: p.t, y: p.n })) },
  ];
  if (r.series.baselineCompletions.length) series.push({ name: 'baseline workflows completed / s (own run)', points: r.series.baselineCompletions.map((p) => ({ x: p.t, y: p.n })) });
  body += lineChart('Per second, from the first order', series, 'seconds', 'per second');
  if (r.baseline) {
    body += barChart(
      'Completed per second: ours vs the bare-workflow baseline',
      [
        { label: 'invoices (ours)', values: [{ name: 'per second', value: r.throughput.completedPerSecond }] },
        { label: 'baseline', values: [{ name: 'per second', value: r.baseline.perSecond }] },
      ],
      'per second',
    );
  }

  body += `<h2>API latency per route</h2>`;
  body += barChart(
    'Client-side latency (ms)',
    Object.entries(r.latency).map(([route, s]) => ({ label: route, values: [{ name: 'p50', value: s.p50 }, { name: 'p95', value: s.p95 }, { name: 'p99', value: s.p99 }] })),
    'ms',
  );
  body += htmlTable([
    ['Route', 'count', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'answers'],
    ...Object.entries(r.latency).map(([route, s]) => [
      route,
      s.count,
      Math.round(s.p50),
      Math.round(s.p95),
      Math.round(s.p99),
      Math.round(s.max),
      Object.entries(s.statuses).map(([c, n]) => `${c}×${n}`).join(' '),
    ]),
  ]);

  body += `<h2>Send → DEPOSEE_CHORUS</h2>`;
  const sorted = [...r.series.sendToDeposited].sort((a, b) => a - b);
  body += lineChart('Distribution (ms, sorted invoices)', [{ name: 'send → DEPOSEE_CHORUS', points: sorted.map((v, i) => ({ x: (i / Math.max(1, sorted.length - 1)) * 100, y: v })) }], 'percentile', 'ms');
  body += htmlTable([
    ['Path', 'count', 'first order → settled p50', 'p95', 'p99'],
    ...Object.entries(r.endToEnd).map(([p, s]) => [p, s.count, fmtMs(s.p50), fmtMs(s.p95), fmtMs(s.p99)]),
  ]);

  if (r.lifecycleCost) {
    body += `<h2>Lifecycle cost: ours against OCA's policy</h2>`;
    body += htmlTable([['Figure', 'Value'], ...lifecycleRows(r.lifecycleCost)]);
    body += `<p>${esc(r.lifecycleCost.compared)}</p>`;
    body += barChart(
      'Status requests per Chorus invoice',
      [
        { label: 'ours (lifecycle sync)', values: [{ name: 'per invoice', value: r.lifecycleCost.oursPerInvoice }] },
        { label: 'OCA (daily per invoice)', values: [{ name: 'per invoice', value: r.lifecycleCost.ocaPerInvoice }] },
      ],
      'calls',
    );
  }

  if (r.soak) {
    body += `<h2>Soak: open invoices over time</h2>`;
    body += htmlTable([['Figure', 'Value'], ...soakRows(r.soak).slice(0, -1)]);
    body += lineChart(
      'RSS during the follow-up (MB)',
      [
        { name: 'worker', points: r.soak.rss.worker.points.map((p) => ({ x: p.t, y: p.mb })) },
        { name: 'Temporal', points: r.soak.rss.temporal.points.map((p) => ({ x: p.t, y: p.mb })) },
      ],
      's',
      'MB',
    );
  }
  body += `<h2>Chorus calls</h2>`;
  body += htmlTable([['Endpoint', 'calls', 'per chorus invoice'], ...Object.entries(r.chorusCalls.byEndpoint).map(([e, c]) => [e, c.total, c.perInvoice])]);

  body += `<h2>Temporal histories</h2>`;
  body += htmlTable([
    ['Path', 'mean events', 'max', 'activities', 'timers', 'updates', 'workflow tasks', 'activity retries (not polls)'],
    ...Object.entries(r.history.byPath).map(([p, h]) => [
      p,
      h.mean,
      h.max,
      h.shape.activities,
      h.shape.timers,
      h.shape.updates,
      Math.round(h.shape.workflowTasks * 10) / 10,
      Math.round(h.shape.activityRetries * 100) / 100,
    ]),
    ...(r.baseline ? [['baseline', r.baseline.historyEventsPerWorkflow, '', '', '', 0, '', '']] : []),
  ]);

  body += `<h2>Memory</h2>`;
  body += lineChart(
    'Resident set size (MB)',
    Object.entries(r.series.rss).map(([name, pts]) => ({ name, points: pts.filter((p) => p.t >= 0).map((p) => ({ x: p.t, y: p.mb })) })),
    'seconds',
    'MB',
  );
  body += htmlTable([
    ['Process', 'peak RSS MB', 'CPU s'],
    ...Object.entries(r.processes).map(([n, p]) => [n, p.peakRssMb, p.cpuSeconds]),
    ...(r.baseline ? [['baseline worker', r.baseline.workerPeakRssMb, r.baseline.workerCpuSeconds]] : []),
  ]);
  body += `<h2>CPU</h2>`;
  body += htmlTable([
    ['Phase', 'seconds', 'machine busy', 'other programs + steal', 'CPU s by program'],
    ...[['invoices', r.cpu.load] as const, ...(r.cpu.baseline ? [['baseline', r.cpu.baseline] as const] : [])].map(([name, w]) => [
      name,
      w.seconds,
      `${Math.round((w.machineBusy / (w.seconds * w.cpus)) * 100)} %`,
      `${(w.foreignShare * 100).toFixed(1)} %`,
      Object.entries(w.oursByCommand)
        .filter(([, v]) => v >= 0.5)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
    ]),
  ]);
  body += `<h2>PostgreSQL tables</h2>`;
  body += htmlTable([['Table', 'rows', 'sequential scans', 'rows read by them', 'index scans'], ...r.tables.map((t) => [t.table, t.rows, t.seqScans, t.seqRowsRead, t.indexScans])]);
  body += `<h2>Settings</h2><pre>${esc(JSON.stringify({ env: r.env, sandbox: r.sandbox, options: r.options }, null, 2))}</pre>`;
  return page('Agrilocal invoicing — bench', body);
}

export function writeBenchReport(r: BenchResult, outDir: string): { json: string; html: string; summary: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const base = path.join(outDir, `bench-${stamp(r.startedAt)}-${r.invoices.total}`);
  const json = `${base}.json`;
  const html = `${base}.html`;
  fs.writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  fs.writeFileSync(html, benchHtml(r));
  fs.copyFileSync(json, path.join(outDir, 'bench-latest.json'));
  fs.copyFileSync(html, path.join(outDir, 'bench-latest.html'));
  return { json, html, summary: benchSummary(r) };
}
