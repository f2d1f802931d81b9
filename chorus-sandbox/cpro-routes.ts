/**
 * The Chorus Pro API itself under `/cpro`: same paths, POST JSON, field names verbatim, `{codeRetour, libelle}`
 * envelope, per-endpoint pagination objects (default page size 10). Requests are read leniently, like a server
 * facing many clients: ids as numbers or numeric strings, and empty strings / zero ids (go-choruspro sends
 * them for unset filters) meaning "no filter".
 */
import express, { Router, type ErrorRequestHandler, type Response } from 'express';
import { z } from 'zod';
import {
  compteRenduDetaille,
  DEFAULT_PAGE_SIZE,
  factureParFournisseur,
  historique,
  serviceConsulte,
  serviceListe,
  structureConsultee,
  structureRecherche,
} from './cpro-views';
import { chorusDate, chorusDateTime } from './dates';
import { CHORUS_ERRORS, SandboxBusinessError } from './errors';
import type { SandboxStructure } from './model';
import type { SandboxState } from './state';

/** Base64 inflates by 4/3: room for a 10 MB file (the size check itself answers a Chorus error). */
const JSON_LIMIT = '20mb';
const MAX_PAGE_SIZE = 10_000;
const OK_LIBELLE = 'TRA_MSG_00.000';

const id = z.union([z.number().int().nonnegative(), z.string().trim().regex(/^\d+$/).transform(Number)]);
/** Unset filters arrive as "" or 0 from some clients. */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === undefined || v === null || v.trim() === '' ? undefined : v.trim()));
const optionalId = id
  .nullish()
  .transform((v) => (v === undefined || v === null || v === 0 ? undefined : v));
const pagination = z
  .looseObject({
    pageResultatDemandee: id.nullish(),
    nbResultatsParPage: id.nullish(),
    triSens: z.string().nullish(),
    triColonne: z.string().nullish(),
  })
  .nullish();
type Pagination = z.output<typeof pagination>;

function parse<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'corps de la requete';
  throw CHORUS_ERRORS.invalidRequest(`${where} : ${issue?.message ?? 'invalide'}`);
}

/** The technical account of the call, as the gateway read it from `cpro-account` (undefined: the main one). */
function callerAccount(res: Response): string | undefined {
  return (res.locals as { technicalAccount?: string }).technicalAccount;
}

function ok(res: Response, body: Record<string, unknown>, libelle = OK_LIBELLE): void {
  res.status(200).json({ codeRetour: 0, libelle, ...body });
}

/**
 * A search's answer: "no result" (20000, HTTP 200) when nothing matched, as the real host answers; a one-item
 * list sent as the lone object when the sandbox is configured so (older serialisers).
 */
function found(res: Response, state: SandboxState, list: string, items: readonly unknown[], rest: Record<string, unknown> = {}): void {
  if (items.length === 0) throw CHORUS_ERRORS.aucunResultat();
  ok(res, { [list]: state.config.loneListItemAsObject && items.length === 1 ? items[0] : items, ...rest });
}

