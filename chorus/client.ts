/**
 * Chorus Pro supplier-side client: one method per endpoint, named after it, plus two helpers built on them
 * (`describeBuyer`, `findInvoiceByNumber`). Knows nothing of Temporal or Express; every failure is one of the
 * classes of errors.ts, decided by the transport.
 */
import { isNoResult } from './errors';
import { deriveRequirement, type BuyerRequirement } from './requirement';
import type { CallOptions, ChorusTransport } from './transport';
import {
  ajouterFichierResponseSchema,
  completerResponseSchema,
  consulterCRDetailleResponseSchema,
  consulterHistoriqueResponseSchema,
  consulterServiceResponseSchema,
  consulterStructureResponseSchema,
  deposerFluxResponseSchema,
  healthCheckResponseSchema,
  rechercherFactureParFournisseurResponseSchema,
  rechercherServicesStructureResponseSchema,
  rechercherStructureResponseSchema,
  recyclerResponseSchema,
  recupererStructuresActivesResponseSchema,
  ACTIVE_STRUCTURE_STATUTS,
  SYNTAXE_FLUX_FACTURX,
  type AjouterFichierRequest,
  type CompleterRequest,
  type CompleterResponse,
  type ConsulterCRDetailleRequest,
  type ConsulterCRDetailleResponse,
  type ConsulterHistoriqueRequest,
  type ConsulterHistoriqueResponse,
  type ConsulterServiceRequest,
  type ConsulterServiceResponse,
  type ConsulterStructureRequest,
  type ConsulterStructureResponse,
  type DeposerFluxRequest,
  type FactureParFournisseur,
  type HistoStatut,
  type ParametresRetour,
  type RechercherFactureParFournisseurRequest,
  type RechercherServicesStructureRequest,
  type RechercherStructureRequest,
  type RecyclerRequest,
  type RecyclerResponse,
  type ServiceStructure,
  type StructureActive,
  type StructureRecherche,
  type SyntaxeFlux,
} from './wire';

export const CHORUS_PATHS = {
  rechercherStructure: '/cpro/structures/v1/rechercher',
  consulterStructure: '/cpro/structures/v1/consulter',
  rechercherServicesStructure: '/cpro/structures/v1/rechercher/services',
  consulterService: '/cpro/structures/v1/consulter/service',
  deposerFlux: '/cpro/factures/v1/deposer/flux',
  consulterCRDetaille: '/cpro/transverses/v1/consulterCRDetaille',
  rechercherFactureParFournisseur: '/cpro/factures/v1/rechercher/fournisseur',
  consulterHistorique: '/cpro/factures/v1/consulter/historique',
  recycler: '/cpro/factures/v1/recycler',
  completer: '/cpro/factures/v1/completer',
  ajouterFichier: '/cpro/transverses/v1/ajouter/fichier',
  healthCheck: '/cpro/transverses/v1/health-check',
  recupererStructuresActivesFournisseur: '/cpro/transverses/v1/recuperer/structures/actives/fournisseur',
} as const;

/** Reserved to invoicing between public entities: a supplier using it gets the flow rejected (OCA `89eca877`). */
export const FACTURES_PUBLIQUES = 'FACTURES_PUBLIQUES';

export interface ChorusClientOptions {
  /** Page size asked of paginated searches; every page is read anyway. */
  pageSize?: number;
  /** How many `consulter/service` calls `describeBuyer` runs at once. */
  serviceLookupConcurrency?: number;
}

export type StructureDetail = ConsulterStructureResponse & { requirement: BuyerRequirement };

export interface DeposerFluxInput {
  fichierFlux: Buffer;
  nomFichier: string;
  syntaxeFlux?: SyntaxeFlux;
}
export interface DeposerFluxResult {
  numeroFluxDepot: string;
  /** `YYYY-MM-DD` as Chorus sent it (undefined if it sent none). */
  dateDepot: string | undefined;
}

export type RechercherFactureParFournisseurInput = Omit<RechercherFactureParFournisseurRequest, 'rechercheFactureParFournisseur'>;

