/**
 * The lifecycle run (`npm run bench -- --lifecycle-days N`): Chorus invoices deposited through the API, then N days
 * of scaled time during which the sandbox moves each invoice on its own plan (lifecycle-plan.ts) and the worker
 * follows them the production way — the lifecycle sync on its Temporal Schedules, no per-invoice polling, a
 * safety look a week — with every cadence scaled alike. The bench plays the producer: it completes a SUSPENDUE
 * invoice and recycles an A_RECYCLER one a day after it is told. Chorus calls are counted by the sandbox.
 */
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { scheduleIdOf } from '../../worker/schedules';
import { ApiClient, LatencyBook, usableLoopbackSources } from './http';
import { drive, planInvoices, registerParties } from './load';
import { callsIn, SEARCH_BY_NUMBER_STAT } from '../../chorus-sandbox/cpro-routes';
import {
  callRole,
  lifecycleCost,
  lifecyclePlans,
  ocaStatusRequests,
  skippedSyncSearches,
  type FollowedInvoice,
  type LifecycleKind,
  type LifecyclePlan,
  type SyncRunTimes,
} from './lifecycle-plan';
import type { LifecycleCostFigures } from './report';
import { round } from './stats';
import { finalRows } from './monitor';
import type { LoadOptions } from './options';
import { progress } from './progress';
import type { LoadHooks, LoadOutcome } from './run';
import { assignPaths, rng, runPrefix } from './scenario';
import type { Stack } from './stack';

/** Temporal refuses Schedule intervals under a second: below that the bench is the Schedule's clock (trigger). */
const SCHEDULE_FLOOR_MS = 1000;
const HOUR = 1 / 24;

export interface LifecycleScale {
  days: number;
  dayMs: number;
}

/** The worker's and API's durations at this scale: production's defaults, a day being `dayMs`. */
export function lifecycleEnv(o: LoadOptions, scale: LifecycleScale): Record<string, string> {
  const d = (days: number, floorMs = 1) => `${Math.max(floorMs, Math.round(days * scale.dayMs))}ms`;
  const hourMs = scale.dayMs * HOUR;
  return {
    // Flow reports: 1 min doubling to 1 h, scaled (floored: a poll every few ms would only cost CPU).
    FLOW_POLL_INTERVAL: d(1 / 1440, 50),
    FLOW_POLL_MAX_INTERVAL: d(HOUR, 50),
    // No LIFECYCLE_POLL_INTERVAL: the sync's signals and the weekly safety look, as in production.
    LIFECYCLE_SAFETY_POLL_INTERVAL: d(7),
    LIFECYCLE_SYNC_INTERVAL: hourMs >= SCHEDULE_FLOOR_MS ? d(HOUR) : '3650d',
    LIFECYCLE_SYNC_RECENT_WINDOW: d(7),
    LIFECYCLE_SYNC_DAILY_INTERVAL: d(1, SCHEDULE_FLOOR_MS),
    LIFECYCLE_MAX_AGE: d(365),
    PRODUCER_REMINDER_AFTER: d(3),
    CHORUS_FAILURE_BUDGET: `${o.failureBudget}ms`,
    ACTIVITY_TIMEOUT: `${o.activityTimeout}ms`,
    CHORUS_TIMEOUT: `${o.chorusTimeout}ms`,
    CHORUS_MAX_CALLS_PER_SECOND: String(o.chorusRate),
  };
}

export interface ScheduleFigures {
  /** Runs the scale asks for over the observed window. */
  expected: number;
  /** Triggers sent by the bench (when the scaled interval is under Temporal's floor). */
  triggered: number;
  taken: number;
  skippedOverlap: number;
}

