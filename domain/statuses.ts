/**
 * The one vocabulary of invoice statuses (docs/reference/api-contract.md §1), with the French labels shown to producers.
 * Pure data: imported by the workflow bundle, the API, the database layer and the sandbox alike.
 */

export const INVOICE_STATUSES = [
  'EN_ATTENTE_VALIDATION',
  'A_TRAITER',
  'EN_ATTENTE_TRAITEMENT',
  'REJETEE_CHORUS',
  'DEPOSEE_CHORUS',
  'ENVOYEE_MAIL',
  'ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE',
  'ENVOYEE_MAIL_ECHEC_CHORUS',
  'TRAITEE_MANUELLEMENT',
  'ARCHIVEE',
  'ANNULEE',
  'ANNULEE_PAR_AVOIR',
] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export const INVOICE_STATUS_LABELS: Record<InvoiceStatus, string> = {
  EN_ATTENTE_VALIDATION: 'En attente de validation de la quantité livrée',
  A_TRAITER: 'À traiter',
  EN_ATTENTE_TRAITEMENT: 'Facture en attente de traitement',
  REJETEE_CHORUS: 'Facture rejetée par Chorus Pro',
  DEPOSEE_CHORUS: 'Facture déposée sous Chorus',
  ENVOYEE_MAIL: 'Facture envoyée par mail',
  ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE: 'Facture envoyée par mail (acheteur non identifié sous Chorus)',
  ENVOYEE_MAIL_ECHEC_CHORUS: "Facture envoyée automatiquement par mail suite à l'échec de la transmission sous Chorus",
  TRAITEE_MANUELLEMENT: 'Facture traitée (déposée sur le portail Chorus Pro)',
  ARCHIVEE: 'Facture archivée manuellement',
  ANNULEE: 'Commande annulée',
  ANNULEE_PAR_AVOIR: 'Facture annulée par avoir',
};

/** The two list views of the guide (docs/reference/agrilocal-chorus-guide.txt: "à traiter" / "traitées"); null = shown in neither. */
export const INVOICE_VIEWS = ['a_traiter', 'traitees'] as const;
export type InvoiceView = (typeof INVOICE_VIEWS)[number];
export const INVOICE_STATUS_VIEW: Record<InvoiceStatus, InvoiceView | null> = {
  EN_ATTENTE_VALIDATION: null,
  A_TRAITER: 'a_traiter',
  EN_ATTENTE_TRAITEMENT: 'a_traiter',
  REJETEE_CHORUS: 'a_traiter',
  DEPOSEE_CHORUS: 'traitees',
  ENVOYEE_MAIL: 'traitees',
  ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE: 'traitees',
  ENVOYEE_MAIL_ECHEC_CHORUS: 'traitees',
  TRAITEE_MANUELLEMENT: 'traitees',
  ARCHIVEE: 'traitees',
  ANNULEE: null,
  ANNULEE_PAR_AVOIR: 'traitees',
};

export function statusesInView(view: InvoiceView): InvoiceStatus[] {
  return INVOICE_STATUSES.filter((s) => INVOICE_STATUS_VIEW[s] === view);
}

/**
 * Chorus Pro lifecycle codes (`statutFacture` / `statutCourantCode`), verbatim. Any other code Chorus sends is
 * stored and shown as is; these are the ones the product handles explicitly.
 */
export const CHORUS_STATUSES = [
  'DEPOSEE',
  'EN_COURS_ACHEMINEMENT',
  'MISE_A_DISPOSITION',
  'A_RECYCLER',
  'SUSPENDUE',
  'COMPLETEE',
  'REJETEE',
  'SERVICE_FAIT',
  'MANDATEE',
  'MISE_A_DISPOSITION_COMPTABLE',
  'COMPTABILISEE',
  'MISE_EN_PAIEMENT',
] as const;
export type KnownChorusStatus = (typeof CHORUS_STATUSES)[number];
/** A Chorus code: one we know, or any other string Chorus may send. */
export type ChorusStatus = KnownChorusStatus | (string & {});

