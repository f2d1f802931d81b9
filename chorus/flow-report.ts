/**
 * What a final flow report means for one invoice of the flow: integrated (with the id Chorus gives it) or
 * rejected (with the reasons the producer reads). Pure: the activity fetches the report and the invoice's search
 * result, this decides (as OCA `chorus_flow.py` keeps `update_flow_status` apart from `chorus_api_consulter_cr`).
 */
import { FLOW_INTEGRATED_STATES } from '../domain/statuses';
import type { InvoiceOnChorus } from './client';
import type { ConsulterCRDetailleResponse } from './wire';

export type FlowOutcome =
  | { outcome: 'INTEGRATED'; etat: string; identifiantFactureCPP: string }
  | { outcome: 'REJECTED'; etat: string; errors: string[] };

/** The report of the flow we deposited (its number, as we recorded it). */
export type FinalFlowReport = Pick<ConsulterCRDetailleResponse, 'etatCourantDepotFlux' | 'listeErreurDP' | 'listeErreurTechnique'> & {
  numeroFluxDepot: string;
};

/** The report's messages about invoice `numeroFacture` (or about the whole flow), one per line, trimmed. */
export function flowReportErrors(report: FinalFlowReport, numeroFacture: string): string[] {
  return [
    ...report.listeErreurDP.filter((e) => !e.numeroDP || e.numeroDP === numeroFacture).flatMap((e) => (e.libelleErreurDP ?? '').split('|')),
    ...report.listeErreurTechnique.map((e) => [e.codeErreur, e.libelleErreur].filter(Boolean).join(' ')),
  ]
    .map((m) => m.trim())
    .filter((m) => m.length > 0);
}

/**
 * The outcome of a final report for invoice `numeroFacture`, given what a search by that number `found` on
 * Chorus (null: nothing). An integrated flow may still leave our invoice out (IN_INTEGRE_PARTIEL, or Chorus
 * omitting it): the invoice counts as integrated only once Chorus lists it. A rejected flow whose number Chorus
 * already holds through another flow (an earlier deposit went through after all) is adopted rather than
 * reported as rejected.
 */
export function classifyFlowReport(report: FinalFlowReport, found: InvoiceOnChorus | null, numeroFacture: string): FlowOutcome {
  const etat = report.etatCourantDepotFlux;
  const integrated = FLOW_INTEGRATED_STATES.includes(etat);
  if (found && found.statut !== 'REJETEE' && (integrated || found.numeroFluxDepot !== report.numeroFluxDepot)) {
    return { outcome: 'INTEGRATED', etat, identifiantFactureCPP: String(found.identifiantFactureCPP) };
  }
  const errors = flowReportErrors(report, numeroFacture);
  if (errors.length > 0) return { outcome: 'REJECTED', etat, errors };
  const fallback = integrated && !found ? 'Erreur interne Chorus Pro : facture absente du flux intégré, merci de la renvoyer' : `Flux ${etat} sans motif communiqué`;
  return { outcome: 'REJECTED', etat, errors: [fallback] };
}
