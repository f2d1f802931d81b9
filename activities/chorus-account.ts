/**
 * The technical account's side of a deposit: may it deposit for this producer? One read (cached briefly by
 * TechnicalAccount), no remote change.
 */
import { TechnicalAccount, type ChorusClient } from '../chorus';
import { withRetryHints } from './chorus';

export interface AttachmentCheckInput {
  producerSiret: string;
}

export function createChorusAccountActivities(chorus: ChorusClient) {
  const account = new TechnicalAccount(chorus);
  return withRetryHints({
    /** Whether the technical account may deposit for this producer now: attached, and its password valid. */
    async checkChorusAttachment(input: AttachmentCheckInput): Promise<{ attached: boolean; passwordExpired: boolean }> {
      const [attached, passwordExpired] = await Promise.all([account.isAttached(input.producerSiret), account.passwordExpired()]);
      return { attached, passwordExpired };
    },
  });
}