function paginate<T>(items: readonly T[], request: Pagination): { page: T[]; parametresRetour: Record<string, number> } {
  const size = Math.min(Math.max(request?.nbResultatsParPage ?? DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE);
  const pageCourante = Math.max(request?.pageResultatDemandee ?? 1, 1);
  const ordered = request?.triSens === 'Descendant' ? [...items].reverse() : items;
  const total = items.length;
  return {
    page: ordered.slice((pageCourante - 1) * size, pageCourante * size),
    parametresRetour: { nbResultatsParPage: size, pageCourante, pages: Math.ceil(total / size), total },
  };
}

/** A sub-count of `POST /cpro/factures/v1/rechercher/fournisseur` in `/sandbox/v1/stats` (not a call of its own). */
export const SEARCH_BY_NUMBER_STAT = 'of which by numeroFacture: POST /cpro/factures/v1/rechercher/fournisseur';

/** Whether a `/sandbox/v1/stats` key is a sub-count of another endpoint ("of which …"), not calls of their own. */
export const isSubCount = (statKey: string): boolean => statKey.startsWith('of which');

/** The calls in `/sandbox/v1/stats` counts: every endpoint's, sub-counts left out. */
export const callsIn = (stats: Record<string, number>): number => Object.entries(stats).reduce((a, [key, n]) => (isSubCount(key) ? a : a + n), 0);

// ----------------------------------------------------------------------------------------------- schemas

const rechercherStructureBody = z.looseObject({
  structure: z
    .looseObject({
      identifiantStructure: optionalText,
      typeIdentifiantStructure: optionalText,
      raisonSocialeStructure: optionalText,
      libelleStructure: optionalText,
    })
    .nullish(),
  restreindreStructuresPrivees: z.boolean().nullish(),
  parametres: pagination,
});
const consulterStructureBody = z.looseObject({ idStructureCPP: optionalId, idStructure: optionalId });
const rechercherServicesBody = z.looseObject({ idStructure: id, parametresRechercherServicesStructure: pagination });
const consulterServiceBody = z.looseObject({ idStructure: id, idService: id });
const deposerFluxBody = z.looseObject({
  fichierFlux: z.string().min(1, 'fichierFlux est obligatoire'),
  nomFichier: z.string().trim().min(1, 'nomFichier est obligatoire'),
  syntaxeFlux: z.string().trim().min(1, 'syntaxeFlux est obligatoire'),
  avecSignature: z.boolean().nullish(),
});
const consulterCRDetailleBody = z.looseObject({
  numeroFluxDepot: z.string().trim().min(1, 'numeroFluxDepot est obligatoire'),
  syntaxeFlux: optionalText,
});
const rechercherFournisseurBody = z.looseObject({
  numeroFacture: optionalText,
  numeroFluxDepot: optionalText,
  idFournisseur: optionalId,
  statutCourant: z
    .union([z.array(z.string()), z.string()])
    .nullish()
    .transform((v) => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).filter((s) => s.trim() !== ''))),
  periodeDateDepotDu: optionalText,
  periodeDateDepotAu: optionalText,
  rechercheFactureParFournisseur: pagination,
});
const consulterHistoriqueBody = z.looseObject({
  idFacture: id,
  paramRechercheHistoStatuts: z
    .looseObject({
      nbResultatsParPageListeHistoStatut: id.nullish(),
      pageResultatDemandeeListeHistoStatut: id.nullish(),
      triSensListeHistoStatut: z.string().nullish(),
    })
    .nullish(),
});
const numeroBonCommande = z.looseObject({ numeroBonCommande: optionalText }).nullish();
const recyclerBody = z.looseObject({
  identifiantFactureCPP: id,
  destinataire: z.looseObject({
    codeDestinataire: z.string().trim().min(1, 'destinataire.codeDestinataire est obligatoire'),
    codeServiceExecutant: optionalText,
  }),
  commentaire: optionalText,
  // go-choruspro sends `reference`, other sources say `references`: accept both.
  reference: numeroBonCommande,
  references: numeroBonCommande,
});
const ajouterFichierBody = z.looseObject({
  pieceJointeFichier: z.string().min(1, 'pieceJointeFichier est obligatoire'),
  pieceJointeNom: z.string().trim().min(1, 'pieceJointeNom est obligatoire'),
  pieceJointeTypeMime: z.string().trim().min(1, 'pieceJointeTypeMime est obligatoire'),
  pieceJointeExtension: z.string().trim().min(1, 'pieceJointeExtension est obligatoire'),
});
const completerBody = z.looseObject({
  identifiantFactureCPP: id,
  commentaire: optionalText,
  pieceJointeComplementaire: z
    .array(z.looseObject({ pieceJointeComplementaireId: id }))
    .nullish()
    .transform((v) => v ?? []),
});

// ------------------------------------------------------------------------------------------------ router

export function cproRouter(state: SandboxState): Router {
  const router = Router();
  router.use(express.json({ limit: JSON_LIMIT, type: ['application/json', 'application/*+json', 'text/json'] }));
  structureRoutes(router, state);
  serviceRoutes(router, state);
  flowRoutes(router, state);
  invoiceSearchRoutes(router, state);
  supplierActionRoutes(router, state);

  router.post('/transverses/v1/recuperer/structures/actives/fournisseur', (_req, res) => {
    const attached = state.attachedSuppliers(callerAccount(res));
    found(
      res,
      state,
      'listeStructures',
      attached.map((s) => ({ idStructureCPP: s.idStructureCPP, identifiant: s.siret, designationStructure: s.designation })),
    );
  });

  router.get('/transverses/v1/health-check', (_req, res) => {
    // Undocumented answer; go-choruspro reads a Spring ResponseEntity.
    res.status(200).json({ body: 'Chorus Pro sandbox is up', statusCode: 'OK', statusCodeValue: 200 });
  });

  router.use((req, res) => {
    // No Chorus code exists for this: the gateway's 404 carries no codeRetour.
    res.status(404).json({ libelle: `Ressource introuvable : ${req.method} ${req.baseUrl}${req.path}` });
  });

  return router;
}

