/**
 * The flow state machine on top of the record store: a deposit is read at once, then timers walk it through
 * IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP (the first state seen after a live deposit) →
 * IN_EN_ATTENTE_TRAITEMENT_CPP → IN_EN_COURS_TRAITEMENT_CPP to its final state: IN_INCIDENTE (file unreadable),
 * IN_REJETE (the rules of rules.ts refuse it) or IN_INTEGRE, which creates the invoice. A control route may force
 * any state first (`force`), e.g. QP_IRRECEVABLE, or hold a flow in progress forever.
 */
import { FLOW_FAILED_STATES, FLOW_INTEGRATED_STATES, type FlowState } from '../domain/statuses';
import { CHORUS_ERRORS, SandboxControlError } from './errors';
import { extractFacturXml, FlowIncident, readCiiInvoice, type CiiInvoice } from './facturx';
import type { InvoiceLifecycle } from './invoices';
import type { SandboxFlow, SandboxInvoice } from './model';
import { checkDepositedInvoice } from './rules';
import type { Scheduler } from './scheduler';
import type { SandboxState } from './state';

export const SUPPORTED_SYNTAXES = ['IN_DP_E2_CII_FACTURX', 'IN_DP_E1_CII_16B'] as const;
/** Largest deposited file or attachment, decoded. */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** The states a flow goes through before its final one, each lasting a third of its processing delay. */
const FLOW_STEPS: readonly FlowState[] = [
  'IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP',
  'IN_EN_ATTENTE_TRAITEMENT_CPP',
  'IN_EN_COURS_TRAITEMENT_CPP',
];
/** Where a flow is in FLOW_STEPS; IN_RECU was the first step of sandboxes saved before. -1: final. */
const stepOf = (etat: FlowState): number => (etat === 'IN_RECU' ? 0 : FLOW_STEPS.indexOf(etat));

export interface DepositInput {
  fichierFlux: string;
  nomFichier: string;
  syntaxeFlux: string;
}

export class FlowProcessing {
  constructor(
    private readonly state: SandboxState,
    private readonly scheduler: Scheduler,
    private readonly invoices: InvoiceLifecycle,
  ) {}

  /**
   * Accepts a file at once (like Chorus: the answer only means "received"), reads it now so that its invoice
   * number is known to the control routes, and lets timers walk the flow to its final state.
   */
  async deposit(input: DepositInput & { deposant?: string }): Promise<SandboxFlow> {
    if (!(SUPPORTED_SYNTAXES as readonly string[]).includes(input.syntaxeFlux)) {
      throw CHORUS_ERRORS.syntaxeNonSupportee(input.syntaxeFlux);
    }
    const bytes = decodeBase64(input.fichierFlux);
    if (bytes && bytes.length > MAX_FILE_BYTES) throw CHORUS_ERRORS.fichierTropVolumineux();

    const generation = this.scheduler.generation;
    const now = this.state.now();
    const flow: SandboxFlow = {
      numeroFluxDepot: this.nextFlowNumber(),
      nomFichier: input.nomFichier,
      syntaxeFlux: input.syntaxeFlux,
      deposeLe: now,
      processingDelayMs: this.state.config.flowProcessingDelayMs,
      etat: FLOW_STEPS[0] as FlowState,
      etatDepuis: now,
      historiqueEtats: [{ etat: FLOW_STEPS[0] as FlowState, le: now }],
      invoice: undefined,
      incident: undefined,
      erreursDP: [],
      identifiantFactureCPP: undefined,
      ...(input.deposant !== undefined ? { deposant: input.deposant } : {}),
    };
    try {
      flow.invoice = await readDepositedFile(bytes, input.syntaxeFlux);
    } catch (error) {
      flow.incident =
        error instanceof FlowIncident
          ? error
          : new FlowIncident('ERR_TECH_001', `Erreur technique lors de la lecture du flux : ${String(error)}`, 'TECHNIQUE');
    }
    if (generation !== this.scheduler.generation) return flow; // reset or closed while reading: drop it.

    this.state.indexFlow(flow);
    flow.processingDelayMs = this.state.config.flowProcessingDelayMs;
    this.scheduleFlow(flow, flow.processingDelayMs);
    this.state.changed(flow);
    return flow;
  }

  private nextFlowNumber(): string {
    this.state.counters.flowSequence++;
    // CPP + 22 digits, like CPP0011110000000000001557.
    return `CPP001111${String(this.state.counters.flowSequence).padStart(16, '0')}`;
  }

  /**
   * IN_RECU → IN_EN_ATTENTE_TRAITEMENT_CPP → IN_EN_COURS_TRAITEMENT_CPP → final, a third of the delay each.
   * A restored flow starts from `done` (its index in FLOW_STEPS) with what remains of its current step.
   */
  private scheduleFlow(flow: SandboxFlow, totalDelayMs: number, done = 0, firstDelayMs = totalDelayMs / 3): void {
    const step = totalDelayMs / 3;
    const advance = (index: number, delayMs: number): void => {
      this.scheduler.schedule(delayMs, () => {
        if (flow.held) return;
        const next = FLOW_STEPS[index + 1];
        if (next !== undefined) {
          this.setFlowState(flow, next);
          advance(index + 1, step);
        } else {
          this.finishFlow(flow);
        }
      });
    };
    advance(done, firstDelayMs);
  }

