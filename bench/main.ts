/**
 * `npm run bench [-- options]`: drives the real stack through the API — orders, delivered quantities, the
 * producer's decision, Chorus sandbox on autopilot to payment — and reports completed invoices per second, API
 * latency per route, send → DEPOSEE_CHORUS, Chorus calls and Temporal history events per invoice, peak memory of
 * the worker and the API; then runs a bare workflow of the same shape on the same server (the baseline) and gives
 * our throughput as a share of it. Results: a summary here, JSON + HTML under bench/results/.
 *
 *   npm run bench                          # 200 invoices, the default mix
 *   npm run bench -- --invoices 1000       # the README's figures
 *   npm run bench -- --help
 */
import path from 'node:path';
import { Command } from 'commander';
import { runMain } from '../lib/main';
import { invoiceWorkflowId } from '../workflows/messages';
import { runBaseline, type BaselineResult } from './baseline/run';
import type { BaselineShape } from './baseline/workflows';
import { averageShape, historyLengths, historyShape, type HistoryShape } from './lib/histories';
import { cpuSpeedProbeMs, cpuWindow, type CpuWindow } from './lib/cpu';
import { describeMachine } from './lib/machine';
import { TEMPORAL_SERVER_VERSION } from '../scripts/lib/temporal-topology';
import { addLoadOptions, duration, int, timingEnv, type LoadOptions } from './lib/options';
import { lifecycleCostFigures, lifecycleEnv, runLifecycleLoad, type LifecycleOutcome } from './lib/lifecycle';
import { progress } from './lib/progress';
import { soakFigures } from './lib/soak';
import { writeBenchReport, type BenchResult } from './lib/report';
import { runLoad } from './lib/run';
import { expectedFinal, mixText, parseMix, PATHS, type InvoicePath } from './lib/scenario';
import { isSubCount } from '../chorus-sandbox/cpro-routes';
import { Stack, stopOnSignal } from './lib/stack';
import { histogramOverTime, round, summarize, type Summary } from './lib/stats';

interface BenchOptions extends LoadOptions {
  lifecycleDays?: number;
  day: number;
  soak?: number;
  soakFor: number;
  baseline: boolean;
  baselineTimerMs: number;
  baselineInFlight: number;
}

function parseArgs(): BenchOptions {
  const program = new Command('npm run bench --')
    .description('Benchmark of the invoicing stack through its API, with a bare-Temporal baseline (see docs/performance.md).')
    .showHelpAfterError('(npm run bench -- --help for the options)')
    .allowExcessArguments(false);
  addLoadOptions(program, { invoices: 200, concurrency: 16, timeout: '3m', mix: 'chorus=70,email=10,private=10,processed=10' })
    .option('--no-baseline', 'skip the bare-workflow baseline')
    .option('--baseline-timer-ms <ms>', 'duration of each baseline timer', int(1, 60_000), 1)
    .option('--baseline-in-flight <count>', 'baseline workflows running at a time', int(1, 400), 100)
    .option(
      '--lifecycle-days <days>',
      "lifecycle run: Chorus invoices followed this many scaled days after the last deposit, the production way (lifecycle sync, no per-invoice polling), against OCA's one request per open invoice per day",
      int(1, 400),
    )
    .option('--day <duration>', 'lifecycle run: how long a day of scaled time lasts (every cadence is scaled alike)', duration, 4000)
    .option('--soak <count>', 'soak run: this many open invoices (mix open=80,chorus=20 unless --mix), then --soak-for of scaled time: RSS series, storage per invoice, Chorus calls per hour', int(1, 1_000_000))
    .option('--soak-for <duration>', 'soak run: how long the open invoices are followed (wall time; a day lasts --day, 2 min unless given)', duration, 3_600_000);
  program.parse(process.argv);
  const o = program.opts<BenchOptions>();
  if (o.soak !== undefined) {
    o.invoices = o.soak;
    if (program.getOptionValueSource('mix') === 'default') o.mix = parseMix('open=80,chorus=20');
    if (program.getOptionValueSource('day') === 'default') o.day = 120_000;
    o.lifecycleDays = Math.max(1, Math.round(o.soakFor / o.day));
    o.baseline = false;
    return o;
  }
  if (o.lifecycleDays !== undefined) {
    // One page of the sync's search (100) holds every invoice: see docs/performance.md for why it matters.
    if (program.getOptionValueSource('invoices') === 'default') o.invoices = 100;
    if (program.getOptionValueSource('mix') === 'default') o.mix = parseMix('chorus=100');
    if (o.day < 1000) program.error('--day must be at least 1s: the daily sync is a Temporal Schedule, whose interval cannot be shorter.');
    o.baseline = false;
  }
  return o;
}

