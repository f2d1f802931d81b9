/**
 * The qualification checklist of the Chorus fidelity audit (docs/chorus.md, "Qualification run"): each check
 * makes the calls that settle one assumption of our client, and says what the host answered and whether the
 * assumption holds. Read-only calls, plus one deposit of a test invoice (and two optional ones).
 *
 * The checks go through the real ChorusClient (what production runs) and read the raw answers from a
 * recording fetch, so a report shows the host's own words, not our interpretation of them.
 */
import { ChorusBusinessError, ChorusClient, isNoResult, type ConsulterCRDetailleResponse } from '../../../chorus';
import { FLOW_FAILED_STATES, isFlowFinal } from '../../../domain/statuses';

export type Verdict = 'holds' | 'differs' | 'unsettled';

export interface CheckResult {
  /** The audit's register ids the check settles, e.g. "CRITICAL-1". */
  audit: string;
  item: string;
  /** What the host answered, in its own words (codes, states, values). */
  answer: string;
  verdict: Verdict;
}

export interface Exchange {
  path: string;
  status: number;
  body: unknown;
}

/** Keeps the last raw answer of each path. */
export class Recorder {
  readonly last = new Map<string, Exchange>();

  readonly fetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const path = new URL(url).pathname;
    const text = await response.clone().text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    this.last.set(path, { path, status: response.status, body });
    return response;
  };

  /** `HTTP 200, codeRetour 20000, "TRA_MSG_00.015 …"` for the last call of a path. */
  envelope(path: string): string {
    const exchange = this.last.get(path);
    if (!exchange) return 'no answer recorded';
    const body = (typeof exchange.body === 'object' && exchange.body !== null ? exchange.body : {}) as Record<string, unknown>;
    const code = body.codeRetour === undefined ? 'no codeRetour' : `codeRetour ${JSON.stringify(body.codeRetour)}`;
    const libelle = typeof body.libelle === 'string' ? `, "${body.libelle}"` : '';
    return `HTTP ${exchange.status}, ${code}${libelle}`;
  }
}

export interface QualifyTargets {
  /** A public buyer structure known to the host. */
  buyerSiret: string;
  /** A public structure with no service, if one is known. */
  buyerWithoutServicesSiret?: string;
  /** Our supplier structure (the seller of the test invoice). */
  supplierSiret: string;
  /** A SIRET nobody registered (Luhn-valid). */
  unknownSiret: string;
}

const STRUCTURES = '/cpro/structures/v1/rechercher';
const SERVICES = '/cpro/structures/v1/rechercher/services';
const INVOICES = '/cpro/factures/v1/rechercher/fournisseur';

/** Token, health-check: the six CHORUS_* settings are right. */
export async function checkAccess(client: ChorusClient): Promise<CheckResult> {
  const item = 'PISTE token and technical account (health-check)';
  try {
    await client.healthCheck();
    return { audit: 'UNKNOWN-11', item, answer: 'health-check answered', verdict: 'holds' };
  } catch (error) {
    return { audit: 'UNKNOWN-11', item, answer: describe(error), verdict: 'differs' };
  }
}

/** Checklist 1: an unknown SIRET, and the `statut` of a known one. */
export async function checkStructureSearch(client: ChorusClient, recorder: Recorder, t: QualifyTargets): Promise<CheckResult[]> {
  const unknown = await attempt(() => client.rechercherStructure(t.unknownSiret));
  const unknownAnswer = recorder.envelope(STRUCTURES);
  const known = await attempt(() => client.rechercherStructure(t.buyerSiret));
  const raw = recorder.last.get(STRUCTURES)?.body as { listeStructures?: { statut?: string }[] | { statut?: string } } | undefined;
  const list = raw?.listeStructures;
  const statuts = (Array.isArray(list) ? list : list ? [list] : []).map((s) => s.statut ?? '(none)');
  return [
    {
      audit: 'CRITICAL-1',
      item: `structures/v1/rechercher, unknown SIRET ${t.unknownSiret}: read as "no structure"`,
      answer: unknown.ok ? unknownAnswer : `${unknownAnswer}; client: ${describe(unknown.error)}`,
      verdict: unknown.ok && unknown.value === null ? 'holds' : 'differs',
    },
    {
      audit: 'CRITICAL-2, UNKNOWN-10',
      item: `structures/v1/rechercher, buyer ${t.buyerSiret}: statut is ACTIVE/INACTIVE and the structure is found`,
      answer: `statut ${statuts.join(', ') || '(no structure)'}${Array.isArray(list) ? '' : ' (listeStructures not an array)'}`,
      verdict: known.ok && known.value !== null && statuts.every((s) => s === 'ACTIVE' || s === 'INACTIVE') ? 'holds' : 'differs',
    },
  ];
}

