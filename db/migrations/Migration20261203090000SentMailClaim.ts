import { Migration } from '@mikro-orm/migrations';

/**
 * A mail being sent is claimed by one activity attempt until `claimed_until` (committed before the SMTP exchange),
 * instead of a row lock held across it: a PostgreSQL restart during the exchange no longer rolls the mail back
 * and sends it again.
 */
export class Migration20261203090000SentMailClaim extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "sent_mail" add column "claimed_until" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "sent_mail" drop column if exists "claimed_until";`);
  }
}