/** `structures/v1/rechercher` and `consulter`. */
function structureRoutes(router: Router, state: SandboxState): void {
  router.post('/structures/v1/rechercher', (req, res) => {
    const body = parse(rechercherStructureBody, req.body);
    const criteria = body.structure;
    const raison = (criteria?.raisonSocialeStructure ?? criteria?.libelleStructure)?.toLowerCase();
    // The usual query names one SIRET: use the index instead of a scan.
    const candidates =
      criteria?.identifiantStructure === undefined
        ? state.listStructures()
        : [state.structureBySiret(criteria.identifiantStructure)].filter((s): s is SandboxStructure => s !== undefined);
    const matching = candidates.filter(
      (s) =>
        (criteria?.identifiantStructure === undefined || s.siret === criteria.identifiantStructure) &&
        (criteria?.typeIdentifiantStructure === undefined || criteria.typeIdentifiantStructure === 'SIRET') &&
        (raison === undefined || s.designation.toLowerCase().includes(raison)) &&
        (!body.restreindreStructuresPrivees || s.type === 'PUBLIC'),
    );
    const { page, parametresRetour } = paginate(matching, body.parametres);
    found(res, state, 'listeStructures', page.map(structureRecherche), { parametresRetour });
  });

  router.post('/structures/v1/consulter', (req, res) => {
    const body = parse(consulterStructureBody, req.body);
    const idStructure = body.idStructureCPP ?? body.idStructure;
    if (idStructure === undefined) throw CHORUS_ERRORS.invalidRequest('idStructureCPP est obligatoire');
    const s = state.structureById(idStructure);
    if (!s) throw CHORUS_ERRORS.structureIntrouvable(idStructure);
    const login = callerAccount(res);
    const actsFor = s.type === 'SUPPLIER' && state.isAttached(login, s.siret);
    ok(res, structureConsultee(s, actsFor ? state.passwordExpiresAt(login) : undefined));
  });
}

/** A structure's services: `rechercher/services` and `consulter/service`. */
function serviceRoutes(router: Router, state: SandboxState): void {
  router.post('/structures/v1/rechercher/services', (req, res) => {
    const body = parse(rechercherServicesBody, req.body);
    const s = state.structureById(body.idStructure);
    if (!s) throw CHORUS_ERRORS.structureIntrouvable(body.idStructure);
    const services = [...s.services.values()].sort((a, b) => a.idService - b.idService);
    const { page, parametresRetour } = paginate(services, body.parametresRechercherServicesStructure);
    found(res, state, 'listeServices', page.map(serviceListe), { parametresRetour });
  });

  router.post('/structures/v1/consulter/service', (req, res) => {
    const body = parse(consulterServiceBody, req.body);
    const s = state.structureById(body.idStructure);
    if (!s) throw CHORUS_ERRORS.structureIntrouvable(body.idStructure);
    const service = [...s.services.values()].find((candidate) => candidate.idService === body.idService);
    if (!service) throw CHORUS_ERRORS.serviceIntrouvable(body.idStructure, body.idService);
    ok(res, serviceConsulte(service));
  });
}

/** Depositing a flow and reading its report. */
function flowRoutes(router: Router, state: SandboxState): void {
  router.post('/factures/v1/deposer/flux', async (req, res) => {
    const body = parse(deposerFluxBody, req.body);
    const deposant = callerAccount(res);
    const flow = await state.deposit({ fichierFlux: body.fichierFlux, nomFichier: body.nomFichier, syntaxeFlux: body.syntaxeFlux, ...(deposant !== undefined ? { deposant } : {}) });
    ok(res, {
      numeroFluxDepot: flow.numeroFluxDepot,
      dateDepot: chorusDate(new Date(flow.deposeLe)),
      syntaxeFlux: flow.syntaxeFlux,
    });
  });

  router.post('/transverses/v1/consulterCRDetaille', (req, res) => {
    const body = parse(consulterCRDetailleBody, req.body);
    const flow = state.flow(body.numeroFluxDepot);
    if (!flow) throw CHORUS_ERRORS.fluxIntrouvable();
    ok(res, compteRenduDetaille(flow));
  });
}