export interface LifecycleOutcome {
  scale: LifecycleScale;
  /** ms since epoch: the last deposit, and the end of the observed window (N days after it). */
  lastDepositAt: number;
  windowEndAt: number;
  plans: Record<LifecycleKind, number>;
  /** Each Chorus invoice as the sandbox saw it (its truth, exact times), for OCA's cost; `statut`: at the very end. */
  followed: (FollowedInvoice & { identifiantFactureCPP: string; statut: string; statutAtWindowEnd: string })[];
  schedules: { recent: ScheduleFigures; daily: ScheduleFigures };
  /** When each sync was due and when its runs started, to price the runs the compressed clock skipped. */
  syncRuns: { recent: SyncRunTimes; daily: SyncRunTimes };
  recentWindowMs: number;
  /** Chorus calls from the last deposit to the end of the window (the follow-up alone). */
  followUpCalls: number;
  producerActions: { completed: number; recycled: number; failed: number };
}

interface SandboxInvoiceView {
  identifiantFactureCPP: number;
  statut: string;
  histoStatut: { histoStatutCode: string; le: string }[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every invoice the sandbox holds for these suppliers, as it sees them now. */
async function sandboxInvoicesOf(stack: Stack, producers: readonly string[]): Promise<SandboxInvoiceView[]> {
  const all: SandboxInvoiceView[] = [];
  for (const siret of producers) {
    all.push(...(await stack.sandboxControl<{ invoices: SandboxInvoiceView[] }>('GET', `/invoices?siretFournisseur=${siret}`)).invoices);
  }
  return all;
}

export async function runLifecycleLoad(stack: Stack, o: LoadOptions, scale: LifecycleScale, hooks: LoadHooks): Promise<LoadOutcome & { lifecycle: LifecycleOutcome }> {
  const { log } = hooks;
  const paths = assignPaths(o.invoices, o.mix, rng(o.seed));
  const chorusCount = paths.filter((p) => p === 'chorus').length;
  const plans = lifecyclePlans(chorusCount, o.seed, scale.dayMs);
  const kinds: Record<LifecycleKind, number> = { paid: 0, suspended: 0, recycled: 0 };
  for (const p of plans) kinds[p.kind] += 1;
  await stack.sandboxControl('PUT', '/config', {
    // Chorus integrates a flow in minutes to hours: half an hour, scaled.
    flowProcessingDelayMs: Math.round(scale.dayMs / 48),
    autopilot: { path: ['MISE_A_DISPOSITION'], stepDelayMs: 0, plans: plans.map((p: LifecyclePlan) => ({ path: p.path, stepDelaysMs: p.stepDelaysMs })) },
    faults: { errorRate5xx: 0, latencyMs: 0, spurious401Rate: 0, invalidClientRate: 0 },
  });

  const port = Number(new URL(stack.apiUrl).port);
  const sources = await usableLoopbackSources(32, port);
  const book = new LatencyBook();
  const api = new ApiClient({ baseUrl: `${stack.apiUrl}/api/v1`, baseUrls: stack.apiUrls.map((u) => `${u}/api/v1`), token: 'dev-platform-key', sources, book });
  const recentId = scheduleIdOf('invoices', 'chorus-lifecycle-sync-recent');
  const dailyId = scheduleIdOf('invoices', 'chorus-lifecycle-sync-daily');
  const hourMs = scale.dayMs * HOUR;
  const triggerTimes: number[] = [];
  let clock: NodeJS.Timeout | undefined;
  let producer: NodeJS.Timeout | undefined;
  try {
    const prefix = runPrefix();
    const parties = await registerParties(api, stack, prefix, { producers: o.producers, publicBuyers: o.publicBuyers, privateBuyers: o.privateBuyers });
    const runs = planInvoices(prefix, paths, parties);
    log(
      `${runs.length} invoices (${chorusCount} to Chorus: ${kinds.paid} paid, ${kinds.suspended} through SUSPENDUE, ${kinds.recycled} through A_RECYCLER); ` +
        `a day is ${scale.dayMs} ms, ${scale.days} days after the last deposit`,
    );
    const chorusCallsBefore = await stack.sandboxControl<Record<string, number>>('GET', '/stats');
    const t0 = Date.now();

    // The recent sync's hour is under Temporal's floor: the bench fires the worker's own Schedule at that pace.
    if (hourMs < SCHEDULE_FLOOR_MS) {
      const handle = stack.client.schedule.getHandle(recentId);
      clock = setInterval(() => {
        triggerTimes.push(Date.now());
        handle.trigger(ScheduleOverlapPolicy.SKIP).catch((error: unknown) => log(`trigger of ${recentId}: ${String(error)}`));
      }, hourMs);
    }

    // The producer: a day after his invoice shows SUSPENDUE (A_RECYCLER), he completes (recycles) it.
    const byInvoice = new Map(runs.map((r) => [r.orderId, r]));
    const seenAt = new Map<string, number>();
    const actions = { completed: 0, recycled: 0, failed: 0 };
    let acting = false;
    const orderPrefix = `BENCH-${prefix}-`;
    producer = setInterval(() => {
      if (acting) return;
      acting = true;
      void (async () => {
        const { rows } = await stack.pool.query<{ invoice_id: string; order_id: string; chorus_status: string; history_seq: number }>(
          `select invoice_id, order_id, chorus_status, history_seq from invoice
            where order_id like $1 and status = 'DEPOSEE_CHORUS' and chorus_status in ('SUSPENDUE', 'A_RECYCLER')`,
          [`${orderPrefix}%`],
        );
        for (const row of rows) {
          const key = `${row.invoice_id}:${row.history_seq}`;
          const first = seenAt.get(key);
          if (first === undefined) {
            seenAt.set(key, Date.now());
            continue;
          }
          if (first < 0 || Date.now() - first < scale.dayMs) continue;
          seenAt.set(key, -1);
          const run = byInvoice.get(row.order_id);
          try {
            if (row.chorus_status === 'SUSPENDUE') {
              await api.call('POST /invoices/{id}/complete', 'POST', `/invoices/${row.invoice_id}/complete`, { comment: 'Bon de livraison signé : voir pièce du dossier', attachments: [] }, { 'idempotency-key': `complete-${key}` });
              actions.completed += 1;
            } else {
              await api.call('POST /invoices/{id}/recycle', 'POST', `/invoices/${row.invoice_id}/recycle`, { buyerSiret: run?.buyerSiret }, { 'idempotency-key': `recycle-${key}` });
              actions.recycled += 1;
            }
          } catch (error) {
            actions.failed += 1;
            if (actions.failed <= 5) log(`producer action on ${row.order_id} (${row.chorus_status}): ${error instanceof Error ? error.message : String(error)}`);
          }
        }
      })()
        .catch((error: unknown) => log(`producer loop: ${String(error)}`))
        .finally(() => {
          acting = false;
        });
    }, Math.max(50, Math.round(scale.dayMs / 8)));

    // Deposits, as fast as the API takes them.
    const bar = hooks.bar === false ? undefined : progress('invoices', runs.length);
    let submitted = 0;
    await drive(api, runs, {
      concurrency: o.concurrency,
      ...(o.rate ? { rate: o.rate } : {}),
      onInvoice: (run) => {
        submitted += 1;
        bar?.update(submitted);
        if (run.error) log(`invoice ${run.orderId}: ${run.error}`);
      },
    });
    bar?.stop();
    const submittedAt = Date.now();
    // Deposits to wait for: the Chorus invoices (a soak run's others stay "à traiter").
    const expected = runs.filter((r) => !r.error && r.path === 'chorus').length;
    let rows = await finalRows(stack.pool, orderPrefix);
    const waitUntil = Date.now() + o.timeout;
    while (rows.filter((r) => r.depositedAt !== null).length < expected && Date.now() < waitUntil) {
      await sleep(250);
      rows = await finalRows(stack.pool, orderPrefix);
    }
    const deposited = rows.filter((r) => r.depositedAt !== null);
    const lastDepositAt = Math.max(t0, ...deposited.map((r) => r.depositedAt!));
    const windowEndAt = lastDepositAt + scale.days * scale.dayMs;
    const callsAtLastDeposit = callsIn(await stack.sandboxControl<Record<string, number>>('GET', '/stats'));
    log(`${deposited.length}/${expected} deposited in ${((lastDepositAt - t0) / 1000).toFixed(1)} s; following them ${scale.days} days (${((windowEndAt - Date.now()) / 1000).toFixed(0)} s)`);

    const days = hooks.bar === false ? undefined : progress('days', scale.days);
    while (Date.now() < windowEndAt) {
      await sleep(Math.min(500, windowEndAt - Date.now()));
      days?.update(Math.min(scale.days, Math.floor((Date.now() - lastDepositAt) / scale.dayMs)));
    }
    days?.stop();
    // The window ends here for both policies: calls counted now, the sandbox's truth read now.
    const chorusCallsAfter = await stack.sandboxControl<Record<string, number>>('GET', '/stats');
    const followUpCalls = callsIn(chorusCallsAfter) - callsAtLastDeposit;
    if (clock) clearInterval(clock);
    clearInterval(producer);
    clock = undefined;
    producer = undefined;
    const followed: LifecycleOutcome['followed'] = [];
    for (const inv of await sandboxInvoicesOf(stack, parties.producers)) {
      const at = (code: string) => inv.histoStatut.find((h) => h.histoStatutCode === code)?.le;
      const depositedAt = Date.parse(at('DEPOSEE') ?? '');
      const closed = at('MISE_EN_PAIEMENT') ?? at('REJETEE');
      const closedAt = closed ? Date.parse(closed) : null;
      followed.push({ identifiantFactureCPP: String(inv.identifiantFactureCPP), statut: inv.statut, statutAtWindowEnd: inv.statut, depositedAt, closedAt: closedAt !== null && closedAt <= windowEndAt ? closedAt : null });
    }

    // One more sync (its calls are past the window), its signals left to land, then both sides read again: each
    // invoice must be where the sandbox has it now.
    await stack.client.schedule.getHandle(recentId).trigger(ScheduleOverlapPolicy.BUFFER_ONE);
    await sleep(Math.max(4000, 2 * hourMs));
    rows = await finalRows(stack.pool, orderPrefix);
    const now = new Map((await sandboxInvoicesOf(stack, parties.producers)).map((inv) => [String(inv.identifiantFactureCPP), inv.statut]));
    for (const f of followed) f.statut = now.get(f.identifiantFactureCPP) ?? f.statut;
    const ours = new Map(rows.map((r) => [r.identifiantFactureCPP ?? '', r]));
    // Ours may be where Chorus was at the end of the window, or where it is now (a move during the last sync).
    const caughtUp = (f: LifecycleOutcome['followed'][number]) => [f.statut, f.statutAtWindowEnd].includes(ours.get(f.identifiantFactureCPP)?.chorusStatus ?? '');
    const behind = followed.filter((f) => !caughtUp(f));
    for (const f of behind.slice(0, 10)) {
      const row = ours.get(f.identifiantFactureCPP);
      log(`behind Chorus: ${row?.orderId ?? f.identifiantFactureCPP} is ${row?.chorusStatus ?? '?'} here, ${f.statut} on Chorus (${f.closedAt === null ? 'open at the end of the window' : 'closed in the window'})`);
    }
    const schedule = async (id: string, expectedRuns: number, sent: number): Promise<ScheduleFigures> => {
      const info = (await stack.client.schedule.getHandle(id).describe()).info;
      return { expected: expectedRuns, triggered: sent, taken: info.numActionsTaken, skippedOverlap: info.numActionsSkippedOverlap };
    };
    const spanDays = (windowEndAt - t0) / scale.dayMs;
    const triggered = triggerTimes.length;
    const starts = async (id: string): Promise<number[]> => {
      const times: number[] = [];
      for await (const run of stack.client.workflow.list({ query: `TemporalScheduledById = '${id}'` })) {
        const at = run.startTime.getTime();
        if (at >= t0 && at <= windowEndAt) times.push(at);
      }
      return times;
    };
    const every = (ms: number) => Array.from({ length: Math.floor((windowEndAt - t0) / ms) }, (_, k) => t0 + (k + 1) * ms);
    const lifecycle: LifecycleOutcome = {
      scale,
      lastDepositAt,
      windowEndAt,
      plans: kinds,
      followed,
      schedules: { recent: await schedule(recentId, Math.floor(spanDays * 24), triggered), daily: await schedule(dailyId, Math.floor(spanDays), 0) },
      syncRuns: {
        recent: { ticks: triggered > 0 ? triggerTimes.filter((t) => t <= windowEndAt) : every(hourMs), starts: await starts(recentId) },
        daily: { ticks: every(scale.dayMs), starts: await starts(dailyId) },
      },
      recentWindowMs: 7 * scale.dayMs, // LIFECYCLE_SYNC_RECENT_WINDOW, as lifecycleEnv sets it
      followUpCalls,
      producerActions: actions,
    };
    return {
      prefix,
      runs,
      book,
      t0,
      submittedAt,
      endedAt: windowEndAt,
      settled: rows.length,
      timedOut: deposited.length < expected,
      rows,
      lastCounts: [],
      chorusCallsBefore,
      chorusCallsAfter,
      sources: sources.length,
      lifecycle,
    };
  } finally {
    if (clock) clearInterval(clock);
    if (producer) clearInterval(producer);
    api.close();
  }
}

/**
 * The lifecycle run's figures: our status requests (the sync's searches, history reads) against OCA's one a day per
 * open invoice over the same window, from the sandbox's call counts (`byEndpoint`, `chorusTotal`: the run's).
 */
export function lifecycleCostFigures(
  lifecycle: LifecycleOutcome,
  scale: LifecycleScale,
  byEndpoint: Record<string, { total: number; perInvoice: number }>,
  chorusTotal: number,
): LifecycleCostFigures {
  const n = lifecycle.followed.length;
  const roles = Object.entries(byEndpoint).map(([endpoint, c]) => ({ endpoint, ...c, role: callRole(endpoint) }));
  // Lookups by number before a deposit are deposit-side calls, counted by the sandbox apart.
  const byNumber = byEndpoint[SEARCH_BY_NUMBER_STAT]?.total ?? 0;
  const statusCalls = roles.filter((r) => r.role === 'status').reduce((a, r) => a + r.total, 0) - byNumber;
  const otherCalls = chorusTotal - statusCalls;
  const oca = ocaStatusRequests(lifecycle.followed, lifecycle.windowEndAt, scale.dayMs);
  const openDays = lifecycle.followed.map((f) => ((f.closedAt ?? lifecycle.windowEndAt) - f.depositedAt) / scale.dayMs);
  // The sync runs the time compression skipped (a run outlasting a scaled hour) would each have cost what a
  // searching run cost here: added back, so that the headline figure is production's cadence, not the bench's.
  const syncSearches = statusCalls - (byEndpoint['POST /cpro/factures/v1/consulter/historique']?.total ?? 0);
  const skipped = skippedSyncSearches(lifecycle.followed, lifecycle.syncRuns, lifecycle.recentWindowMs, syncSearches);
  const skippedSearches = skipped.searches;
  return {
    ...lifecycleCost(statusCalls + skippedSearches, oca, n),
    measured: lifecycleCost(statusCalls, oca, n),
    skippedSyncSearches: skippedSearches,
    skippedSearchingRuns: skipped.skippedActiveRuns,
    searchingRuns: skipped.activeRuns,
    compared:
      'status requests per Chorus invoice over the same window: ours = rechercher/fournisseur (lifecycle sync) + consulter/historique, ' +
      'plus the searches of the sync runs the compressed clock skipped (measured: without them); ' +
      "OCA = one request per open invoice per day (deposit to payment or end of window, days rounded up). allCalls adds every other call of ours (deposit, flow reports, structures, token, completer/recycler) to both sides.",
    allCalls: lifecycleCost(chorusTotal + skippedSearches, oca + otherCalls, n),
    invoices: n,
    days: scale.days,
    dayMs: scale.dayMs,
    ocaRequests: oca,
    oursStatusCalls: statusCalls,
    meanOpenDays: round(openDays.reduce((a, b) => a + b, 0) / Math.max(1, n), 2),
    paidInWindow: lifecycle.followed.filter((f) => f.closedAt !== null).length,
    plans: lifecycle.plans,
    producerActions: lifecycle.producerActions,
    schedules: lifecycle.schedules,
    byEndpoint: Object.fromEntries(roles.map((r) => [r.endpoint, { total: r.total, perInvoice: round(r.total / Math.max(1, n), 2), role: r.role }])),
  };
}