/** Checklist 2: the services of a structure that has none. */
export async function checkNoServices(client: ChorusClient, recorder: Recorder, t: QualifyTargets): Promise<CheckResult> {
  const item = 'structures/v1/rechercher/services on a structure without services: read as an empty list';
  if (!t.buyerWithoutServicesSiret) return { audit: 'CRITICAL-1', item, answer: 'no such structure given (--buyer-without-services)', verdict: 'unsettled' };
  const found = await attempt(() => client.rechercherStructure(t.buyerWithoutServicesSiret as string));
  if (!found.ok || !found.value) return { audit: 'CRITICAL-1', item, answer: `structure ${t.buyerWithoutServicesSiret} not found`, verdict: 'unsettled' };
  const idStructure = found.value.idStructureCPP;
  const services = await attempt(() => client.rechercherServicesStructure(idStructure));
  const answer = recorder.envelope(SERVICES);
  if (!services.ok) return { audit: 'CRITICAL-1', item, answer: `${answer}; client: ${describe(services.error)}`, verdict: 'differs' };
  if (services.value.length > 0) return { audit: 'CRITICAL-1', item, answer: `${services.value.length} services: not a structure without services`, verdict: 'unsettled' };
  return { audit: 'CRITICAL-1', item, answer, verdict: 'holds' };
}

/** Checklist 3 (first half): an invoice number nobody used. */
export async function checkUnknownInvoice(client: ChorusClient, recorder: Recorder, t: QualifyTargets): Promise<CheckResult> {
  const numero = `QX${Date.now().toString(36).toUpperCase()}`;
  const found = await attempt(() => client.findInvoiceByNumber(numero, { siretFournisseur: t.supplierSiret }));
  const answer = recorder.envelope(INVOICES);
  return {
    audit: 'CRITICAL-1',
    item: `factures/v1/rechercher/fournisseur, unused number ${numero}: read as "no invoice"`,
    answer: found.ok ? answer : `${answer}; client: ${describe(found.error)}`,
    verdict: found.ok && found.value === null ? 'holds' : 'differs',
  };
}

export interface DepositRun {
  numeroFacture: string;
  file: Buffer;
  /** Longest wait for a final flow state. */
  waitMs: number;
  pollMs: number;
  /** Moves the deposited invoice on the buyer's side (sandbox only), so that its history has two entries. */
  advance?: (identifiantFactureCPP: number) => Promise<void>;
}

/** Checklist 7, 3 (second half) and 4: one deposit, its first report, the invoice it became, its history. */
export async function checkDeposit(client: ChorusClient, recorder: Recorder, t: QualifyTargets, run: DepositRun): Promise<CheckResult[]> {
  const deposited = await attempt(() => client.deposerFlux({ fichierFlux: run.file, nomFichier: `${run.numeroFacture}.pdf` }));
  if (!deposited.ok) return [{ audit: 'UNKNOWN-7', item: 'deposer/flux of a test invoice', answer: describe(deposited.error), verdict: 'differs' }];
  const { numeroFluxDepot } = deposited.value;
  const first = await attempt(() => client.consulterCRDetaille(numeroFluxDepot));
  const results: CheckResult[] = [
    {
      audit: 'UNKNOWN-6, MINOR-15',
      item: `consulterCRDetaille right after the deposit of ${numeroFluxDepot}: the flow is known`,
      answer: first.ok ? `etatCourantDepotFlux ${first.value.etatCourantDepotFlux}` : describe(first.error),
      verdict: first.ok ? 'holds' : 'differs',
    },
  ];
  const report = await finalReport(client, numeroFluxDepot, run);
  results.push({
    audit: 'CRITICAL-4, MINOR-18',
    item: `flow ${numeroFluxDepot} reaches a final state within ${Math.round(run.waitMs / 1000)} s`,
    answer: report ? `${report.etatCourantDepotFlux}${errorsOf(report)}` : 'still in progress',
    verdict: report ? (report.etatCourantDepotFlux === 'IN_INTEGRE' ? 'holds' : 'differs') : 'unsettled',
  });
  if (report?.etatCourantDepotFlux !== 'IN_INTEGRE') return results;
  return [...results, ...(await checkDepositedInvoice(client, recorder, t, run))];
}

