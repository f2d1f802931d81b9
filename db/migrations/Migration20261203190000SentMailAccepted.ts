import { Migration } from '@mikro-orm/migrations';

/**
 * ACCEPTED: the SMTP server accepted the mail, recorded in one statement before the transaction that marks it SENT
 * with its webhook event (activities/mail.ts), so that a worker killed in between does not send it again.
 */
export class Migration20261203190000SentMailAccepted extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sent_mail" drop constraint if exists "sent_mail_state_check";`);
    this.addSql(`alter table "sent_mail" add constraint "sent_mail_state_check" check ("state" in ('SENDING', 'ACCEPTED', 'SENT'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`update "sent_mail" set "state" = 'SENT', "sent_at" = coalesce("sent_at", now()) where "state" = 'ACCEPTED';`);
    this.addSql(`alter table "sent_mail" drop constraint if exists "sent_mail_state_check";`);
    this.addSql(`alter table "sent_mail" add constraint "sent_mail_state_check" check ("state" in ('SENDING', 'SENT'));`);
  }
}