export const CHORUS_STATUS_LABELS: Record<KnownChorusStatus, string> = {
  DEPOSEE: 'Facture déposée sous Chorus',
  EN_COURS_ACHEMINEMENT: "Facture en cours d'acheminement",
  MISE_A_DISPOSITION: "Facture mise à disposition de l'établissement",
  A_RECYCLER: 'Facture à recycler',
  SUSPENDUE: 'Facture suspendue',
  COMPLETEE: 'Facture complétée',
  REJETEE: 'Facture rejetée',
  SERVICE_FAIT: 'Service fait',
  MANDATEE: 'Facture mandatée',
  MISE_A_DISPOSITION_COMPTABLE: 'Facture mise à disposition comptable',
  COMPTABILISEE: 'Facture comptabilisée',
  MISE_EN_PAIEMENT: 'Facture mise en paiement',
};

export function chorusStatusLabel(code: ChorusStatus): string {
  return (CHORUS_STATUS_LABELS as Record<string, string>)[code] ?? code;
}

/** Codes after which Chorus will not move the invoice any more: polling stops. */
export const CHORUS_TERMINAL_STATUSES: readonly string[] = ['MISE_EN_PAIEMENT', 'REJETEE', 'ABANDONNEE', 'SUPPRIMEE'];

/** What a producer may ask for, listed in `actions[]` of an invoice. */
export const INVOICE_ACTIONS = ['SEND_CHORUS', 'SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE', 'RECYCLE', 'COMPLETE'] as const;
export type InvoiceAction = (typeof INVOICE_ACTIONS)[number];

/** Codes that wait for a producer action, and the one action each allows. */
export const CHORUS_ACTION_STATUSES = {
  A_RECYCLER: 'RECYCLE',
  SUSPENDUE: 'COMPLETE',
} as const satisfies Partial<Record<KnownChorusStatus, InvoiceAction>>;

/** The producer action a Chorus code waits for, if any. */
export function chorusActionAwaited(code: ChorusStatus): (typeof CHORUS_ACTION_STATUSES)[keyof typeof CHORUS_ACTION_STATUSES] | undefined {
  return Object.hasOwn(CHORUS_ACTION_STATUSES, code) ? CHORUS_ACTION_STATUSES[code as keyof typeof CHORUS_ACTION_STATUSES] : undefined;
}

/**
 * Chorus flow states (`etatCourantDepotFlux`). Final ones end the flow-report polling; any other `IN_*` code is
 * taken as "still in progress" (docs/reference/chorus-pro-api.md §4, docs/chorus.md).
 * `IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP` is the first state seen right after a live deposit; the `QP_*`
 * admissibility verdicts (Tryton) and `IN_A_RELANCER` / `IN_ERREUR_INTERNE` (to be deposited again,
 * Demat4Dolibarr) end a flow as failed: polling them for a year would leave the invoice stalled without a word
 * to the producer.
 */
export const FLOW_STATES = [
  'IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP',
  'IN_RECU',
  'IN_TRAITE_SE_CPP',
  'IN_EN_ATTENTE_TRAITEMENT_CPP',
  'IN_EN_COURS_TRAITEMENT_CPP',
  'IN_EN_ATTENTE_RETRAITEMENT_CPP',
  'IN_INCIDENTE',
  'IN_REJETE',
  'QP_IRRECEVABLE',
  'QP_RECEVABLE_AVEC_ERREUR',
  'IN_A_RELANCER',
  'IN_ERREUR_INTERNE',
  'IN_INTEGRE',
  'IN_INTEGRE_PARTIEL',
] as const;
export type FlowState = (typeof FLOW_STATES)[number] | (string & {});
export const FLOW_FAILED_STATES: readonly string[] = [
  'IN_REJETE',
  'IN_INCIDENTE',
  'QP_IRRECEVABLE',
  'QP_RECEVABLE_AVEC_ERREUR',
  'IN_A_RELANCER',
  'IN_ERREUR_INTERNE',
];
export const FLOW_INTEGRATED_STATES: readonly string[] = ['IN_INTEGRE', 'IN_INTEGRE_PARTIEL'];
export function isFlowFinal(state: string): boolean {
  return FLOW_FAILED_STATES.includes(state) || FLOW_INTEGRATED_STATES.includes(state);
}
