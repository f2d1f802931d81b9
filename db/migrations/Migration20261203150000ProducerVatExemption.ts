import { Migration } from '@mikro-orm/migrations';

/**
 * The VAT exemption a producer states in his profile, by its legal mention ("TVA non applicable, art. 293 B du
 * CGI"): his invoices are then exempt (category E) with that mention (domain/vat.ts).
 */
export class Migration20261203150000ProducerVatExemption extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "producer" add column "vat_exemption_mention" varchar(200) null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "producer" drop column if exists "vat_exemption_mention";`);
  }
}
