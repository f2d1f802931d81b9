/**
 * Credit notes (avoirs) and replacement invoices: when an issued invoice may be cancelled, and the words producers
 * read. An issued invoice is never deleted nor renumbered: a credit note referring to it cancels it, and the
 * corrected invoice gets a new number in the same series (CGI art. 289 and ann. II art. 242 nonies A; docs/documents.md).
 */
import { INVOICE_STATUS_LABELS, type ChorusStatus, type InvoiceStatus } from './statuses';

export const DOCUMENT_TYPES = ['INVOICE', 'CREDIT_NOTE'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

export interface CancellableContext {
  documentType: DocumentType;
  status: InvoiceStatus;
  chorusStatus: ChorusStatus | null;
}

/** Sent by mail in one way or another: the buyer has it outside Chorus. */
const MAILED: readonly InvoiceStatus[] = ['ENVOYEE_MAIL', 'ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE', 'ENVOYEE_MAIL_ECHEC_CHORUS'];

/**
 * Why the invoice cannot be cancelled by a credit note now (French, for the producer), or undefined when it can:
 * "à traiter", its flow rejected by Chorus (REJETEE_CHORUS), rejected by the buyer on Chorus (REJETEE), or sent by
 * mail. Not while Chorus still processes it (two live documents for one delivery), not once paid.
 */
export function cancellationRefusal({ documentType, status, chorusStatus }: CancellableContext): string | undefined {
  if (documentType === 'CREDIT_NOTE') return 'Un avoir ne peut pas être annulé : il annule lui-même une facture.';
  if (status === 'A_TRAITER' || status === 'REJETEE_CHORUS' || MAILED.includes(status)) return undefined;
  if (status === 'DEPOSEE_CHORUS' && chorusStatus === 'REJETEE') return undefined;
  if (status === 'DEPOSEE_CHORUS' && chorusStatus === 'MISE_EN_PAIEMENT') {
    return "La facture est mise en paiement sur Chorus Pro : elle ne peut plus être annulée ; un trop-perçu se règle par un avoir partiel avec l'acheteur.";
  }
  if (status === 'EN_ATTENTE_TRAITEMENT' || status === 'DEPOSEE_CHORUS') {
    const chorus = chorusStatus ? ` (statut Chorus : ${chorusStatus})` : '';
    return `Chorus Pro traite encore la facture${chorus} : elle ne peut être annulée et refaite qu'une fois rejetée, ou recyclée si l'acheteur le demande.`;
  }
  if (status === 'ANNULEE_PAR_AVOIR') return 'La facture est déjà annulée par un avoir.';
  return `La facture ne peut pas être annulée par un avoir : elle est « ${INVOICE_STATUS_LABELS[status]} ».`;
}

/** What the original shows once cancelled and replaced (or only cancelled, for an order cancelled after invoicing). */
export function cancelledDetail(creditNoteNumber: string, replacementNumber: string | null, reason: string | null): string {
  const replaced = replacementNumber ? ` ; remplacée par la facture ${replacementNumber}` : '';
  return `Annulée par l'avoir ${creditNoteNumber}${replaced}${reason ? ` (motif : ${reason})` : ''}`;
}
