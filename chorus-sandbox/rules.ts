/**
 * The business checks Chorus runs on a deposited invoice, with messages in the style of the real ones
 * (docs/reference/chorus-pro-api.md §8: unaccented French, the XML path of the faulty element). All failures are collected:
 * Chorus joins several messages of one invoice in one `libelleErreurDP`.
 */
import type { CiiInvoice } from './facturx';
import type { SandboxStructure } from './model';

export const FACTURES_PUBLIQUES = 'FACTURES_PUBLIQUES';
export const MAX_NUMERO_FACTURE = 20;
export const MAX_NUMERO_ENGAGEMENT = 50;
/** BT-3 codes Chorus accepts (261 and 751 are refused). */
export const ACCEPTED_TYPE_CODES = ['380', '381', '384', '386', '389'];

const AGREEMENT = 'SupplyChainTradeTransaction.ApplicableHeaderTradeAgreement';

/** BT-3 of a credit note: Chorus files it as `typeFacture` AVOIR. */
export const CREDIT_NOTE_TYPE_CODE = '381';
/**
 * Cadres de facturation a supplier deposits under (BT-23; A1 when absent): A1 invoice, A2 invoice already paid,
 * A9 subcontractor, A12 co-contractor. A credit note (AVOIR) is deposited under the same cadre as an invoice.
 */
export const SUPPLIER_CADRES = ['A1', 'A2', 'A9', 'A12'];

export const REJECTION = {
  paymentMeansMissing:
    "L'element FichierXml.SupplyChainTradeTransaction.ApplicableHeaderTradeSettlement.SpecifiedTradeSettlementPaymentMeans.TypeCode.value est obligatoire.",
  supplierUnknown: `L'identifiant fournisseur de la demande de paiement (balise : ${AGREEMENT}.SellerTradeParty.SpecifiedLegalOrganization.ID.value) n'est pas reference dans notre systeme.`,
  supplierNotAttached: (siret: string) =>
    `La structure fournisseur ${siret} (balise : ${AGREEMENT}.SellerTradeParty.SpecifiedLegalOrganization.ID.value) n'est pas rattachee au compte utilisateur qui a depose le flux.`,
  buyerUnknown: `L'identifiant destinataire de la demande de paiement (balise : ${AGREEMENT}.BuyerTradeParty.SpecifiedLegalOrganization.ID.value) n'est pas reference dans notre systeme.`,
  numberMissing: "L'element FichierXml.ExchangedDocument.ID.value est obligatoire.",
  numberTooLong: `Le numero de facture (balise : ExchangedDocument.ID.value) depasse la longueur maximale autorisee de ${MAX_NUMERO_FACTURE} caracteres.`,
  typeCodeRefused: (code: string) =>
    `Le type de facture (balise : ExchangedDocument.TypeCode.value) ${code} n'est pas autorise (valeurs acceptees : ${ACCEPTED_TYPE_CODES.join(', ')}).`,
  serviceMissing: (siret: string) =>
    `Le code service est obligatoire pour le destinataire ${siret} (balise : ${AGREEMENT}.BuyerReference.value).`,
  serviceUnknown: (code: string, siret: string) => `Le code service ${code} n'existe pas pour le destinataire ${siret}.`,
  serviceInactive: (code: string, siret: string) => `Le service ${code} du destinataire ${siret} n'est pas actif.`,
  facturesPubliques: `Le service ${FACTURES_PUBLIQUES} est reserve a la facturation entre entites publiques.`,
  engagementMissing: (siret: string, codeService?: string) =>
    `Le numero d'engagement est obligatoire pour ${codeService ? `le service ${codeService} du` : 'le'} destinataire ${siret} ` +
    `(balise : ${AGREEMENT}.BuyerOrderReferencedDocument.IssuerAssignedID.value).`,
  serviceOrEngagementMissing: (siret: string) =>
    `Le code service ou le numero d'engagement doit etre renseigne pour le destinataire ${siret}.`,
  engagementTooLong: `Le numero d'engagement (balise : ${AGREEMENT}.BuyerOrderReferencedDocument.IssuerAssignedID.value) depasse la longueur maximale autorisee de ${MAX_NUMERO_ENGAGEMENT} caracteres.`,
  cadreRefused: (cadre: string) =>
    `Le cadre de facturation (balise : ExchangedDocumentContext.BusinessProcessSpecifiedDocumentContextParameter.ID.value) ${cadre} n'est pas autorise pour un depot fournisseur (valeurs acceptees : ${SUPPLIER_CADRES.join(', ')}).`,
  duplicate: (numero: string, siret: string) =>
    `La facture ${numero} a deja ete deposee par le fournisseur ${siret} : numero de facture deja utilise.`,
} as const;

