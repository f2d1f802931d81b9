/**
 * Chorus Pro wire formats, field names verbatim (docs/reference/chorus-pro-api.md §3, go-choruspro for the catalogue).
 *
 * Answers are validated leniently: only the fields we rely on are required, unknown fields are kept, missing
 * booleans read as false, ids and amounts sent as strings are turned into numbers. Chorus documents few
 * per-field guarantees, so strictness here would turn harmless variations into outages.
 */
import { z } from 'zod';

const int = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const decimal = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);
const flag = z
  .boolean()
  .nullish()
  .transform((v) => v ?? false);
/**
 * A list as Chorus may send it: an array, nothing, or (older serialisers, seen by Pastell on `listeStructures`
 * and in the official `consulterCRDetaille` example) a lone object standing for a one-item list.
 */
const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? [v] : v),
    z
      .array(item)
      .nullish()
      .transform((v) => v ?? []),
  );

// ---------------------------------------------------------------------------------------------- common

export const SYNTAXE_FLUX_FACTURX = 'IN_DP_E2_CII_FACTURX';
export type SyntaxeFlux =
  | 'IN_DP_E2_CII_FACTURX'
  | 'IN_DP_E1_CII_16B'
  | 'IN_DP_E1_UBL_INVOICE'
  | 'IN_DP_E2_UBL_INVOICE_MIN'
  | 'IN_DP_E2_CPP_FACTURE_MIN'
  | 'IN_DP_E2_CII_MIN_16B'
  | (string & {});

/** Request pagination object; its name differs per endpoint (`parametres`, `rechercheFactureParFournisseur`…). */
export interface PaginationRequest {
  pageResultatDemandee?: number;
  nbResultatsParPage?: number;
  triSens?: 'Ascendant' | 'Descendant';
  triColonne?: string;
}

export const parametresRetourSchema = z.looseObject({
  nbResultatsParPage: int.optional(),
  pageCourante: int.optional(),
  pages: int.optional(),
  total: int.optional(),
});
export type ParametresRetour = z.output<typeof parametresRetourSchema>;

const envelope = {
  codeRetour: int.optional(),
  libelle: text,
};

// ------------------------------------------------------------------------------ structures/v1/rechercher

export interface RechercherStructureRequest {
  structure: {
    identifiantStructure?: string;
    typeIdentifiantStructure?: 'SIRET' | 'UE_HORS_FRANCE' | 'HORS_UE' | 'RIDET' | 'TAHITI' | 'AUTRE' | 'PARTICULIER';
    raisonSocialeStructure?: string;
    statutStructure?: string;
  };
  restreindreStructuresPrivees?: boolean;
  parametres?: PaginationRequest;
}

/**
 * `StructureAAfficher.statut` is `ACTIVE` | `INACTIVE` (official Structures Swagger); `ACTIF`/`INACTIF` is the
 * vocabulary of the *request* filter `statutStructure` only, accepted here too for safety.
 */
export const ACTIVE_STRUCTURE_STATUTS: readonly string[] = ['ACTIVE', 'ACTIF'];

export const structureRechercheSchema = z.looseObject({
  idStructureCPP: int,
  identifiantStructure: text,
  designationStructure: text,
  statut: text,
  typeIdentifiantStructure: text,
});
export type StructureRecherche = z.output<typeof structureRechercheSchema>;

export const rechercherStructureResponseSchema = z.looseObject({
  ...envelope,
  listeStructures: list(structureRechercheSchema),
  parametresRetour: parametresRetourSchema.optional(),
});
export type RechercherStructureResponse = z.output<typeof rechercherStructureResponseSchema>;

// --------------------------------------------------- transverses/v1/recuperer/structures/actives/fournisseur

/**
 * The supplier structures the technical account is attached to ("rattachement") and may invoice for: request
 * `{}` (go-choruspro, zmog/piste-gouv-fr). The SIRET comes as `identifiant` (go-choruspro's fixture) or
 * `identifiantStructure`; both are read.
 */
export const structureActiveSchema = z
  .looseObject({
    idStructureCPP: int,
    identifiant: text,
    identifiantStructure: text,
    designationStructure: text,
  })
  .transform(({ identifiant, identifiantStructure, ...rest }) => ({ ...rest, siret: identifiantStructure ?? identifiant }));
export type StructureActive = z.output<typeof structureActiveSchema>;

export const recupererStructuresActivesResponseSchema = z.looseObject({
  ...envelope,
  listeStructures: list(structureActiveSchema),
});

// ------------------------------------------------------------------------------- structures/v1/consulter

export interface ConsulterStructureRequest {
  idStructureCPP: number;
  codeLangue?: 'FR' | 'EN' | 'fr' | 'en';
}