/** The supplier's invoices and their status history. */
function invoiceSearchRoutes(router: Router, state: SandboxState): void {
  router.post('/factures/v1/rechercher/fournisseur', (req, res) => {
    const body = parse(rechercherFournisseurBody, req.body);
    // Stats: a lookup by number (before a deposit) apart from a status sweep, within the endpoint's count.
    if (body.numeroFacture) state.recordCall(SEARCH_BY_NUMBER_STAT);
    const invoices = state.searchInvoices({
      numeroFacture: body.numeroFacture,
      numeroFluxDepot: body.numeroFluxDepot,
      idFournisseur: body.idFournisseur,
      statutCourant: body.statutCourant,
      periodeDateDepotDu: body.periodeDateDepotDu,
      periodeDateDepotAu: body.periodeDateDepotAu,
    });
    const { page, parametresRetour } = paginate(invoices, body.rechercheFactureParFournisseur);
    found(res, state, 'listeFactures', page.map(factureParFournisseur), { parametresRetour });
  });

  router.post('/factures/v1/consulter/historique', (req, res) => {
    const body = parse(consulterHistoriqueBody, req.body);
    const inv = state.invoice(body.idFacture);
    if (!inv) throw CHORUS_ERRORS.factureIntrouvable(body.idFacture);
    // The real host sorts the history newest first unless asked otherwise (Pastell: "par défaut le tri est
    // descendant sur HistoStatutDatePassage"); clients must not rely on either order.
    const ascending = body.paramRechercheHistoStatuts?.triSensListeHistoStatut === 'Ascendant';
    const { page, parametresRetour } = paginate(ascending ? inv.histo : [...inv.histo].reverse(), {
      nbResultatsParPage: body.paramRechercheHistoStatuts?.nbResultatsParPageListeHistoStatut,
      pageResultatDemandee: body.paramRechercheHistoStatuts?.pageResultatDemandeeListeHistoStatut,
    });
    ok(res, historique(inv, page, parametresRetour));
  });
}

/** The supplier's answers to a refused invoice: `recycler`, and `ajouter/fichier` then `completer`. */
function supplierActionRoutes(router: Router, state: SandboxState): void {
  router.post('/factures/v1/recycler', (req, res) => {
    const body = parse(recyclerBody, req.body);
    const inv = state.recycler({
      identifiantFactureCPP: body.identifiantFactureCPP,
      codeDestinataire: body.destinataire.codeDestinataire,
      codeServiceExecutant: body.destinataire.codeServiceExecutant,
      numeroEngagement: body.reference?.numeroBonCommande ?? body.references?.numeroBonCommande,
      commentaire: body.commentaire,
    });
    ok(
      res,
      {
        identifiantFactureCPP: inv.identifiantFactureCPP,
        numeroFacture: inv.numeroFacture,
        statutFacture: inv.statut,
        dateDepot: chorusDateTime(new Date(inv.dateHeureEtatCourant)),
      },
      // The official example answers this older libelle.
      'CODE PAR DEFAUT',
    );
  });

  router.post('/transverses/v1/ajouter/fichier', (req, res) => {
    const body = parse(ajouterFichierBody, req.body);
    const attachment = state.addAttachment(body);
    ok(res, { pieceJointeId: attachment.pieceJointeId }, 'GCU_MSG_01_000');
  });

  router.post('/factures/v1/completer', (req, res) => {
    const body = parse(completerBody, req.body);
    const inv = state.completer({
      identifiantFactureCPP: body.identifiantFactureCPP,
      commentaire: body.commentaire,
      pieceJointeIds: body.pieceJointeComplementaire.map((p) => p.pieceJointeComplementaireId),
    });
    ok(
      res,
      {
        identifiantFactureCPP: inv.identifiantFactureCPP,
        numeroFacture: inv.numeroFacture,
        dateTraitement: chorusDate(new Date(inv.dateHeureEtatCourant)),
      },
      'GCU_MSG_01_000',
    );
  });
}

/** Business errors in the Chorus envelope; body-parser failures too; anything else is a 500 with a message. */
export function cproErrorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof SandboxBusinessError) {
      res.status(error.httpStatus).json({ codeRetour: error.codeRetour, libelle: error.libelle });
      return;
    }
    const type = typeof error === 'object' && error !== null && 'type' in error ? error.type : undefined;
    if (type === 'entity.too.large') {
      const tooLarge = CHORUS_ERRORS.fichierTropVolumineux();
      res.status(413).json({ codeRetour: tooLarge.codeRetour, libelle: tooLarge.libelle });
      return;
    }
    if (type === 'entity.parse.failed' || type === 'charset.unsupported' || type === 'encoding.unsupported') {
      const invalid = CHORUS_ERRORS.invalidRequest('le corps de la requete doit etre du JSON valide');
      res.status(400).json({ codeRetour: invalid.codeRetour, libelle: invalid.libelle });
      return;
    }
    log(`chorus-sandbox: ${req.method} ${req.originalUrl} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    res.status(500).json({ codeRetour: 99999, libelle: 'TRA_MSG_99.999 - Erreur technique (sandbox).' });
  };
}
