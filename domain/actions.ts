/**
 * Which producer actions an invoice allows in a given state: one rule, used by the workflow's Update validators
 * and shown by the API in `actions[]`.
 */
import { chorusActionAwaited, CHORUS_TERMINAL_STATUSES, type ChorusStatus, type InvoiceAction, type InvoiceStatus } from './statuses';

export interface ActionContext {
  status: InvoiceStatus;
  chorusStatus: ChorusStatus | null;
  buyerKind: 'PUBLIC' | 'PRIVATE';
}

export function availableActions({ status, chorusStatus, buyerKind }: ActionContext): InvoiceAction[] {
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
      return [];
  }
}

/** TEMP (replaced by the rules branch). */
export function completeIssues(input: { comment?: string; attachmentIds: readonly string[] }): { path: string; message: string }[] {
  return input.attachmentIds.length === 0 && !input.comment ? [{ path: 'attachments', message: 'at least one attachment or a comment is required' }] : [];
}
