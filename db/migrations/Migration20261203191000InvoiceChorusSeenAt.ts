import { Migration } from '@mikro-orm/migrations';

/** When the lifecycle sync last saw the invoice on Chorus with the status we hold: its safety look is then skipped. */
export class Migration20261203191000InvoiceChorusSeenAt extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoice" add column "chorus_seen_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "invoice" drop column if exists "chorus_seen_at";`);
  }
}