export const structureParametresSchema = z.looseObject({
  codeServiceDoitEtreRenseigne: flag,
  numeroEJDoitEtreRenseigne: flag,
  gestionNumeroEJOuCodeService: flag,
  connexionEDI: flag,
  estMoaUniquement: flag,
  recevoirDonneesViaEDI: flag,
  statutMiseEnPaiementNestPasRemonte: flag,
});
export type StructureParametres = z.output<typeof structureParametresSchema>;

export const informationGeneralesSchema = z.looseObject({
  idStructureCPP: int.optional(),
  identifiantStructure: text,
  typeIdentifiantStructure: text,
  raisonSocialeStructure: text,
  libelleStructure: text,
  nomStructure: text,
  structurePriveePublique: text,
  emailStructure: text,
  numeroTVA: text,
  dateExpirationMotPasseCompteTech: text,
});

export const consulterStructureResponseSchema = z.looseObject({
  ...envelope,
  informationGenerales: informationGeneralesSchema.nullish().transform((v) => v ?? informationGeneralesSchema.parse({})),
  parametres: structureParametresSchema.nullish().transform((v) => v ?? structureParametresSchema.parse({})),
  adressePostaleDuSiege: z.looseObject({}).nullish(),
});
export type ConsulterStructureResponse = z.output<typeof consulterStructureResponseSchema>;

// ---------------------------------------------------------------------- structures/v1/rechercher/services

export interface RechercherServicesStructureRequest {
  idStructure: number;
  parametresRechercherServicesStructure?: PaginationRequest;
}

export const serviceStructureSchema = z.looseObject({
  idService: int,
  codeService: z.string(),
  libelleService: text,
  estActif: flag,
  statutService: text,
  dateDbtService: text,
  dateFinService: text,
});
export type ServiceStructure = z.output<typeof serviceStructureSchema>;

export const rechercherServicesStructureResponseSchema = z.looseObject({
  ...envelope,
  listeServices: list(serviceStructureSchema),
  parametresRetour: parametresRetourSchema.optional(),
});

// ----------------------------------------------------------------------- structures/v1/consulter/service

export interface ConsulterServiceRequest {
  idStructure: number;
  idService: number;
  codeLangue?: 'FR' | 'EN' | 'fr' | 'en';
}

const serviceInformationsSchema = z.looseObject({ codeService: text, nomService: text, descriptionService: text });

export const consulterServiceResponseSchema = z.looseObject({
  ...envelope,
  informationsGenerales: serviceInformationsSchema.nullish().transform((v) => v ?? serviceInformationsSchema.parse({})),
  parametres: z
    .looseObject({
      numeroEngagement: flag,
      miseEnPaiement: flag,
      dateDebutValidite: text,
      dateFinValidite: text,
    })
    .nullish()
    .transform((v) => v ?? { numeroEngagement: false, miseEnPaiement: false }),
  adressePostale: z.looseObject({}).nullish(),
});
export type ConsulterServiceResponse = z.output<typeof consulterServiceResponseSchema>;

// ---------------------------------------------------------------------------- factures/v1/deposer/flux

export interface DeposerFluxRequest {
  /** base64 of the file. */
  fichierFlux: string;
  nomFichier: string;
  syntaxeFlux: SyntaxeFlux;
  avecSignature: boolean;
  idUtilisateurCourant?: number;
}

export const deposerFluxResponseSchema = z.looseObject({
  ...envelope,
  numeroFluxDepot: z.string().min(1),
  dateDepot: text,
  syntaxeFlux: text,
});
export type DeposerFluxResponse = z.output<typeof deposerFluxResponseSchema>;

// ------------------------------------------------------------------------ transverses/v1/consulterCRDetaille

export interface ConsulterCRDetailleRequest {
  numeroFluxDepot: string;
  syntaxeFlux?: SyntaxeFlux;
}

export const erreurDPSchema = z.looseObject({
  identifiantDestinataire: text,
  identifiantFournisseur: text,
  /** The invoice number (BT-1) the messages are about. */
  numeroDP: text,
  /** Several messages may come joined with `|`. */
  libelleErreurDP: text,
});
export type ErreurDP = z.output<typeof erreurDPSchema>;

export const erreurTechniqueSchema = z.looseObject({
  codeErreur: text,
  libelleErreur: text,
  natureErreur: text,
});
export type ErreurTechnique = z.output<typeof erreurTechniqueSchema>;

export const consulterCRDetailleResponseSchema = z.looseObject({
  ...envelope,
  numeroFluxDepot: text,
  /** See FLOW_STATES in domain/statuses.ts; unknown `IN_*` codes mean "still in progress". */
  etatCourantDepotFlux: z.string().min(1),
  dateDepotFlux: text,
  dateHeureEtatCourantFlux: text,
  codeInterfaceDepotFlux: text,
  nomFichier: text,
  listeErreurDP: list(erreurDPSchema),
  listeErreurTechnique: list(erreurTechniqueSchema),
});
export type ConsulterCRDetailleResponse = z.output<typeof consulterCRDetailleResponseSchema>;

