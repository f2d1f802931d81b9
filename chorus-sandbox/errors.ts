/**
 * Errors the sandbox answers. Business errors use the Chorus envelope (HTTP 400 + `{codeRetour, libelle}`);
 * their codes follow what is public (20000 for "no result" with HTTP 200, 20001 for flows, 20003 for a too large
 * attachment, 20004-20014 for recycler) and are otherwise sandbox inventions in the same shape: never rely on a
 * code the reference does not list. The invented "invalid request" code is 20099, off the real 20000.
 * Control routes answer `{error: {code, message, details}}` like our own API.
 */

export class SandboxBusinessError extends Error {
  override readonly name = 'SandboxBusinessError';
  constructor(
    readonly codeRetour: number,
    readonly libelle: string,
    readonly httpStatus = 400,
  ) {
    super(libelle);
  }
}

export class SandboxControlError extends Error {
  override readonly name = 'SandboxControlError';
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    readonly details: { path: string; message: string }[] = [],
  ) {
    super(message);
  }
}

const business = (codeRetour: number, libelle: string, httpStatus?: number) =>
  new SandboxBusinessError(codeRetour, libelle, httpStatus);

export const CHORUS_ERRORS = {
  invalidRequest: (detail: string) => business(20099, `TRA_MSG_00.001 - Requete invalide : ${detail}`),
  /** What the real host answers to a search that finds nothing: HTTP 200 (Pastell's CPPWrapper). */
  aucunResultat: () => business(20000, "TRA_MSG_00.015 - La recherche n'a retourné aucun résultat", 200),
  fluxIntrouvable: () => business(20001, 'POQ_MSG_01.003 - Flux introuvable.'),
  fichierTropVolumineux: () => business(20001, 'GDP_MSG_11.022 - La taille du fichier depasse la limite autorisee (10 Mo).'),
  syntaxeNonSupportee: (syntaxe: string) =>
    business(20001, `GDP_MSG_11.010 - La syntaxe de flux ${syntaxe} n'est pas prise en charge.`),
  structureIntrouvable: (id: number) => business(20100, `GCU_MSG_02.001 - Structure ${id} introuvable.`),
  serviceIntrouvable: (idStructure: number, idService: number) =>
    business(20101, `GCU_MSG_02.002 - Service ${idService} introuvable pour la structure ${idStructure}.`),
  factureIntrouvable: (id: number) => business(20002, `GDP_MSG_02.001 - Facture ${id} introuvable.`),
  recyclerStatut: (statut: string) =>
    business(20004, `GDP_MSG_04.001 - La facture ne peut etre recyclee qu'au statut A_RECYCLER (statut actuel : ${statut}).`),
  recyclerDestinataire: (siret: string) =>
    business(20005, `GDP_MSG_04.002 - Le destinataire ${siret} n'est pas reference dans notre systeme.`),
  recyclerAcheminement: (detail: string) => business(20006, `GDP_MSG_04.003 - Donnees d'acheminement invalides : ${detail}`),
  completerStatut: (statut: string) =>
    business(20015, `GDP_MSG_05.001 - La facture ne peut etre completee qu'au statut SUSPENDUE (statut actuel : ${statut}).`),
  pieceJointeIntrouvable: (id: number) => business(20016, `GDP_MSG_05.002 - Piece jointe ${id} introuvable.`),
  pieceJointeNom: () => business(20017, 'TRA_MSG_02.001 - Le nom de la piece jointe ne doit pas depasser 50 caracteres.'),
  pieceJointeTropVolumineuse: () => business(20003, 'TRA_MSG_02.002 - La piece jointe depasse la taille maximale autorisee (10 Mo).'),
} as const;
