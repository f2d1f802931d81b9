import { Migration } from '@mikro-orm/migrations';

/** A mail about no invoice (the Chorus password reminders) has no `invoice_id`. */
export class Migration20261203140000SentMailWithoutInvoice extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sent_mail" alter column "invoice_id" drop not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`delete from "sent_mail" where "invoice_id" is null;`);
    this.addSql(`alter table "sent_mail" alter column "invoice_id" set not null;`);
  }
}