// ---------------------------------------------------------------------- factures/v1/rechercher/fournisseur

export interface RechercherFactureParFournisseurRequest {
  numeroFacture?: string;
  numeroFluxDepot?: string;
  idFournisseur?: number;
  statutCourant?: string[];
  periodeDateDepotDu?: string;
  periodeDateDepotAu?: string;
  rechercheFactureParFournisseur?: PaginationRequest;
}

export const factureParFournisseurSchema = z.looseObject({
  identifiantFactureCPP: int,
  numeroFacture: z.string(),
  statut: z.string(),
  numeroFluxDepot: text,
  dateDepot: text,
  dateFacture: text,
  dateHeureEtatCourant: text,
  codeDestinataire: text,
  designationDestinataire: text,
  codeServiceExecutant: text,
  codeFournisseur: text,
  designationFournisseur: text,
  numeroBonCommande: text,
  numeroMarche: text,
  montantHT: decimal.optional(),
  montantTTC: decimal.optional(),
  montantAPayer: decimal.optional(),
  devise: text,
  typeFacture: text,
  typeDemandePaiement: text,
  commentaireEtatCourant: text,
  rejetTraite: flag,
});
export type FactureParFournisseur = z.output<typeof factureParFournisseurSchema>;

export const rechercherFactureParFournisseurResponseSchema = z.looseObject({
  ...envelope,
  listeFactures: list(factureParFournisseurSchema),
  parametresRetour: parametresRetourSchema.optional(),
});

// ---------------------------------------------------------------------- factures/v1/consulter/historique

export interface ConsulterHistoriqueRequest {
  idFacture: number;
  paramRechercheHistoStatuts?: {
    nbResultatsParPageListeHistoStatut?: number;
    pageResultatDemandeeListeHistoStatut?: number;
  };
}

export const histoStatutSchema = z.looseObject({
  histoStatutId: int.optional(),
  histoStatutCode: z.string(),
  /** `YYYY-MM-DD HH:MM`. */
  histoStatutDatePassage: text,
  histoStatutCommentaire: text,
});
export type HistoStatut = z.output<typeof histoStatutSchema>;

export const consulterHistoriqueResponseSchema = z.looseObject({
  ...envelope,
  idFacture: int,
  numeroFacture: text,
  statutCourantCode: z.string().min(1),
  modeDepot: text,
  historiquesDesStatuts: z
    .looseObject({
      histoStatut: list(histoStatutSchema),
      totalHistoStatut: int.optional(),
    })
    .nullish()
    .transform((v) => v ?? { histoStatut: [] }),
  derniereAction: z.looseObject({ derniereActionCode: text, derniereActionId: int.optional() }).nullish(),
});
export type ConsulterHistoriqueResponse = z.output<typeof consulterHistoriqueResponseSchema>;

// --------------------------------------------------------------------------------- factures/v1/recycler

export interface RecyclerRequest {
  identifiantFactureCPP: number;
  destinataire: { codeDestinataire: string; codeServiceExecutant?: string };
  commentaire?: string;
  /** go-choruspro (written from the PISTE swagger) sends the commitment as `reference.numeroBonCommande`. */
  reference?: { numeroBonCommande?: string };
  idUtilisateurCourant?: number;
}

export const recyclerResponseSchema = z.looseObject({
  ...envelope,
  identifiantFactureCPP: int,
  numeroFacture: text,
  statutFacture: text,
  dateDepot: text,
});
export type RecyclerResponse = z.output<typeof recyclerResponseSchema>;

// ------------------------------------------------------------------------ transverses/v1/ajouter/fichier

export interface AjouterFichierRequest {
  pieceJointeFichier: string;
  pieceJointeNom: string;
  pieceJointeTypeMime: string;
  pieceJointeExtension: string;
  idUtilisateurCourant?: number;
}

export const ajouterFichierResponseSchema = z.looseObject({
  ...envelope,
  pieceJointeId: int,
});

// -------------------------------------------------------------------------------- factures/v1/completer

export interface CompleterRequest {
  identifiantFactureCPP: number;
  commentaire?: string;
  pieceJointeComplementaire?: {
    pieceJointeComplementaireId: number;
    pieceJointeComplementaireDesignation?: string;
    pieceJointeComplementaireType?: string;
  }[];
  idUtilisateurCourant?: number;
}

export const completerResponseSchema = z.looseObject({
  ...envelope,
  identifiantFactureCPP: int.optional(),
  numeroFacture: text,
  dateTraitement: text,
});
export type CompleterResponse = z.output<typeof completerResponseSchema>;

// ------------------------------------------------------------------------- transverses/v1/health-check

/** The answer is not documented; go-choruspro reads a Spring `ResponseEntity` ({body, statusCode, …}). */
export const healthCheckResponseSchema = z.unknown();