async function checkDepositedInvoice(client: ChorusClient, recorder: Recorder, t: QualifyTargets, run: DepositRun): Promise<CheckResult[]> {
  const { numeroFacture } = run;
  const found = await attempt(() => client.findInvoiceByNumber(numeroFacture));
  if (!found.ok || !found.value) {
    return [{ audit: 'UNKNOWN-5', item: `rechercher/fournisseur by number ${numeroFacture}`, answer: found.ok ? 'not found' : describe(found.error), verdict: 'differs' }];
  }
  const invoice = found.value;
  await run.advance?.(invoice.identifiantFactureCPP);
  const history = await attempt(() => client.consulterHistorique(invoice.identifiantFactureCPP));
  const raw = recorder.last.get('/cpro/factures/v1/consulter/historique')?.body as
    | { historiquesDesStatuts?: { histoStatut?: { histoStatutId?: number }[] } }
    | undefined;
  const ids = (raw?.historiquesDesStatuts?.histoStatut ?? []).map((h) => h.histoStatutId);
  const order =
    ids.length < 2 ? 'fewer than 2 entries'
    : ids.every((id, i) => i === 0 || (ids[i - 1] ?? 0) > (id ?? 0)) ? 'newest first'
    : ids.every((id, i) => i === 0 || (ids[i - 1] ?? 0) < (id ?? 0)) ? 'oldest first'
    : 'unordered';
  return [
    {
      audit: 'UNKNOWN-5',
      item: `rechercher/fournisseur by number: codeFournisseur is the supplier's SIRET ${t.supplierSiret}`,
      answer: `codeFournisseur ${invoice.codeFournisseur ?? '(absent)'}, statut ${invoice.statut}`,
      verdict: invoice.codeFournisseur === undefined || invoice.codeFournisseur === t.supplierSiret ? 'holds' : 'differs',
    },
    {
      audit: 'CRITICAL-3, UNKNOWN-2',
      item: 'consulter/historique with a page of 500: accepted; the client reads it oldest first whatever the order',
      answer: history.ok ? `${ids.length} entries, ${order}` : describe(history.error),
      verdict: !history.ok ? 'differs' : ids.length < 2 ? 'unsettled' : 'holds',
    },
  ];
}

/** Checklist 5 and 6: a deposit expected to fail (unattached supplier, invalid file) ends as failed, with reasons. */
export async function checkFailingDeposit(client: ChorusClient, audit: string, item: string, run: DepositRun): Promise<CheckResult> {
  const deposited = await attempt(() => client.deposerFlux({ fichierFlux: run.file, nomFichier: `${run.numeroFacture}.pdf` }));
  if (!deposited.ok) return { audit, item, answer: `refused at deposit: ${describe(deposited.error)}`, verdict: 'holds' };
  const report = await finalReport(client, deposited.value.numeroFluxDepot, run);
  if (!report) return { audit, item, answer: 'still in progress', verdict: 'unsettled' };
  const failed = FLOW_FAILED_STATES.includes(report.etatCourantDepotFlux);
  return { audit, item, answer: `${report.etatCourantDepotFlux}${errorsOf(report)}`, verdict: failed ? 'holds' : 'differs' };
}

async function finalReport(client: ChorusClient, numeroFluxDepot: string, run: DepositRun): Promise<ConsulterCRDetailleResponse | undefined> {
  const deadline = Date.now() + run.waitMs;
  for (;;) {
    const report = await attempt(() => client.consulterCRDetaille(numeroFluxDepot));
    if (report.ok && isFlowFinal(report.value.etatCourantDepotFlux)) return report.value;
    if (Date.now() > deadline) return undefined;
    await new Promise((resolve) => setTimeout(resolve, run.pollMs));
  }
}

function errorsOf(report: ConsulterCRDetailleResponse): string {
  const dp = report.listeErreurDP.map((e) => e.libelleErreurDP).filter(Boolean);
  const technical = report.listeErreurTechnique.length;
  return `${dp.length ? `: ${dp.join(' | ')}` : ''}${technical ? ` (${technical} technical errors)` : ''}`;
}

type Attempt<T> = { ok: true; value: T } | { ok: false; error: unknown };

async function attempt<T>(call: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    return { ok: false, error };
  }
}

function describe(error: unknown): string {
  if (error instanceof ChorusBusinessError) {
    return `refused (HTTP ${error.httpStatus}, codeRetour ${String(error.codeRetour)}${isNoResult(error) ? ', "no result"' : ''}): ${error.libelle}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