export interface RecyclerInput {
  identifiantFactureCPP: number;
  destinataire: { codeDestinataire: string; codeServiceExecutant?: string };
  /** The new commitment (engagement juridique), sent as `reference.numeroBonCommande`. */
  numeroEngagement?: string;
  commentaire?: string;
}

export interface AjouterFichierInput {
  pieceJointeFichier: Buffer;
  /** Max 50 characters, extension included (Chorus answers HTTP 400 beyond). */
  pieceJointeNom: string;
  pieceJointeTypeMime: string;
  pieceJointeExtension: string;
}

export interface CompleterInput {
  identifiantFactureCPP: number;
  commentaire?: string;
  /** Ids returned by `ajouterFichier`. */
  pieceJointeIds?: number[];
}

export interface BuyerService {
  idService: number;
  codeService: string;
  libelleService: string | undefined;
  /** `consulter/service` → `parametres.numeroEngagement`: this service wants a commitment even if the structure does not. */
  engagementRequired: boolean;
}

export type BuyerDescription =
  | { kind: 'unknown'; siret: string }
  | {
      kind: 'known';
      siret: string;
      idStructureCPP: number;
      designation: string;
      requirement: BuyerRequirement;
      /** Active services usable by a supplier (FACTURES_PUBLIQUES removed). */
      services: BuyerService[];
    };

export interface InvoiceOnChorus {
  identifiantFactureCPP: number;
  numeroFacture: string;
  numeroFluxDepot: string | undefined;
  statut: string;
  codeFournisseur: string | undefined;
  dateDepot: string | undefined;
}

/** Guard against a server whose `pages` never ends. */
const MAX_PAGES = 1000;

export class ChorusClient {
  private readonly pageSize: number;
  private readonly serviceLookupConcurrency: number;

  constructor(
    readonly transport: ChorusTransport,
    options: ChorusClientOptions = {},
  ) {
    this.pageSize = options.pageSize ?? 100;
    this.serviceLookupConcurrency = options.serviceLookupConcurrency ?? 4;
  }

  // ------------------------------------------------------------------------------------------ structures

  /**
   * The Chorus structure registered under this SIRET, or null when Chorus does not hold exactly one.
   *
   * Results whose `identifiantStructure` is another SIRET are ignored (a search may match loosely). When several
   * remain, a single active one is taken; otherwise the SIRET is ambiguous and treated like an unknown one (OCA
   * accepts exactly one too): the invoice then goes by mail, which still reaches the buyer, instead of risking
   * a deposit to the wrong structure. Chorus' "no result" answer (see `isNoResult`) reads as none.
   */
  async rechercherStructure(siret: string, options?: CallOptions): Promise<StructureRecherche | null> {
    const body: RechercherStructureRequest = {
      structure: { identifiantStructure: siret, typeIdentifiantStructure: 'SIRET' },
      restreindreStructuresPrivees: false,
      parametres: { pageResultatDemandee: 1, nbResultatsParPage: 10 },
    };
    const answer = await orEmpty(
      this.transport.post(CHORUS_PATHS.rechercherStructure, body, rechercherStructureResponseSchema, options),
      { listeStructures: [] },
    );
    const candidates = answer.listeStructures.filter(
      (s) => s.identifiantStructure === undefined || s.identifiantStructure === siret,
    );
    if (candidates.length === 1) return candidates[0] ?? null;
    const active = candidates.filter((s) => s.statut === undefined || ACTIVE_STRUCTURE_STATUTS.includes(s.statut));
    return active.length === 1 ? (active[0] ?? null) : null;
  }

  /**
   * The supplier structures our technical account is attached to: a deposit for any other seller is rejected
   * (UNKNOWN-8 of the fidelity audit). "No result" reads as none. TechnicalAccount caches it for the checks.
   */
  async recupererStructuresActivesFournisseur(options?: CallOptions): Promise<StructureActive[]> {
    const answer = await orEmpty(
      this.transport.post(CHORUS_PATHS.recupererStructuresActivesFournisseur, {}, recupererStructuresActivesResponseSchema, options),
      { listeStructures: [] },
    );
    return answer.listeStructures;
  }

