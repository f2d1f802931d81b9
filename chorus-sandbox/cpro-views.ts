/**
 * The answers of the Chorus Pro API as the sandbox builds them from its records (cpro-routes.ts sends them):
 * field names and shapes verbatim from the official examples. Structures answers follow the official PISTE
 * Swagger (docs/reference/piste/Structures.json, checked by test/chorus/structures-schema.test.ts): a field the
 * sandbox does not model is left out rather than sent as null, and its dates are date-times.
 */
import { chorusDate, chorusTimestamp } from './dates';
import type { SandboxFlow, SandboxHistoStatut, SandboxInvoice, SandboxService, SandboxStructure } from './model';
import { CREDIT_NOTE_TYPE_CODE } from './rules';

export const DEFAULT_PAGE_SIZE = 10;

export function structureRecherche(s: SandboxStructure) {
  return {
    idStructureCPP: s.idStructureCPP,
    identifiantStructure: s.siret,
    designationStructure: s.designation,
    statut: 'ACTIVE',
    typeIdentifiantStructure: 'SIRET',
  };
}

const SANDBOX_ADDRESS = {
  adresse: '1 RUE DE LA SANDBOX',
  codePostal: '75001',
  ville: 'PARIS',
  pays: 'FR',
};

/** `YYYY-MM-DD` (how the sandbox keeps service dates) as the Swagger's date-time, midnight UTC. */
const dateTime = (day: string): string => `${day}T00:00:00.000Z`;

export function factureParFournisseur(inv: SandboxInvoice) {
  return {
    identifiantFactureCPP: inv.identifiantFactureCPP,
    numeroFacture: inv.numeroFacture,
    numeroFluxDepot: inv.numeroFluxDepot,
    statut: inv.statut,
    typeDemandePaiement: 'FACTURE',
    typeFacture: inv.typeCode === CREDIT_NOTE_TYPE_CODE ? 'AVOIR' : 'FACTURE',
    dateDepot: chorusDate(new Date(inv.dateDepot)),
    dateFacture: inv.dateFacture ?? null,
    dateHeureEtatCourant: chorusTimestamp(new Date(inv.dateHeureEtatCourant)),
    codeFournisseur: inv.siretFournisseur,
    typeIdentifiantFournisseur: 'SIRET',
    designationFournisseur: inv.designationFournisseur,
    idDestinataire: inv.idDestinataire,
    codeDestinataire: inv.siretDestinataire,
    designationDestinataire: inv.designationDestinataire,
    codeServiceExecutant: inv.codeServiceExecutant ?? null,
    numeroBonCommande: inv.numeroEngagement ?? null,
    numeroMarche: inv.numeroMarche ?? null,
    montantHT: inv.montantHT ?? null,
    montantTTC: inv.montantTTC ?? null,
    montantAPayer: inv.montantAPayer ?? null,
    devise: inv.devise,
    commentaireEtatCourant: inv.histo.at(-1)?.histoStatutCommentaire ?? '',
    rejetTraite: false,
  };
}

export function compteRenduDetaille(flow: SandboxFlow) {
  const incident = flow.etat === 'IN_INCIDENTE' ? flow.incident : undefined;
  return {
    numeroFluxDepot: flow.numeroFluxDepot,
    etatCourantDepotFlux: flow.etat,
    dateDepotFlux: chorusTimestamp(new Date(flow.deposeLe)),
    dateHeureEtatCourantFlux: chorusTimestamp(new Date(flow.etatDepuis)),
    // Official example: FSO1110A = E2 (mixed) deposit interface.
    codeInterfaceDepotFlux: 'FSO1110A',
    nomFichier: `FSO1110A_CPP001_${flow.numeroFluxDepot}`,
    listeErreurDP: flow.erreursDP,
    listeErreurTechnique: incident
      ? [{ codeErreur: incident.codeErreur, libelleErreur: incident.libelleErreur, natureErreur: incident.natureErreur }]
      : [],
  };
}