  /** After a restore: a flow not yet final catches up the steps that fell due, then goes on with timers. */
  resume(flow: SandboxFlow): void {
    let done = stepOf(flow.etat);
    if (done < 0 || flow.held) return; // final, or held where a control route put it
    const step = flow.processingDelayMs / 3;
    let dueAt = flow.etatDepuis + step;
    const now = this.state.now();
    while (dueAt <= now) {
      const next = FLOW_STEPS[done + 1];
      if (next === undefined) {
        this.finishFlow(flow);
        return;
      }
      this.setFlowState(flow, next);
      done++;
      dueAt += step;
    }
    this.scheduleFlow(flow, flow.processingDelayMs, done, dueAt - now);
  }

  /**
   * Control route: the flow takes this state now and the timers leave it there. An integrated state creates the
   * invoice (the file must pass the rules); a failed one carries the given reasons; any other holds it in
   * progress.
   */
  force(flow: SandboxFlow, etat: FlowState, erreurs: readonly string[]): SandboxFlow {
    if (stepOf(flow.etat) < 0) {
      throw new SandboxControlError(409, 'CONFLICT', `Flow ${flow.numeroFluxDepot} is already ${flow.etat}`);
    }
    flow.held = true;
    if (FLOW_INTEGRATED_STATES.includes(etat)) {
      this.finishFlow(flow);
      if (flow.etat !== 'IN_INTEGRE') return flow;
      if (etat !== 'IN_INTEGRE') this.setFlowState(flow, etat);
      return flow;
    }
    if (FLOW_FAILED_STATES.includes(etat)) flow.erreursDP = erreurs.map((libelleErreurDP) => this.erreurDP(flow, libelleErreurDP));
    this.setFlowState(flow, etat);
    return flow;
  }

  private erreurDP(flow: SandboxFlow, libelleErreurDP: string): SandboxFlow['erreursDP'][number] {
    return {
      identifiantDestinataire: flow.invoice?.siretDestinataire ?? '',
      identifiantFournisseur: flow.invoice?.siretFournisseur ?? '',
      numeroDP: flow.invoice?.numeroFacture ?? '',
      libelleErreurDP,
    };
  }

  private setFlowState(flow: SandboxFlow, etat: FlowState): void {
    const now = this.state.now();
    flow.etat = etat;
    flow.etatDepuis = now;
    flow.historiqueEtats.push({ etat, le: now });
    this.state.changed(flow);
  }

  private finishFlow(flow: SandboxFlow): void {
    const invoice = flow.invoice;
    if (flow.incident || !invoice) {
      this.setFlowState(flow, 'IN_INCIDENTE');
      return;
    }
    const verdict = checkDepositedInvoice(invoice, {
      structureBySiret: (siret) => this.state.structureBySiret(siret),
      isAttached: (siret) => this.state.isAttached(flow.deposant, siret),
      hasLiveInvoice: (siret, numero) => this.state.hasLiveInvoice(siret, numero),
    });
    const { supplier, buyer } = verdict;
    if (verdict.errors.length > 0 || !supplier || !buyer || invoice.numeroFacture === undefined) {
      // Real reports join the messages with '|', no spaces (KRO's fixtures).
      flow.erreursDP = [this.erreurDP(flow, verdict.errors.join('|'))];
      this.setFlowState(flow, 'IN_REJETE');
      return;
    }
    const now = this.state.now();
    const created: SandboxInvoice = {
      identifiantFactureCPP: this.state.counters.nextInvoiceId++,
      numeroFacture: invoice.numeroFacture,
      numeroFluxDepot: flow.numeroFluxDepot,
      typeCode: invoice.typeCode ?? '380',
      idFournisseur: supplier.idStructureCPP,
      siretFournisseur: supplier.siret,
      designationFournisseur: supplier.designation,
      idDestinataire: buyer.idStructureCPP,
      siretDestinataire: buyer.siret,
      designationDestinataire: buyer.designation,
      codeServiceExecutant: invoice.codeService,
      numeroEngagement: invoice.numeroEngagement,
      numeroMarche: invoice.numeroMarche,
      dateFacture: invoice.dateFacture,
      dateDepot: flow.deposeLe,
      montantHT: toAmount(invoice.taxBasisTotal),
      montantTTC: toAmount(invoice.grandTotal),
      montantAPayer: toAmount(invoice.duePayable ?? invoice.grandTotal),
      devise: invoice.currency ?? 'EUR',
      statut: 'DEPOSEE',
      dateHeureEtatCourant: now,
      histo: [],
      piecesJointes: [],
      autopilot: undefined,
    };
    this.invoices.appendHisto(created, 'DEPOSEE', '', now);
    this.state.indexInvoice(created);
    flow.identifiantFactureCPP = created.identifiantFactureCPP;
    this.setFlowState(flow, 'IN_INTEGRE');
    this.invoices.startAutopilot(created);
  }
}

async function readDepositedFile(bytes: Buffer | undefined, syntaxeFlux: string): Promise<CiiInvoice> {
  if (!bytes || bytes.length === 0) {
    throw new FlowIncident('ERR_FORMAT_003', "IRRECEVABILITE: le contenu de fichierFlux est vide ou n'est pas encode en base64.");
  }
  const xml = syntaxeFlux === 'IN_DP_E1_CII_16B' ? bytes.toString('utf8') : await extractFacturXml(bytes);
  return readCiiInvoice(xml);
}

/** Strict base64 (whitespace tolerated): Buffer.from silently skips bad characters, Chorus would not. */
export function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64');
}

function toAmount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}