  /** Structure detail with the derived invoicing `requirement` (see requirement.ts). */
  async consulterStructure(idStructureCPP: number, options?: CallOptions): Promise<StructureDetail> {
    const body: ConsulterStructureRequest = { idStructureCPP, codeLangue: 'FR' };
    const answer = await this.transport.post(CHORUS_PATHS.consulterStructure, body, consulterStructureResponseSchema, options);
    return { ...answer, requirement: deriveRequirement(answer.parametres) };
  }

  /**
   * Services a supplier may put on an invoice (BT-10): every page read, inactive ones and FACTURES_PUBLIQUES
   * dropped.
   */
  async rechercherServicesStructure(idStructure: number, options?: CallOptions): Promise<ServiceStructure[]> {
    const all = await this.allPages(async (page) => {
      const body: RechercherServicesStructureRequest = {
        idStructure,
        parametresRechercherServicesStructure: { pageResultatDemandee: page, nbResultatsParPage: this.pageSize },
      };
      const answer = await orEmpty(
        this.transport.post(CHORUS_PATHS.rechercherServicesStructure, body, rechercherServicesStructureResponseSchema, options),
        { listeServices: [], parametresRetour: undefined },
      );
      return { items: answer.listeServices, parametresRetour: answer.parametresRetour };
    });
    return all.filter((s) => s.estActif && s.codeService !== FACTURES_PUBLIQUES);
  }

  async consulterService(idStructure: number, idService: number, options?: CallOptions): Promise<ConsulterServiceResponse> {
    const body: ConsulterServiceRequest = { idStructure, idService, codeLangue: 'FR' };
    return this.transport.post(CHORUS_PATHS.consulterService, body, consulterServiceResponseSchema, options);
  }

  /**
   * Everything needed to address an invoice to a public buyer: rechercher → consulter → rechercher/services →
   * consulter/service for each usable service.
   */
  async describeBuyer(siret: string, options?: CallOptions): Promise<BuyerDescription> {
    const found = await this.rechercherStructure(siret, options);
    if (!found) return { kind: 'unknown', siret };
    const detail = await this.consulterStructure(found.idStructureCPP, options);
    const services = await this.rechercherServicesStructure(found.idStructureCPP, options);
    const described = await mapWithConcurrency(services, this.serviceLookupConcurrency, async (service) => {
      const info = await this.consulterService(found.idStructureCPP, service.idService, options);
      return {
        idService: service.idService,
        codeService: service.codeService,
        libelleService: service.libelleService,
        engagementRequired: info.parametres.numeroEngagement,
      };
    });
    const info = detail.informationGenerales;
    return {
      kind: 'known',
      siret,
      idStructureCPP: found.idStructureCPP,
      designation:
        found.designationStructure ?? info.raisonSocialeStructure ?? info.libelleStructure ?? info.nomStructure ?? siret,
      requirement: detail.requirement,
      services: described,
    };
  }

  // ------------------------------------------------------------------------------------------------ flows

  /**
   * Deposit a file. The answer only means "received": follow `consulterCRDetaille` to a final state.
   * Persist `numeroFluxDepot` before anything else; after an unknown outcome use `findInvoiceByNumber`.
   */
  async deposerFlux(input: DeposerFluxInput, options?: CallOptions): Promise<DeposerFluxResult> {
    const body: DeposerFluxRequest = {
      fichierFlux: input.fichierFlux.toString('base64'),
      nomFichier: input.nomFichier,
      syntaxeFlux: input.syntaxeFlux ?? SYNTAXE_FLUX_FACTURX,
      avecSignature: false,
    };
    const answer = await this.transport.post(CHORUS_PATHS.deposerFlux, body, deposerFluxResponseSchema, options);
    return { numeroFluxDepot: answer.numeroFluxDepot, dateDepot: answer.dateDepot };
  }

