/**
 * The technical account's side of a deposit: may it deposit for this producer? His own account when he has
 * one, else the platform's. One read (cached briefly by TechnicalAccount), no remote change.
 */
import type { Orm } from '../db/orm';
import { withRetryHints } from './chorus';
import type { ChorusForProducer } from './shared';

export interface AttachmentCheckInput {
  producerSiret: string;
}

export function createChorusAccountActivities(orm: Orm, chorusFor: ChorusForProducer) {
  return withRetryHints({
    /** Whether the producer's technical account may deposit for him now: attached, and its password valid. */
    async checkChorusAttachment(input: AttachmentCheckInput): Promise<{ attached: boolean; passwordExpired: boolean }> {
      const { account } = await chorusFor(orm.em.fork(), input.producerSiret);
      const [attached, passwordExpired] = await Promise.all([account.isAttached(input.producerSiret), account.passwordExpired()]);
      return { attached, passwordExpired };
    },
  });
}
