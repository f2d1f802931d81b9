/**
 * The technical accounts: which there are (the platform's and the producers' own, for the daily password check
 * and the lifecycle sync), and the account's side of a deposit: may it deposit for this producer? His own
 * account when he has one, else the platform's. One read (cached briefly by TechnicalAccount), no remote change.
 */
import type { ChorusAccounts } from '../chorus';
import { ProducerChorusAccount } from '../db/entities';
import type { Orm } from '../db/orm';
import { withRetryHints } from './chorus';
import type { ChorusForProducer } from './shared';

/** A technical account: the platform's (producerSiret null) or a producer's own. */
export interface ChorusAccountRef {
  producerSiret: string | null;
  login: string;
}

export interface ChorusAccountPage {
  accounts: ChorusAccountRef[];
  /** Give it back for the next page; null after the last. */
  next: string | null;
}

/** Producers' accounts per page: a page is one activity result, far below Temporal's payload limit. */
const PAGE_SIZE = 200;

export function createChorusAccountListActivities(orm: Orm, chorus: ChorusAccounts) {
  return {
    /** The platform's account first, then the producers' own ones by SIRET. */
    async listChorusAccounts(input: { after: string | null }): Promise<ChorusAccountPage> {
      const rows = await orm.em.fork().find(
        ProducerChorusAccount,
        input.after === null ? {} : { producerSiret: { $gt: input.after } },
        { orderBy: { producerSiret: 'asc' }, limit: PAGE_SIZE, fields: ['producerSiret', 'login'] },
      );
      const own = rows.map((r) => ({ producerSiret: r.producerSiret, login: r.login }));
      return {
        accounts: input.after === null ? [{ producerSiret: null, login: chorus.platform.login }, ...own] : own,
        next: rows.length === PAGE_SIZE ? rows[rows.length - 1]!.producerSiret : null,
      };
    },
  };
}

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
