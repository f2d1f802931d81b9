/**
 * The lifecycle bench's pure parts (`npm run bench -- --lifecycle-days N`): each Chorus invoice's walk on the
 * sandbox, drawn from a seed, and the cost of the same invoices under OCA's policy (one status request per open
 * invoice per day), computed from what the sandbox did.
 */
import type { AutopilotPlan } from '../../chorus-sandbox/model';
import { isSubCount } from '../../chorus-sandbox/cpro-routes';
import { rng } from './scenario';
import { round } from './stats';

export type LifecycleKind = 'paid' | 'suspended' | 'recycled';

export interface LifecyclePlan extends AutopilotPlan {
  kind: LifecycleKind;
  /** Days from deposit to MISE_EN_PAIEMENT, the producer's reaction included. */
  paymentDay: number;
}

export interface LifecycleMix {
  /** Share of invoices the buyer suspends (SUSPENDUE, completed by the producer). */
  suspended: number;
  /** Share sent back for recycling (A_RECYCLER, recycled by the producer to the same buyer). */
  recycled: number;
  /** Payment after this many days (uniform, inclusive bounds). */
  minPaymentDays: number;
  maxPaymentDays: number;
  /** How long the producer takes to complete or recycle, in days (what the bench waits before calling the API). */
  reactionDays: number;
}

export const DEFAULT_LIFECYCLE_MIX: LifecycleMix = { suspended: 0.1, recycled: 0.05, minPaymentDays: 5, maxPaymentDays: 45, reactionDays: 1 };

/** Routing by Chorus: the invoice is with the buyer within the hour. */
const ROUTING_DAYS = 0.02;

/**
 * `count` walks after DEPOSEE, with delays for a day of `dayMs`: payment after minPaymentDays–maxPaymentDays;
 * half the invoices pass SERVICE_FAIT on the way; the suspended and recycled ones wait for the producer (the
 * sandbox resumes the walk after `completer` / `recycler`, the next delay counted from then).
 */
export function lifecyclePlans(count: number, seed: number, dayMs: number, mix: LifecycleMix = DEFAULT_LIFECYCLE_MIX): LifecyclePlan[] {
  const random = rng(seed);
  const ms = (days: number) => Math.max(1, Math.round(days * dayMs));
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  return Array.from({ length: count }, (): LifecyclePlan => {
    const paymentDay = between(mix.minPaymentDays, mix.maxPaymentDays);
    const draw = random();
    const kind: LifecycleKind = draw < mix.suspended ? 'suspended' : draw < mix.suspended + mix.recycled ? 'recycled' : 'paid';
    if (kind === 'paid') {
      if (random() < 0.5) {
        const serviceFait = between(ROUTING_DAYS, paymentDay);
        return { kind, paymentDay, path: ['MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MISE_EN_PAIEMENT'], stepDelaysMs: [ms(ROUTING_DAYS), ms(serviceFait - ROUTING_DAYS), ms(paymentDay - serviceFait)] };
      }
      return { kind, paymentDay, path: ['MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT'], stepDelaysMs: [ms(ROUTING_DAYS), ms(paymentDay - ROUTING_DAYS)] };
    }
    // The buyer's request comes in the first days; payment at least a day after the producer's answer.
    const asked = between(1, Math.min(5, paymentDay - mix.reactionDays - 1));
    const rest = Math.max(1, paymentDay - asked - mix.reactionDays);
    const paid = asked + mix.reactionDays + rest;
    if (kind === 'suspended') {
      return { kind, paymentDay: paid, path: ['MISE_A_DISPOSITION', 'SUSPENDUE', 'MISE_EN_PAIEMENT'], stepDelaysMs: [ms(ROUTING_DAYS), ms(asked - ROUTING_DAYS), ms(rest)] };
    }
    return {
      kind,
      paymentDay: paid,
      path: ['MISE_A_DISPOSITION', 'A_RECYCLER', 'MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT'],
      stepDelaysMs: [ms(ROUTING_DAYS), ms(asked - ROUTING_DAYS), ms(ROUTING_DAYS), ms(rest - ROUTING_DAYS)],
    };
  });
}