const log = (m: string) => process.stdout.write(`[bench] ${m}\n`);

async function main(): Promise<number> {
  const o = parseArgs();
  const startedAt = new Date();
  const lastChorusStatus = o.chorusPath[o.chorusPath.length - 1]!;
  log(`${o.invoices} invoices, concurrency ${o.concurrency}${o.rate ? `, at most ${o.rate}/s` : ''}, mix ${mixText(o.mix)}, seed ${o.seed}`);
  const scale = o.lifecycleDays !== undefined ? { days: o.lifecycleDays, dayMs: o.day } : undefined;
  const env = scale ? lifecycleEnv(o, scale) : timingEnv(o);
  const stack = await Stack.start({ env, logLevel: o.logLevel, keep: o.keep, log, workers: o.workers, documentsProcess: o.documentsProcess, cpuProfileDir: o.cpuProf, temporal: o.temporal, apis: o.apis });
  const detachSignals = stopOnSignal(stack, 'bench');
  try {
    const { rows: pgVersion } = await stack.pool.query<{ v: string }>(`select current_setting('server_version') as v`);
    const described = describeMachine(stack.temporalBinary, pgVersion[0]?.v ?? 'unknown');
    // What ran Temporal: the CLI's dev server (SQLite) or the Temporal server on PostgreSQL.
    const machine = stack.temporal.kind === 'server' ? { ...described, temporalCli: `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL` } : described;
    const speedBefore = cpuSpeedProbeMs();
    const cpuOfLoad = cpuWindow();
    const outcome = scale ? await runLifecycleLoad(stack, o, scale, { log }) : await runLoad(stack, o, { log });
    const lifecycle: LifecycleOutcome | undefined = 'lifecycle' in outcome ? (outcome.lifecycle as LifecycleOutcome) : undefined;
    // Lifecycle run: each invoice must end where Chorus has it (paid or not, ours caught up with the sandbox).
    const chorusTruth = new Map(lifecycle?.followed.map((f) => [f.identifiantFactureCPP, f]) ?? []);
    const loadCpu = cpuOfLoad();
    const speedAfter = cpuSpeedProbeMs();
    const { rows: tableStats } = await stack.pool.query<{ relname: string; seq_scan: string; seq_tup_read: string; idx_scan: string | null; n_live_tup: string }>(
      `select relname, seq_scan, seq_tup_read, idx_scan, n_live_tup from pg_stat_user_tables order by seq_tup_read desc`,
    );

    // ---- invoices: what each reached, when
    const byOrder = new Map(outcome.rows.map((r) => [r.orderId, r]));
    const perPath = Object.fromEntries(PATHS.map((p) => [p, 0])) as Record<InvoicePath, number>;
    const completionTimes: number[] = [];
    const endToEnd: Record<string, number[]> = {};
    const sendToDeposited: number[] = [];
    const unexpected: { orderId: string; path: string; status: string; chorusStatus: string | null }[] = [];
    let completed = 0;
    for (const run of outcome.runs) {
      perPath[run.path] += 1;
      const row = byOrder.get(run.orderId);
      if (!row || run.error) continue;
      const truth = chorusTruth.get(row.identifiantFactureCPP ?? '');
      const want = lifecycle && run.path === 'chorus' ?
          { status: 'DEPOSEE_CHORUS', chorusStatus: truth && row.chorusStatus === truth.statutAtWindowEnd ? truth.statutAtWindowEnd : (truth?.statut ?? 'unknown') }
        : expectedFinal(run.path, lastChorusStatus);
      if (row.status === want.status && (want.chorusStatus === undefined || row.chorusStatus === want.chorusStatus)) {
        completed += 1;
        completionTimes.push(row.updatedAt);
        (endToEnd[run.path] ??= []).push(row.updatedAt - run.startedAt!);
      } else if (unexpected.length < 20) {
        unexpected.push({ orderId: run.orderId, path: run.path, status: row.status, chorusStatus: row.chorusStatus });
      }
      if (run.path === 'chorus' && row.depositedAt && run.sentAt) sendToDeposited.push(row.depositedAt - run.sentAt);
    }
    const apiFailures = outcome.runs.filter((r) => r.error);
    const lastCompletion = completionTimes.length ? Math.max(...completionTimes) : outcome.endedAt;
    const seconds = (lastCompletion - outcome.t0) / 1000;

    // ---- Chorus calls (only the chorus path calls Chorus)
    const chorusInvoices = perPath.chorus;
    const byEndpoint: Record<string, { total: number; perInvoice: number }> = {};
    let chorusTotal = 0;
    for (const [endpoint, after] of Object.entries(outcome.chorusCallsAfter)) {
      const total = after - (outcome.chorusCallsBefore[endpoint] ?? 0);
      if (total === 0) continue;
      if (!isSubCount(endpoint)) chorusTotal += total;
      byEndpoint[endpoint] = { total, perInvoice: round(total / Math.max(1, chorusInvoices), 2) };
    }

    // ---- lifecycle run: our status requests against OCA's one a day per open invoice, over the same window
    const lifecycleFigures = lifecycle && scale ? lifecycleCostFigures(lifecycle, scale, byEndpoint, chorusTotal) : undefined;
    const soak =
      o.soak !== undefined && lifecycle && scale ?
        await soakFigures(stack, { from: lifecycle.lastDepositAt, to: lifecycle.windowEndAt, dayMs: scale.dayMs }, `BENCH-${outcome.prefix}-`, lifecycle.followUpCalls)
      : undefined;

    // ---- Temporal histories
    log('reading Temporal histories…');
    const ids = outcome.runs.filter((r) => r.invoiceId).map((r) => invoiceWorkflowId(r.orderId));
    const lengths = await historyLengths(stack.client, ids);
    const historyByPath: Record<string, Summary & { shape: HistoryShape }> = {};
    const shapes: Partial<Record<InvoicePath, HistoryShape>> = {};
    for (const p of PATHS) {
      const pathRuns = outcome.runs.filter((r) => r.path === p && r.invoiceId);
      if (pathRuns.length === 0) continue;
      const sample = [];
      for (const r of pathRuns.slice(0, 20)) sample.push(await historyShape(stack.client, invoiceWorkflowId(r.orderId)));
      const shape = averageShape(sample);
      shapes[p] = shape;
      historyByPath[p] = {
        ...summarize(pathRuns.map((r) => lengths.get(invoiceWorkflowId(r.orderId))).filter((x): x is number => x !== undefined)),
        shape: { ...shape, events: round(shape.events), activities: round(shape.activities), timers: round(shape.timers), activityRetries: round(shape.activityRetries, 2), workflowTasks: round(shape.workflowTasks) },
      };
    }
    const allLengths = [...lengths.values()];

    // ---- processes
    const proc = (p: { peakRssMb: number; cpuSeconds: number }) => ({ peakRssMb: round(p.peakRssMb), cpuSeconds: round(p.cpuSeconds) });
    const processes = {
      worker: proc(stack.workerFigures),
      ...(stack.documents ? { documents: proc(stack.documents) } : {}),
      api: proc(stack.api),
      temporal: proc(stack.temporal),
      sandbox: proc(stack.sandbox),
    };

    // ---- baseline
    let baselineCpu: CpuWindow | undefined;
    let baseline: (BaselineResult & { shapes: Record<string, BaselineShape> }) | undefined;
    if (o.baseline && completed > 0) {
      const shapeOf = (p: InvoicePath): BaselineShape => ({
        activities: Math.round(shapes[p]?.activities ?? 0),
        timers: Math.round(shapes[p]?.timers ?? 0),
        timerMs: o.baselineTimerMs,
      });
      const list = outcome.runs.map((r) => shapeOf(r.path));
      log(`baseline: ${list.length} bare workflows (${PATHS.filter((p) => shapes[p]).map((p) => `${p}: ${shapeOf(p).activities} activities + ${shapeOf(p).timers} timers`).join('; ')})`);
      const bar = progress('baseline', list.length);
      const cpuOfBaseline = cpuWindow();
      const result = await runBaseline(stack, list, { inFlight: o.baselineInFlight, timeoutMs: Math.max(o.timeout, list.length * 2000), log, onProgress: (d) => bar.update(d) });
      baselineCpu = cpuOfBaseline();
      bar.stop();
      baseline = { ...result, shapes: Object.fromEntries(PATHS.filter((p) => shapes[p]).map((p) => [p, shapeOf(p)])) };
    }

    const perSecond = completed / seconds;
    const result: BenchResult = {
      kind: 'bench',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      options: { ...o, mix: o.mix },
      env,
      sandbox: { flowProcessingDelayMs: o.flowDelay, autopilot: { path: o.chorusPath, stepDelayMs: o.stepDelay } },
      machine,
      invoices: {
        total: outcome.runs.length,
        byPath: perPath,
        completed,
        apiFailures: apiFailures.length,
        apiRetries: outcome.book.retries,
        apiFailureSamples: apiFailures.slice(0, 10).map((r) => `${r.orderId}: ${r.error ?? ''}`),
        notCompleted: unexpected,
        timedOut: outcome.timedOut,
      },
      throughput: {
        seconds: round(seconds, 2),
        completedPerSecond: round(perSecond, 2),
        submitSeconds: round((outcome.submittedAt - outcome.t0) / 1000, 2),
        submittedPerSecond: round(outcome.runs.length / ((outcome.submittedAt - outcome.t0) / 1000), 2),
      },
      latency: Object.fromEntries(
        [...outcome.book.statuses.keys()].map((route) => [
          route,
          { ...summarize(outcome.book.samples.get(route) ?? []), statuses: Object.fromEntries(outcome.book.statuses.get(route) ?? []) },
        ]),
      ),
      sendToDeposited: summarize(sendToDeposited),
      endToEnd: Object.fromEntries(Object.entries(endToEnd).map(([p, v]) => [p, summarize(v)])),
      chorusCalls: { invoices: chorusInvoices, total: chorusTotal, perInvoice: round(chorusTotal / Math.max(1, chorusInvoices), 2), byEndpoint },
      ...(lifecycleFigures ? { lifecycleCost: lifecycleFigures } : {}),
      ...(soak ? { soak } : {}),
      history: { perInvoice: summarize(allLengths), byPath: historyByPath },
      processes,
      cpu: { load: loadCpu, baseline: baselineCpu, speedProbeMs: [speedBefore, speedAfter] },
      tables: tableStats.map((t) => ({ table: t.relname, seqScans: Number(t.seq_scan), seqRowsRead: Number(t.seq_tup_read), indexScans: Number(t.idx_scan ?? 0), rows: Number(t.n_live_tup) })),
      mails: { received: stack.smtp.received.length },
      baseline: baseline
        ? {
            workflows: baseline.workflows,
            inFlight: baseline.inFlight,
            seconds: round(baseline.seconds, 2),
            perSecond: round(baseline.perSecond, 2),
            historyEventsPerWorkflow: round(baseline.historyEventsPerWorkflow),
            workerPeakRssMb: round(baseline.workerPeakRssMb),
            workerCpuSeconds: round(baseline.workerCpuSeconds),
            failed: baseline.failed,
            shapes: baseline.shapes,
          }
        : undefined,
      ratio: baseline && baseline.perSecond > 0 ? round(perSecond / baseline.perSecond, 3) : undefined,
      series: {
        completions: histogramOverTime(completionTimes, outcome.t0, 1000),
        submissions: histogramOverTime(outcome.runs.map((r) => r.apiDoneAt ?? outcome.t0), outcome.t0, 1000),
        baselineCompletions: baseline ? histogramOverTime(baseline.completions, 0, 1000) : [],
        rss: {
          ...Object.fromEntries(stack.workerProcesses.map((w) => [w.options.name, w.samples.map((s) => ({ t: (s.t - outcome.t0) / 1000, mb: s.rssMb }))])),
          api: stack.api.samples.map((s) => ({ t: (s.t - outcome.t0) / 1000, mb: s.rssMb })),
          temporal: stack.temporal.samples.map((s) => ({ t: (s.t - outcome.t0) / 1000, mb: s.rssMb })),
        },
        sendToDeposited,
      },
    };
    const files = writeBenchReport(result, path.resolve(o.out));
    process.stdout.write(`\n${files.summary}\n\nResults: ${files.json}\n         ${files.html}\n`);
    if (completed < outcome.runs.length) {
      process.stderr.write(`\n${outcome.runs.length - completed} invoice(s) did not reach their expected final state (see notCompleted in the JSON).\n`);
      return 1;
    }
    return 0;
  } finally {
    if (!detachSignals().interrupted) await stack.stop();
  }
}

runMain(main);
