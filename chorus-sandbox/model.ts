/** What the sandbox holds in memory, and its runtime configuration. */
import type { FlowState } from '../domain/statuses';
import type { CiiInvoice, FlowIncident } from './facturx';
import type { SandboxInvoiceStatus } from './lifecycle';
import type { StructureKind } from './seeds';

export interface SandboxService {
  idService: number;
  codeService: string;
  libelle: string;
  actif: boolean;
  numeroEngagement: boolean;
  dateDbtService: string;
}

export interface SandboxStructure {
  idStructureCPP: number;
  siret: string;
  designation: string;
  type: StructureKind;
  codeServiceDoitEtreRenseigne: boolean;
  numeroEJDoitEtreRenseigne: boolean;
  gestionNumeroEJOuCodeService: boolean;
  /**
   * Supplier structures only: attached ("rattachée") to the sandbox's main technical account (the platform's), so
   * that it may deposit for them. Real Chorus rejects a flow whose seller is not attached (UNKNOWN-8 of the
   * fidelity audit). Other technical accounts list their own structures (SandboxTechnicalAccount).
   */
  attached: boolean;
  /** By codeService. */
  services: Map<string, SandboxService>;
}

export interface ErreurDP {
  identifiantDestinataire: string;
  identifiantFournisseur: string;
  numeroDP: string;
  libelleErreurDP: string;
}

export interface SandboxFlow {
  numeroFluxDepot: string;
  nomFichier: string;
  syntaxeFlux: string;
  deposeLe: number;
  /** The processing delay this flow got (the configuration may change later); a restored flow resumes with it. */
  processingDelayMs: number;
  etat: FlowState;
  etatDepuis: number;
  /** Every state the flow went through, for tests and the control routes. */
  historiqueEtats: { etat: FlowState; le: number }[];
  /** What was read from the file at deposit time (undefined when unreadable). */
  invoice: CiiInvoice | undefined;
  incident: FlowIncident | undefined;
  erreursDP: ErreurDP[];
  identifiantFactureCPP: number | undefined;
  /** Set by the control route that forces a state: the timers leave the flow where it was put. */
  held?: boolean;
  /** Login of the technical account that deposited it, when not the main one: its attachments decide. */
  deposant?: string;
}

export interface SandboxHistoStatut {
  histoStatutId: number;
  histoStatutCode: SandboxInvoiceStatus;
  histoStatutDatePassage: string;
  histoStatutCommentaire: string;
  le: number;
}

/** The autopilot's walk of one invoice along a snapshot of the configured path. */
export interface AutopilotRun {
  path: readonly SandboxInvoiceStatus[];
  index: number;
  stepDelayMs: number;
  /** Delay before each step of `path` (a plan's own pace); absent: `stepDelayMs` for every step. */
  stepDelaysMs?: readonly number[];
  timerPending: boolean;
}

export interface SandboxInvoice {
  identifiantFactureCPP: number;
  numeroFacture: string;
  numeroFluxDepot: string;
  typeCode: string;
  idFournisseur: number;
  siretFournisseur: string;
  designationFournisseur: string;
  idDestinataire: number;
  siretDestinataire: string;
  designationDestinataire: string;
  codeServiceExecutant: string | undefined;
  numeroEngagement: string | undefined;
  numeroMarche: string | undefined;
  dateFacture: string | undefined;
  dateDepot: number;
  montantHT: number | undefined;
  montantTTC: number | undefined;
  montantAPayer: number | undefined;
  devise: string;
  statut: SandboxInvoiceStatus;
  dateHeureEtatCourant: number;
  histo: SandboxHistoStatut[];
  piecesJointes: number[];
  autopilot: AutopilotRun | undefined;
}

export interface SandboxAttachment {
  pieceJointeId: number;
  pieceJointeNom: string;
  pieceJointeTypeMime: string;
  pieceJointeExtension: string;
  taille: number;
  contenu: Buffer;
}

export interface SandboxCredentials {
  clientId: string;
  clientSecret: string;
  techLogin: string;
  techPassword: string;
}

/**
 * A technical account besides the main one (a producer's own): its password, the supplier structures (SIRETs)
 * attached to it and its password's expiry. Registered by a control route; part of the configuration.
 */
export interface SandboxTechnicalAccount {
  login: string;
  password: string;
  attachedSirets: string[];
  passwordExpiresAt: string;
}

export interface SandboxFaults {
  /** Share of API calls (token included) answered 503, 0..1. */
  errorRate5xx: number;
  /** Added before every API answer (token included). */
  latencyMs: number;
  /** Share of business calls answered 401 although the token is valid (PISTE flakiness), 0..1. */
  spurious401Rate: number;
  /** Share of token requests answered 400 invalid_client although the credentials are right, 0..1. */
  invalidClientRate: number;
  /**
   * PISTE's quota per application: business calls beyond this many in one second are answered 429 with
   * Retry-After (0: no quota). No value is published (audit UNKNOWN-1); this is for testing the client's slow-down.
   */
  callsPerSecondQuota: number;
}

/** One invoice's own walk: its statuses and the delay before each (a buyer's pace differs invoice by invoice). */
export interface AutopilotPlan {
  path: SandboxInvoiceStatus[];
  stepDelaysMs: number[];
}

export interface SandboxAutopilot {
  /** Statuses to walk through after DEPOSEE; the walk waits at A_RECYCLER / SUSPENDUE for the supplier. */
  path: SandboxInvoiceStatus[];
  stepDelayMs: number;
  /** When given, each new invoice takes the next plan instead of `path` (in deposit order, then round again). */
  plans?: AutopilotPlan[];
}

export interface SandboxConfig {
  /** From deposit to final flow state, spread over the three intermediate states. */
  flowProcessingDelayMs: number;
  tokenLifetimeMs: number;
  autopilot: SandboxAutopilot | null;
  faults: SandboxFaults;
  /**
   * Send a one-item list as the lone object (older Chorus serialisers; Pastell reads `listeStructures` that way):
   * clients must accept both (UNKNOWN-10).
   */
  loneListItemAsObject: boolean;
  /** `dateExpirationMotPasseCompteTech` of the technical account (ISO date-time), sent by `consulter` on suppliers. */
  technicalAccountPasswordExpiresAt: string;
  /** The other technical accounts PISTE accepts in `cpro-account`, by login. */
  technicalAccounts: SandboxTechnicalAccount[];
}

export const NO_FAULTS: SandboxFaults = { errorRate5xx: 0, latencyMs: 0, spurious401Rate: 0, invalidClientRate: 0, callsPerSecondQuota: 0 };

export function cloneAutopilot(a: SandboxAutopilot): SandboxAutopilot {
  return {
    path: [...a.path],
    stepDelayMs: a.stepDelayMs,
    ...(a.plans ? { plans: a.plans.map((p) => ({ path: [...p.path], stepDelaysMs: [...p.stepDelaysMs] })) } : {}),
  };
}

/** A copy sharing nothing with `config` (autopilot path and faults included). */
export function cloneConfig(config: SandboxConfig): SandboxConfig {
  return {
    ...config,
    autopilot: config.autopilot && cloneAutopilot(config.autopilot),
    faults: { ...config.faults },
    technicalAccounts: config.technicalAccounts.map((a) => ({ ...a, attachedSirets: [...a.attachedSirets] })),
  };
}