  async consulterCRDetaille(
    numeroFluxDepot: string,
    syntaxeFlux: SyntaxeFlux = SYNTAXE_FLUX_FACTURX,
    options?: CallOptions,
  ): Promise<ConsulterCRDetailleResponse> {
    const body: ConsulterCRDetailleRequest = { numeroFluxDepot, syntaxeFlux };
    return this.transport.post(CHORUS_PATHS.consulterCRDetaille, body, consulterCRDetailleResponseSchema, options);
  }

  // --------------------------------------------------------------------------------------------- invoices

  /** Invoices of our supplier structures matching the criteria, every page read (OCA PR #571/#651). */
  async rechercherFactureParFournisseur(
    criteria: RechercherFactureParFournisseurInput,
    options?: CallOptions,
  ): Promise<FactureParFournisseur[]> {
    return this.allPages(async (page) => {
      const body: RechercherFactureParFournisseurRequest = {
        ...criteria,
        rechercheFactureParFournisseur: { pageResultatDemandee: page, nbResultatsParPage: this.pageSize },
      };
      const answer = await orEmpty(
        this.transport.post(CHORUS_PATHS.rechercherFactureParFournisseur, body, rechercherFactureParFournisseurResponseSchema, options),
        { listeFactures: [], parametresRetour: undefined },
      );
      return { items: answer.listeFactures, parametresRetour: answer.parametresRetour };
    });
  }

  /**
   * The invoice Chorus holds with this number for our supplier, or null. Used before depositing again after an
   * unknown outcome. Caveat: a flow still being processed has no invoice yet, so null only proves absence once
   * the earlier flow (if any) has reached a final state.
   *
   * Chorus refuses a second live invoice with the same number, but a REJETEE one may coexist with a newer
   * one: the live invoice is preferred, then the most recent. Check `statut` before trusting it.
   */
  async findInvoiceByNumber(
    numeroFacture: string,
    filter: { siretFournisseur?: string } = {},
    options?: CallOptions,
  ): Promise<InvoiceOnChorus | null> {
    const found = (await this.rechercherFactureParFournisseur({ numeroFacture }, options)).filter(
      (f) =>
        f.numeroFacture === numeroFacture &&
        (filter.siretFournisseur === undefined || f.codeFournisseur === undefined || f.codeFournisseur === filter.siretFournisseur),
    );
    const byRecency = [...found].sort((a, b) => b.identifiantFactureCPP - a.identifiantFactureCPP);
    const best = byRecency.find((f) => f.statut !== 'REJETEE') ?? byRecency[0];
    if (!best) return null;
    return {
      identifiantFactureCPP: best.identifiantFactureCPP,
      numeroFacture: best.numeroFacture,
      numeroFluxDepot: best.numeroFluxDepot,
      statut: best.statut,
      codeFournisseur: best.codeFournisseur,
      dateDepot: best.dateDepot,
    };
  }

  /**
   * Current status (`statutCourantCode`) and the status history of an invoice, **oldest first**. The real host
   * sorts `histoStatut` newest first by default (Pastell: "par défaut le tri est descendant sur
   * HistoStatutDatePassage"); no order is promised, so it is sorted here by `histoStatutId`, then date.
   */
  async consulterHistorique(idFacture: number, options?: CallOptions): Promise<ConsulterHistoriqueResponse> {
    const body: ConsulterHistoriqueRequest = {
      idFacture,
      // One large page: an invoice rarely passes through more than a dozen statuses.
      paramRechercheHistoStatuts: { nbResultatsParPageListeHistoStatut: 500, pageResultatDemandeeListeHistoStatut: 1 },
    };
    const answer = await this.transport.post(CHORUS_PATHS.consulterHistorique, body, consulterHistoriqueResponseSchema, options);
    const histoStatut = chronological(answer.historiquesDesStatuts.histoStatut);
    return { ...answer, historiquesDesStatuts: { ...answer.historiquesDesStatuts, histoStatut } };
  }

  /** Only on `A_RECYCLER`: new routing data, same number, back to `DEPOSEE`. */
  async recycler(input: RecyclerInput, options?: CallOptions): Promise<RecyclerResponse> {
    const body: RecyclerRequest = {
      identifiantFactureCPP: input.identifiantFactureCPP,
      destinataire: input.destinataire,
      ...(input.commentaire !== undefined ? { commentaire: input.commentaire } : {}),
      ...(input.numeroEngagement !== undefined ? { reference: { numeroBonCommande: input.numeroEngagement } } : {}),
    };
    return this.transport.post(CHORUS_PATHS.recycler, body, recyclerResponseSchema, options);
  }

