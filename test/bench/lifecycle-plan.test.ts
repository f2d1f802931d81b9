/** bench/lib/lifecycle-plan.ts: the lifecycle bench's seeded walks and OCA's cost of the same invoices. */
import { autopilotPathError } from '../../chorus-sandbox/lifecycle';
import { callRole, DEFAULT_LIFECYCLE_MIX, lifecycleCost, lifecyclePlans, ocaStatusRequests, skippedSyncSearches } from '../../bench/lib/lifecycle-plan';

const DAY = 4000;

describe('lifecycle plans', () => {
  it('When plans are drawn from a seed, then the same seed gives the same plans and another seed others', () => {
    expect(lifecyclePlans(50, 7, DAY)).toEqual(lifecyclePlans(50, 7, DAY));
    expect(lifecyclePlans(50, 8, DAY)).not.toEqual(lifecyclePlans(50, 7, DAY));
  });

  it('When plans are drawn, then each is a path the sandbox accepts, one delay per step, paid within 5–45 days', () => {
    const plans = lifecyclePlans(500, 42, DAY);
    for (const plan of plans) {
      expect(autopilotPathError(plan.path)).toBeNull();
      expect(plan.stepDelaysMs).toHaveLength(plan.path.length);
      expect(plan.path[plan.path.length - 1]).toBe('MISE_EN_PAIEMENT');
      expect(plan.paymentDay).toBeGreaterThanOrEqual(DEFAULT_LIFECYCLE_MIX.minPaymentDays);
      expect(plan.paymentDay).toBeLessThanOrEqual(DEFAULT_LIFECYCLE_MIX.maxPaymentDays + 0.001);
      for (const d of plan.stepDelaysMs) expect(d).toBeGreaterThan(0);
      // The delays add up to the payment day, less the producer's reaction where he has to act.
      const walked = plan.stepDelaysMs.reduce((a, b) => a + b, 0) / DAY + (plan.kind === 'paid' ? 0 : DEFAULT_LIFECYCLE_MIX.reactionDays);
      expect(walked).toBeCloseTo(plan.paymentDay, 1);
    }
  });

  it('When 500 plans are drawn, then about 10 % are suspended and 5 % recycled, through the statuses asking the producer', () => {
    const plans = lifecyclePlans(500, 42, DAY);
    const share = (kind: string) => plans.filter((p) => p.kind === kind).length / plans.length;
    expect(share('suspended')).toBeGreaterThan(0.05);
    expect(share('suspended')).toBeLessThan(0.15);
    expect(share('recycled')).toBeGreaterThan(0.02);
    expect(share('recycled')).toBeLessThan(0.09);
    expect(plans.filter((p) => p.kind === 'suspended').every((p) => p.path.includes('SUSPENDUE'))).toBe(true);
    expect(plans.filter((p) => p.kind === 'recycled').every((p) => p.path.includes('A_RECYCLER'))).toBe(true);
  });
});

describe("OCA's cost", () => {
  it('When invoices are open for some days, then OCA asks once a day, days rounded up, until payment or the end of the run', () => {
    const t = 1_000_000;
    const invoices = [
      { depositedAt: t, closedAt: t + 12.3 * DAY }, // 13
      { depositedAt: t, closedAt: t + 5 * DAY }, // 5
      { depositedAt: t, closedAt: null }, // open until the end: 30
      { depositedAt: t, closedAt: t + 10 }, // paid at once: still one request
    ];
    expect(ocaStatusRequests(invoices, t + 30 * DAY, DAY)).toBe(13 + 5 + 30 + 1);
  });

  it('When the costs are compared, then the ratio is ours over OCA and the status endpoints are the ones compared', () => {
    expect(lifecycleCost(300, 1200, 100)).toEqual({ oursPerInvoice: 3, ocaPerInvoice: 12, ratio: 0.25 });
    expect(callRole('POST /cpro/factures/v1/rechercher/fournisseur')).toBe('status');
    expect(callRole('POST /cpro/factures/v1/consulter/historique')).toBe('status');
    expect(callRole('POST /cpro/factures/v1/deposer/flux')).toBe('other');
    expect(callRole('POST /cpro/transverses/v1/consulterCRDetaille')).toBe('other');
  });
});

describe('skipped sync runs', () => {
  const HOUR = DAY / 24;
  const ticks = (from: number, to: number, every: number) => Array.from({ length: Math.floor((to - from) / every) }, (_, k) => from + (k + 1) * every);

  it('When the clock skipped runs, then only those due while something was to be searched are priced, at the searching runs\' cost', () => {
    // One invoice deposited at 0, open 20 days; the recent window is 7 days.
    const invoices = [{ depositedAt: 0, closedAt: 20 * DAY }];
    const recentTicks = ticks(0, 30 * DAY, HOUR);
    // Every other run taken: half the ticks skipped, in the busy week and after it alike.
    const recentStarts = recentTicks.filter((_, i) => i % 2 === 0);
    const dailyTicks = ticks(0, 30 * DAY, DAY);
    const searchingRecent = recentStarts.filter((t) => t < 7 * DAY).length;
    const searchingDaily = dailyTicks.filter((t) => t < 20 * DAY).length;
    const measured = searchingRecent + searchingDaily; // one page each
    const skipped = skippedSyncSearches(invoices, { recent: { ticks: recentTicks, starts: recentStarts }, daily: { ticks: dailyTicks, starts: dailyTicks } }, 7 * DAY, measured);
    expect(skipped.activeRuns).toBe(measured);
    // The week's skipped ticks only: those after it, or after the payment, would have searched nothing.
    const weekTicks = recentTicks.filter((t) => t < 7 * DAY).length;
    expect(skipped.skippedActiveRuns).toBe(weekTicks - searchingRecent);
    expect(skipped.searches).toBe(weekTicks - searchingRecent);
  });

  it('When no run was skipped, then nothing is added', () => {
    const invoices = [{ depositedAt: 0, closedAt: null }];
    const recent = { ticks: ticks(0, 10 * DAY, HOUR), starts: ticks(0, 10 * DAY, HOUR) };
    const daily = { ticks: ticks(0, 10 * DAY, DAY), starts: ticks(0, 10 * DAY, DAY) };
    expect(skippedSyncSearches(invoices, { recent, daily }, 7 * DAY, 200).searches).toBe(0);
  });
});