export interface FollowedInvoice {
  /** ms since epoch: DEPOSEE on Chorus; the terminal status (payment, rejection), or null if still open at the end. */
  depositedAt: number;
  closedAt: number | null;
}

/**
 * OCA's policy on the same invoices: one status request per open invoice per day, from the deposit to the terminal
 * status (or the end of the run), days rounded up — an invoice open 12.3 days costs 13 requests.
 */
export function ocaStatusRequests(invoices: readonly FollowedInvoice[], endedAt: number, dayMs: number): number {
  let total = 0;
  for (const invoice of invoices) {
    const open = Math.max(0, (invoice.closedAt ?? endedAt) - invoice.depositedAt);
    total += Math.max(1, Math.ceil(open / dayMs));
  }
  return total;
}

/** What a Chorus endpoint is for, in the comparison: reading statuses (what OCA's policy prices) or the rest. */
export type CallRole = 'status' | 'other';

export function callRole(endpoint: string): CallRole {
  if (isSubCount(endpoint)) return 'other'; // a sub-count (lookups by number before a deposit)
  return /rechercher\/fournisseur|consulter\/historique/.test(endpoint) ? 'status' : 'other';
}

export interface LifecycleCost {
  /** Status requests per Chorus invoice: ours (lifecycle sync searches + history reads) and OCA's (one a day). */
  oursPerInvoice: number;
  ocaPerInvoice: number;
  /** ours / OCA; the target is at most 1/3. */
  ratio: number;
}

export function lifecycleCost(oursStatusCalls: number, ocaRequests: number, invoices: number): LifecycleCost {
  const n = Math.max(1, invoices);
  return { oursPerInvoice: round(oursStatusCalls / n, 2), ocaPerInvoice: round(ocaRequests / n, 2), ratio: ocaRequests > 0 ? round(oursStatusCalls / ocaRequests, 3) : 0 };
}

/** One sync Schedule over the window: when it was due (its ticks) and when its runs started (visibility). */
export interface SyncRunTimes {
  ticks: readonly number[];
  starts: readonly number[];
}

/**
 * The searches of the sync runs the compressed clock skipped (a run still going when the next was due), each
 * priced at what a run that had something to search cost. A run searches only while its window holds an invoice
 * still followed (the recent sync: deposited within `recentWindowMs`; the daily one: any), so the skipped ticks
 * are counted in those phases only, and so are the runs that cost the measured searches.
 */
export function skippedSyncSearches(
  invoices: readonly FollowedInvoice[],
  runs: { recent: SyncRunTimes; daily: SyncRunTimes },
  recentWindowMs: number,
  syncSearches: number,
): { searches: number; skippedActiveRuns: number; activeRuns: number } {
  const open = (f: FollowedInvoice, t: number) => f.depositedAt <= t && (f.closedAt === null || f.closedAt > t);
  const recentActive = (t: number) => invoices.some((f) => open(f, t) && t - f.depositedAt < recentWindowMs);
  const dailyActive = (t: number) => invoices.some((f) => open(f, t));
  const count = (times: readonly number[], active: (t: number) => boolean) => times.filter(active).length;
  const activeRuns = count(runs.recent.starts, recentActive) + count(runs.daily.starts, dailyActive);
  const skippedActiveRuns =
    Math.max(0, count(runs.recent.ticks, recentActive) - count(runs.recent.starts, recentActive)) +
    Math.max(0, count(runs.daily.ticks, dailyActive) - count(runs.daily.starts, dailyActive));
  const perRun = activeRuns > 0 ? syncSearches / activeRuns : 0;
  return { searches: Math.round(perRun * skippedActiveRuns), skippedActiveRuns, activeRuns };
}
