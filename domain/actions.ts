/**
 * Which producer actions an invoice allows in a given state: one rule, used by the workflow's Update validators
 * and shown by the API in `actions[]`.
 */
import type { DocumentType } from './credit-notes';
import type { Issue } from './order';
import { chorusActionAwaited, CHORUS_TERMINAL_STATUSES, INVOICE_STATUS_LABELS, type ChorusStatus, type InvoiceAction, type InvoiceStatus } from './statuses';

export interface ActionContext {
  status: InvoiceStatus;
  chorusStatus: ChorusStatus | null;
  buyerKind: 'PUBLIC' | 'PRIVATE';
  /** A credit note travels on its own: it offers no action. Default INVOICE. */
  documentType?: DocumentType;
}

export function availableActions({ status, chorusStatus, buyerKind, documentType }: ActionContext): InvoiceAction[] {
  if (documentType === 'CREDIT_NOTE') return [];
  switch (status) {
    case 'A_TRAITER':
      return buyerKind === 'PUBLIC' ? ['SEND_CHORUS', 'SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE'] : ['SEND_EMAIL', 'ARCHIVE'];
    case 'REJETEE_CHORUS':
      // The guide (docs/reference/agrilocal-chorus-guide.txt): send it by mail, or deposit it on the portal and mark it processed.
      return ['SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE'];
    case 'DEPOSEE_CHORUS': {
      const awaited = chorusStatus === null ? undefined : chorusActionAwaited(chorusStatus);
      if (awaited) return [awaited];
      return chorusStatus !== null && CHORUS_TERMINAL_STATUSES.includes(chorusStatus) ? ['ARCHIVE'] : [];
    }
    case 'ENVOYEE_MAIL':
    case 'ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE':
    case 'ENVOYEE_MAIL_ECHEC_CHORUS':
    case 'TRAITEE_MANUELLEMENT':
      return ['ARCHIVE'];
    case 'EN_ATTENTE_VALIDATION':
    case 'EN_ATTENTE_TRAITEMENT':
    case 'ARCHIVEE':
    case 'ANNULEE':
    case 'ANNULEE_PAR_AVOIR':
      return [];
  }
}

/**
 * Completing a suspended invoice (Chorus SUSPENDUE) needs something to complete it with: at least one attachment,
 * or a comment. Empty when the request has one.
 */
export function completeIssues(request: { comment?: string | undefined; attachmentCount: number }): Issue[] {
  return request.attachmentCount === 0 && !request.comment
    ? [{ path: 'attachments', message: 'give the missing documents (or at least a comment) to complete a suspended invoice' }]
    : [];
}

/** What cannot be done, in the producer's words (French): the start of every out-of-state refusal. */
const ACTION_WORDS: Record<InvoiceAction | 'VALIDATE' | 'CANCEL', string> = {
  VALIDATE: 'Les quantités livrées ne peuvent être validées qu’une fois, avant la facturation',
  CANCEL: 'Une commande ne peut être annulée qu’avant la création de sa facture',
  SEND_CHORUS: 'La facture ne peut pas être envoyée à Chorus Pro maintenant',
  SEND_EMAIL: 'La facture ne peut pas être envoyée par mail maintenant',
  MARK_PROCESSED: 'La facture ne peut pas être marquée traitée maintenant',
  ARCHIVE: 'La facture ne peut pas être archivée maintenant',
  RECYCLE: 'La facture ne peut pas être recyclée maintenant',
  COMPLETE: 'La facture ne peut pas être complétée maintenant',
};

/**
 * Why an action is refused in the invoice's state, in French, for the producer: the same sentence whether the
 * workflow's validator or the API refuses it (e.g. "La facture ne peut pas être complétée maintenant : la
 * facture est « À traiter ».").
 */
export function refusedActionMessage(action: InvoiceAction | 'VALIDATE' | 'CANCEL', status: InvoiceStatus, chorusStatus: string | null): string {
  const chorus = chorusStatus ? ` (Chorus : ${chorusStatus})` : '';
  return `${ACTION_WORDS[action]} : la facture est « ${INVOICE_STATUS_LABELS[status]} »${chorus}.`;
}