/** `consulter`'s answer: the structure's general data, its parameters and the sandbox's postal address. */
/** `passwordExpiresAt`: the caller's technical account password expiry, given when it acts for this structure. */
export function structureConsultee(s: SandboxStructure, passwordExpiresAt: string | undefined) {
  return {
    informationGenerales: {
      idStructureCPP: s.idStructureCPP,
      identifiantStructure: s.siret,
      typeIdentifiantStructure: 'SIRET',
      raisonSocialeStructure: s.designation,
      libelleStructure: s.designation,
      structurePriveePublique: s.type === 'PUBLIC' ? 'PUBLIQUE' : 'PRIVEE',
      estValideurDeleguee: false,
      listeStructureDupliquees: [],
      // The technical account's password, on the structures it acts for.
      ...(passwordExpiresAt !== undefined ? { dateExpirationMotPasseCompteTech: passwordExpiresAt } : {}),
    },
    parametres: {
      codeServiceDoitEtreRenseigne: s.codeServiceDoitEtreRenseigne,
      numeroEJDoitEtreRenseigne: s.numeroEJDoitEtreRenseigne,
      gestionNumeroEJOuCodeService: s.gestionNumeroEJOuCodeService,
      connexionEDI: false,
      estMoaUniquement: false,
      estValideurDelegue: false,
      getaMoa: false,
      nonDiffusibleInsee: false,
      recevoirDonneesViaEDI: false,
      statutMiseEnPaiementNestPasRemonte: false,
    },
    adressePostaleDuSiege: SANDBOX_ADDRESS,
  };
}

/** `consulter/historique`'s answer: one page of the status history, the other two histories empty. */
export function historique(inv: SandboxInvoice, page: readonly SandboxHistoStatut[], parametresRetour: Record<string, number>) {
  return {
    idFacture: inv.identifiantFactureCPP,
    numeroFacture: inv.numeroFacture,
    statutCourantCode: inv.statut,
    historiquesDesStatuts: {
      histoStatut: page.map((h) => ({
        histoStatutId: h.histoStatutId,
        histoStatutCode: h.histoStatutCode,
        histoStatutDatePassage: h.histoStatutDatePassage,
        histoStatutCommentaire: h.histoStatutCommentaire,
      })),
      nbResultatsParPageHistoStatut: parametresRetour.nbResultatsParPage,
      pageCouranteHistoStatut: parametresRetour.pageCourante,
      pagesHistoStatut: parametresRetour.pages,
      totalHistoStatut: parametresRetour.total,
    },
    historiquesDesActionsUtilisateurs: {
      histoAction: [],
      nbResultatsParPageHistoAction: DEFAULT_PAGE_SIZE,
      pageCouranteHistoAction: 1,
      pagesHistoAction: 0,
      totalHistoAction: 0,
    },
    historiquesDesEvenementsComplementaires: {
      evenement: [],
      nbResultatsParPageEvenement: DEFAULT_PAGE_SIZE,
      pageCouranteEvenement: 1,
      pagesEvenement: 0,
      totalEvenement: 0,
    },
  };
}

/** A line of `rechercher/services`. */
export function serviceListe(service: SandboxService) {
  return {
    idService: service.idService,
    codeService: service.codeService,
    libelleService: service.libelle,
    estActif: service.actif,
    statutService: service.actif ? 'ACTIF' : 'INACTIF',
    dateDbtService: service.dateDbtService,
  };
}

/** `consulter/service`'s answer. */
export function serviceConsulte(service: SandboxService) {
  return {
    informationsGenerales: {
      codeService: service.codeService,
      nomService: service.libelle,
      descriptionService: service.libelle,
    },
    parametres: {
      numeroEngagement: service.numeroEngagement,
      miseEnPaiement: false,
      dateDebutValidite: dateTime(service.dateDbtService),
      dateCreation: dateTime(service.dateDbtService),
    },
    adressePostale: SANDBOX_ADDRESS,
  };
}