export interface DepositLookups {
  structureBySiret(siret: string): SandboxStructure | undefined;
  /** The technical account that deposited the flow may deposit for this supplier. */
  isAttached(siret: string): boolean;
  /** An invoice of this supplier with this number exists and is not REJETEE. */
  hasLiveInvoice(siretFournisseur: string, numeroFacture: string): boolean;
}

export interface DepositVerdict {
  errors: string[];
  supplier: SandboxStructure | undefined;
  buyer: SandboxStructure | undefined;
}

export function checkDepositedInvoice(invoice: CiiInvoice, lookups: DepositLookups): DepositVerdict {
  const errors: string[] = [];
  const supplierCandidate = invoice.siretFournisseur ? lookups.structureBySiret(invoice.siretFournisseur) : undefined;
  const supplier = supplierCandidate?.type === 'SUPPLIER' ? supplierCandidate : undefined;
  if (!supplier) errors.push(REJECTION.supplierUnknown);
  else if (!lookups.isAttached(supplier.siret)) errors.push(REJECTION.supplierNotAttached(supplier.siret));

  const buyerCandidate = invoice.siretDestinataire ? lookups.structureBySiret(invoice.siretDestinataire) : undefined;
  const buyer = buyerCandidate?.type === 'PUBLIC' ? buyerCandidate : undefined;
  if (!buyer) errors.push(REJECTION.buyerUnknown);

  const numero = invoice.numeroFacture;
  if (numero === undefined) errors.push(REJECTION.numberMissing);
  else if (numero.length > MAX_NUMERO_FACTURE) errors.push(REJECTION.numberTooLong);
  if (invoice.typeCode !== undefined && !ACCEPTED_TYPE_CODES.includes(invoice.typeCode)) {
    errors.push(REJECTION.typeCodeRefused(invoice.typeCode));
  }

  if (buyer) errors.push(...routingErrors(buyer, invoice.codeService, invoice.numeroEngagement));
  else if (invoice.numeroEngagement !== undefined && invoice.numeroEngagement.length > MAX_NUMERO_ENGAGEMENT) {
    errors.push(REJECTION.engagementTooLong);
  }

  if (invoice.cadreFacturation !== undefined && !SUPPLIER_CADRES.includes(invoice.cadreFacturation)) errors.push(REJECTION.cadreRefused(invoice.cadreFacturation));
  // Nothing is paid to the seller on a credit note: no payment means asked for (OCA checks the same, chorus-pro-api.md §6).
  if (invoice.paymentMeansCodes.length === 0 && invoice.typeCode !== CREDIT_NOTE_TYPE_CODE) errors.push(REJECTION.paymentMeansMissing);

  if (supplier && numero !== undefined && lookups.hasLiveInvoice(supplier.siret, numero)) {
    errors.push(REJECTION.duplicate(numero, supplier.siret));
  }
  return { errors, supplier, buyer };
}

/** Routing checks shared by the deposit and `recycler`: service code, commitment, as the buyer demands. */
export function routingErrors(
  buyer: SandboxStructure,
  codeService: string | undefined,
  numeroEngagement: string | undefined,
): string[] {
  const errors: string[] = [];
  const service = codeService === undefined ? undefined : buyer.services.get(codeService);
  if (codeService !== undefined) {
    if (codeService === FACTURES_PUBLIQUES) errors.push(REJECTION.facturesPubliques);
    else if (!service) errors.push(REJECTION.serviceUnknown(codeService, buyer.siret));
    else if (!service.actif) errors.push(REJECTION.serviceInactive(codeService, buyer.siret));
  }
  if (buyer.gestionNumeroEJOuCodeService) {
    if (codeService === undefined && numeroEngagement === undefined) errors.push(REJECTION.serviceOrEngagementMissing(buyer.siret));
  } else if (buyer.codeServiceDoitEtreRenseigne && codeService === undefined) {
    errors.push(REJECTION.serviceMissing(buyer.siret));
  }
  if (numeroEngagement === undefined) {
    if (buyer.numeroEJDoitEtreRenseigne && !buyer.gestionNumeroEJOuCodeService) {
      errors.push(REJECTION.engagementMissing(buyer.siret));
    } else if (service?.numeroEngagement && codeService !== FACTURES_PUBLIQUES) {
      errors.push(REJECTION.engagementMissing(buyer.siret, service.codeService));
    }
  } else if (numeroEngagement.length > MAX_NUMERO_ENGAGEMENT) {
    errors.push(REJECTION.engagementTooLong);
  }
  return errors;
}
