/**
 * One load on a started stack, shared by the bench and the drill: sandbox autopilot on, parties registered,
 * the invoices driven through the API while PostgreSQL is watched, until every invoice is settled (or the
 * timeout). Returns what happened, for the report or the invariants.
 */
import { ApiClient, LatencyBook, usableLoopbackSources } from './http';
import { drive, planInvoices, registerParties, type InvoiceRun } from './load';
import { finalRows, waitSettled, type FinalRow, type StatusCount } from './monitor';
import type { LoadOptions } from './options';
import { progress } from './progress';
import { assignPaths, rng, runPrefix } from './scenario';
import type { Stack } from './stack';

export interface LoadOutcome {
  prefix: string;
  runs: InvoiceRun[];
  book: LatencyBook;
  /** ms since epoch: first invoice request; last API part done; all settled (or gave up). */
  t0: number;
  submittedAt: number;
  endedAt: number;
  settled: number;
  timedOut: boolean;
  rows: FinalRow[];
  lastCounts: StatusCount[];
  chorusCallsBefore: Record<string, number>;
  chorusCallsAfter: Record<string, number>;
  sources: number;
}

export interface LoadHooks {
  log: (m: string) => void;
  /** Retry network errors, 429 and 5xx (the drill). */
  retry?: boolean;
  /** Called about every half second while the load runs. */
  onTick?: (state: { settled: number; submitted: number; errors: number }) => void;
  /** Stop giving new invoices. */
  shouldStop?: () => boolean;
  /** Whether to show a progress bar. */
  bar?: boolean;
}

export async function runLoad(stack: Stack, o: LoadOptions, hooks: LoadHooks): Promise<LoadOutcome> {
  const { log } = hooks;
  const lastChorusStatus = o.chorusPath[o.chorusPath.length - 1]!;
  await stack.sandboxControl('PUT', '/config', {
    flowProcessingDelayMs: o.flowDelay,
    autopilot: { path: o.chorusPath, stepDelayMs: o.stepDelay },
    faults: { errorRate5xx: 0, latencyMs: 0, spurious401Rate: 0, invalidClientRate: 0 },
  });

  const port = Number(new URL(stack.apiUrl).port);
  const sources = await usableLoopbackSources(32, port);
  if (sources.length === 1) log('warning: only 127.0.0.1 is usable as a source address; the API rate limit (1200/min per address) may answer 429');
  const book = new LatencyBook();
  const api = new ApiClient({
    baseUrl: `${stack.apiUrl}/api/v1`,
    baseUrls: stack.apiUrls.map((u) => `${u}/api/v1`),
    token: 'dev-platform-key',
    sources,
    book,
    ...(hooks.retry ? { retry: { deadlineMs: 5 * 60_000 } } : {}),
  });
  try {
    const prefix = runPrefix();
    const parties = await registerParties(api, stack, prefix, { producers: o.producers, publicBuyers: o.publicBuyers, privateBuyers: o.privateBuyers });
    const paths = assignPaths(o.invoices, o.mix, rng(o.seed));
    const runs = planInvoices(prefix, paths, parties);
    log(`${o.producers} producers, ${o.publicBuyers} public and ${o.privateBuyers} private buyers registered; ${runs.length} invoices to go (${sources.length} loopback source addresses)`);
    const chorusCallsBefore = await stack.sandboxControl<Record<string, number>>('GET', '/stats');

    let submitted = 0;
    let errors = 0;
    let submittedAll = false;
    const bar = hooks.bar === false ? undefined : progress('invoices', runs.length);
    const t0 = Date.now();
    const load = drive(api, runs, {
      concurrency: o.concurrency,
      ...(o.rate ? { rate: o.rate } : {}),
      onInvoice: (run) => {
        submitted += 1;
        if (run.error) {
          errors += 1;
          if (errors <= 5) log(`invoice ${run.orderId} (${run.path}): ${run.error}`);
        }
      },
      ...(hooks.shouldStop ? { shouldStop: hooks.shouldStop } : {}),
    }).finally(() => {
      submittedAll = true;
    });
    let lastCounts: StatusCount[] = [];
    let settled = 0;
    const orderPrefix = `BENCH-${prefix}-`;
    const watch = waitSettled(stack.pool, orderPrefix, () => submitted - errors, lastChorusStatus, {
      stallMs: o.timeout,
      submitted: () => submittedAll,
      activity: () => submitted,
      onProgress: (n, counts) => {
        settled = n;
        lastCounts = counts;
        bar?.update(n, `sent ${submitted}/${runs.length}${errors ? `, ${errors} API failures` : ''}`);
        hooks.onTick?.({ settled: n, submitted, errors });
      },
    });
    await load;
    const submittedAt = Date.now();
    settled = await watch;
    const endedAt = Date.now();
    bar?.update(settled, `sent ${submitted}/${runs.length}${errors ? `, ${errors} API failures` : ''}`);
    bar?.stop();
    const timedOut = settled < submitted - errors;
    const rows = await finalRows(stack.pool, orderPrefix);
    const chorusCallsAfter = await stack.sandboxControl<Record<string, number>>('GET', '/stats');
    return { prefix, runs, book, t0, submittedAt, endedAt, settled, timedOut, rows, lastCounts, chorusCallsBefore, chorusCallsAfter, sources: sources.length };
  } finally {
    api.close();
  }
}
