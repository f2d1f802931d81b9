import { Migration } from '@mikro-orm/migrations';

/**
 * Newest-first lists without a producer filter (the platform's list, and lists by status or Chorus status) read
 * this index instead of sorting the whole table: 78 ms → 0.07 ms per page of 50 at 200 000 invoices (docs/performance.md).
 */
export class Migration20261127200000InvoiceListIndex extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index "invoice_created_at_idx" on "invoice" ("created_at" desc, "invoice_id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "invoice_created_at_idx";`);
  }
}
