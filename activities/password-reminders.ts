/**
 * The daily check of the Chorus technical accounts' passwords (workflows/password-reminders.ts): when each
 * password expires (a Chorus call, on the rate-limited Chorus queue), and the reminder
 * mail, once per account, expiry date and threshold (`sent_mail`, as the invoices' mails).
 */
import { ChorusAuthError, type ChorusAccounts } from '../chorus';
import { recordProducerAccountExpiry } from '../db/chorus-accounts';
import { Producer } from '../db/entities';
import type { Orm } from '../db/orm';
import type { PasswordReminderDays } from '../domain/password-expiry';
import type { Mailer } from '../mail/mailer';
import { renderPasswordReminder } from '../mail/templates';
import { withRetryHints } from './chorus';
import { messageIdFor, sendOnce } from './mail';
import type { ChorusAccountRef } from './chorus-account';
import type { ChorusForProducer } from './shared';

export type PasswordExpiryRead = { kind: 'read'; passwordExpiresAt: string | null } | { kind: 'refused' };

export interface PasswordReminderInput extends ChorusAccountRef {
  passwordExpiresAt: string;
  days: PasswordReminderDays;
  daysLeft: number;
}

/** The Chorus call of the check: runs on the Chorus queue, within the call budget. */
export function createPasswordReadActivities(orm: Orm, chorus: ChorusAccounts, chorusFor: ChorusForProducer) {
  return withRetryHints({
    /** When the account's password expires, as Chorus says now; kept for a producer's own account (admin view). */
    async readChorusPasswordExpiry(input: ChorusAccountRef): Promise<PasswordExpiryRead> {
      const em = orm.em.fork();
      const { account } = input.producerSiret === null ? chorus.platform : await chorusFor(em, input.producerSiret);
      try {
        const passwordExpiresAt = await account.passwordExpiresAt();
        if (input.producerSiret !== null) await recordProducerAccountExpiry(em, input.producerSiret, passwordExpiresAt, new Date());
        return { kind: 'read', passwordExpiresAt };
      } catch (error) {
        // Wrong or expired password: nothing to remind, the producer's sending by Chorus is refused already.
        if (error instanceof ChorusAuthError) return { kind: 'refused' };
        throw error;
      }
    },
  });
}

export function createPasswordReminderActivities(orm: Orm, mailer: Mailer, platformContact: string) {
  return {
    /**
     * Mails the reminder: the platform's contact for the platform's account; the producer, the platform's contact
     * in copy, for his own. Once per account, expiry date and threshold: a renewed password starts again.
     */
    async sendPasswordReminder(input: PasswordReminderInput) {
      const producer = input.producerSiret === null ? null : await orm.em.fork().findOne(Producer, { siret: input.producerSiret });
      const mail = renderPasswordReminder({ login: input.login, expiresAt: input.passwordExpiresAt, daysLeft: input.daysLeft, producerName: producer?.name });
      const mailKey = `chorus-password:${input.producerSiret ?? 'platform'}:${input.passwordExpiresAt.slice(0, 10)}:${input.days}`;
      const messageId = messageIdFor(mailKey);
      const to = producer ? producer.email : platformContact;
      return sendOnce(orm, mailer, {
        mailKey,
        invoiceId: null,
        kind: 'CHORUS_PASSWORD_REMINDER',
        mail: { to, cc: producer ? platformContact : undefined, subject: mail.subject, text: mail.text, messageId },
      });
    },
  };
}