  /** Upload a document (for `completer`); returns its `pieceJointeId`. */
  async ajouterFichier(input: AjouterFichierInput, options?: CallOptions): Promise<number> {
    const body: AjouterFichierRequest = {
      pieceJointeFichier: input.pieceJointeFichier.toString('base64'),
      pieceJointeNom: input.pieceJointeNom,
      pieceJointeTypeMime: input.pieceJointeTypeMime,
      pieceJointeExtension: input.pieceJointeExtension,
    };
    const answer = await this.transport.post(CHORUS_PATHS.ajouterFichier, body, ajouterFichierResponseSchema, options);
    return answer.pieceJointeId;
  }

  /** Only on `SUSPENDUE`: add the comment and documents the buyer asked for; the invoice becomes `COMPLETEE`. */
  async completer(input: CompleterInput, options?: CallOptions): Promise<CompleterResponse> {
    const body: CompleterRequest = {
      identifiantFactureCPP: input.identifiantFactureCPP,
      ...(input.commentaire !== undefined ? { commentaire: input.commentaire } : {}),
      pieceJointeComplementaire: (input.pieceJointeIds ?? []).map((id) => ({ pieceJointeComplementaireId: id })),
    };
    return this.transport.post(CHORUS_PATHS.completer, body, completerResponseSchema, options);
  }

  /** `GET /cpro/transverses/v1/health-check` through PISTE (so it also proves our credentials work). */
  async healthCheck(options?: CallOptions): Promise<unknown> {
    return this.transport.get(CHORUS_PATHS.healthCheck, healthCheckResponseSchema, options);
  }

  // -------------------------------------------------------------------------------------------- internals

  private async allPages<T>(fetchPage: (page: number) => Promise<{ items: T[]; parametresRetour?: ParametresRetour }>): Promise<T[]> {
    const items: T[] = [];
    for (let page = 1; page <= MAX_PAGES; page++) {
      const answer = await fetchPage(page);
      items.push(...answer.items);
      const pages = answer.parametresRetour?.pages ?? 1;
      if (page >= pages || answer.items.length === 0) break;
    }
    return items;
  }
}

/** A search answer, or `empty` when Chorus says the search found nothing (codeRetour 20000, TRA_MSG_00.015). */
async function orEmpty<T, E extends Partial<T>>(answer: Promise<T>, empty: E): Promise<T | E> {
  try {
    return await answer;
  } catch (error) {
    if (isNoResult(error)) return empty;
    throw error;
  }
}

/** Oldest first: by `histoStatutId` when both entries have one, else by date (`YYYY-MM-DD HH:MM` sorts as text). */
export function chronological(entries: readonly HistoStatut[]): HistoStatut[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => {
      const byId = (a.entry.histoStatutId ?? NaN) - (b.entry.histoStatutId ?? NaN);
      if (!Number.isNaN(byId) && byId !== 0) return byId;
      const byDate = (a.entry.histoStatutDatePassage ?? '').localeCompare(b.entry.histoStatutDatePassage ?? '');
      return byDate !== 0 ? byDate : a.index - b.index;
    })
    .map(({ entry }) => entry);
}

/**
 * The entries of a chronological history that come after the `knownCount` already seen. A leading entry that
 * only repeats the status we already hold (the DEPOSEE we recorded at the deposit or a recycle), with no
 * comment, is not new: each Chorus status reads once.
 */
export function entriesSince(entries: readonly HistoStatut[], knownCount: number, knownStatus: string | null): HistoStatut[] {
  const fresh = entries.slice(knownCount);
  const first = fresh[0];
  return first && first.histoStatutCode === knownStatus && !first.histoStatutCommentaire ? fresh.slice(1) : fresh;
}

async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, () => worker()));
  return results;
}
