import { Migration } from '@mikro-orm/migrations';

/**
 * A producer's own Chorus technical account (password sealed with CHORUS_CREDENTIALS_KEY), and the index by which
 * the lifecycle poll finds an invoice's producer from its Chorus id.
 */
export class Migration20261202190000ProducerChorusAccount extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "producer_chorus_account" ("producer_siret" varchar(14) not null, "login" varchar(200) not null, "password_sealed" text not null, "password_expires_at" timestamptz null, "expiry_read_at" timestamptz null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "producer_chorus_account_pkey" primary key ("producer_siret"));`,
    );
    this.addSql(`create index "invoice_identifiant_facture_cpp_index" on "invoice" ("identifiant_facture_cpp");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "invoice_identifiant_facture_cpp_index";`);
    this.addSql(`drop table if exists "producer_chorus_account" cascade;`);
  }
}
