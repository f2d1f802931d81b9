/**
 * Which producer actions an invoice allows in a given state: one rule, used by the workflow's Update validators
 * and shown by the API in `actions[]`.
 */
import type { Issue } from './order';
import { CHORUS_TERMINAL_STATUSES, type InvoiceAction, type InvoiceStatus } from './statuses';

export interface ActionContext {
  status: InvoiceStatus;
  chorusStatus: string | null;
  buyerKind: 'PUBLIC' | 'PRIVATE';
}

export function availableActions({ status, chorusStatus, buyerKind }: ActionContext): InvoiceAction[] {
  switch (status) {
    case 'A_TRAITER':
      return buyerKind === 'PUBLIC' ? ['SEND_CHORUS', 'SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE'] : ['SEND_EMAIL', 'ARCHIVE'];
    case 'REJETEE_CHORUS':
      // The guide: send it by mail, or deposit it on the portal and mark it processed.
      return ['SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE'];
    case 'DEPOSEE_CHORUS':
      if (chorusStatus === 'A_RECYCLER') return ['RECYCLE'];
      if (chorusStatus === 'SUSPENDUE') return ['COMPLETE'];
      return chorusStatus !== null && CHORUS_TERMINAL_STATUSES.includes(chorusStatus) ? ['ARCHIVE'] : [];
    case 'ENVOYEE_MAIL':
    case 'ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE':
    case 'ENVOYEE_MAIL_ECHEC_CHORUS':
    case 'TRAITEE_MANUELLEMENT':
      return ['ARCHIVE'];
    case 'EN_ATTENTE_VALIDATION':
    case 'EN_ATTENTE_TRAITEMENT':
    case 'ARCHIVEE':
    case 'ANNULEE':
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
