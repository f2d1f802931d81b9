/** chorus/flow-report.ts: what a final flow report means for the invoice, one case per branch. */
import { classifyFlowReport, type FinalFlowReport } from '../../chorus/flow-report';
import type { InvoiceOnChorus } from '../../chorus/client';

const report = (etat: string, errors: Partial<Pick<FinalFlowReport, 'listeErreurDP' | 'listeErreurTechnique'>> = {}): FinalFlowReport => ({
  numeroFluxDepot: 'FLUX-2',
  etatCourantDepotFlux: etat,
  listeErreurDP: [],
  listeErreurTechnique: [],
  ...errors,
});
const dp = (numeroDP: string | undefined, libelleErreurDP: string) => ({ identifiantDestinataire: undefined, identifiantFournisseur: undefined, numeroDP, libelleErreurDP });
const technical = (codeErreur: string | undefined, libelleErreur: string) => ({ codeErreur, libelleErreur, natureErreur: undefined });
const onChorus = (over: Partial<InvoiceOnChorus> = {}): InvoiceOnChorus => ({
  identifiantFactureCPP: 4242,
  numeroFacture: 'F-2026-0001',
  numeroFluxDepot: 'FLUX-2',
  statut: 'DEPOSEE',
  codeFournisseur: undefined,
  dateDepot: undefined,
  ...over,
});

describe('classifyFlowReport', () => {
  it('When the flow is integrated and Chorus lists the invoice, then it is INTEGRATED with its Chorus id', () => {
    expect(classifyFlowReport(report('IN_INTEGRE'), onChorus(), 'F-2026-0001')).toEqual({ outcome: 'INTEGRATED', etat: 'IN_INTEGRE', identifiantFactureCPP: '4242' });
    expect(classifyFlowReport(report('IN_INTEGRE_PARTIEL'), onChorus(), 'F-2026-0001').outcome).toBe('INTEGRATED');
  });

  it('When the flow is rejected but Chorus holds the number through another flow, then that invoice is adopted', () => {
    expect(classifyFlowReport(report('IN_REJETE'), onChorus({ numeroFluxDepot: 'FLUX-1' }), 'F-2026-0001')).toEqual({
      outcome: 'INTEGRATED',
      etat: 'IN_REJETE',
      identifiantFactureCPP: '4242',
    });
  });

  it('When the flow is rejected and the invoice found is this flow, or a rejected one, then it is REJECTED with the reasons', () => {
    const rejected = report('IN_REJETE', {
      listeErreurDP: [
        dp('F-2026-0001', 'Doublon | SIRET inconnu '),
        dp('F-OTHER', 'about another invoice'),
        dp(undefined, 'about the flow'),
      ],
      listeErreurTechnique: [technical('E42', 'Schéma invalide'), technical(undefined, '')],
    });
    const errors = ['Doublon', 'SIRET inconnu', 'about the flow', 'E42 Schéma invalide'];
    expect(classifyFlowReport(rejected, onChorus(), 'F-2026-0001')).toEqual({ outcome: 'REJECTED', etat: 'IN_REJETE', errors });
    expect(classifyFlowReport(rejected, onChorus({ numeroFluxDepot: 'FLUX-1', statut: 'REJETEE' }), 'F-2026-0001')).toEqual({ outcome: 'REJECTED', etat: 'IN_REJETE', errors });
    expect(classifyFlowReport(rejected, null, 'F-2026-0001')).toEqual({ outcome: 'REJECTED', etat: 'IN_REJETE', errors });
  });

  it('When a failed flow gives no reason, then the rejection says so', () => {
    expect(classifyFlowReport(report('IN_INCIDENTE'), null, 'F-2026-0001')).toEqual({ outcome: 'REJECTED', etat: 'IN_INCIDENTE', errors: ['Flux IN_INCIDENTE sans motif communiqué'] });
  });

  it('When the flow is integrated but Chorus does not list the invoice, then it is REJECTED as left out (or with the reasons given)', () => {
    expect(classifyFlowReport(report('IN_INTEGRE_PARTIEL'), null, 'F-2026-0001')).toEqual({
      outcome: 'REJECTED',
      etat: 'IN_INTEGRE_PARTIEL',
      errors: ['Erreur interne Chorus Pro : facture absente du flux intégré, merci de la renvoyer'],
    });
    const partial = report('IN_INTEGRE_PARTIEL', { listeErreurDP: [dp('F-2026-0001', 'Montant incohérent')] });
    expect(classifyFlowReport(partial, null, 'F-2026-0001')).toEqual({ outcome: 'REJECTED', etat: 'IN_INTEGRE_PARTIEL', errors: ['Montant incohérent'] });
  });

  it('When the flow is integrated but the invoice found is rejected, then it is REJECTED', () => {
    expect(classifyFlowReport(report('IN_INTEGRE'), onChorus({ statut: 'REJETEE' }), 'F-2026-0001')).toEqual({
      outcome: 'REJECTED',
      etat: 'IN_INTEGRE',
      errors: ['Flux IN_INTEGRE sans motif communiqué'],
    });
  });
});
