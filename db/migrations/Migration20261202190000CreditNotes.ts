import { Migration } from '@mikro-orm/migrations';

/**
 * Credit notes and replacement invoices live in the invoice table: a document type, the links between original,
 * credit note and replacement, and the key of the request that issued a credit note. The order id stays unique for
 * an order's first invoice only: its credit notes and replacements carry the same order.
 */
export class Migration20261202190000CreditNotes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table "invoice" add column "document_type" varchar(20) not null default 'INVOICE', add column "cancels_invoice_id" uuid null, add column "cancelled_by_invoice_id" uuid null, add column "replaces_invoice_id" uuid null, add column "replaced_by_invoice_id" uuid null, add column "issue_key" varchar(200) null;`);
    this.addSql(`alter table "invoice" drop constraint "invoice_order_id_unique";`);
    this.addSql(`create index "invoice_order_id_index" on "invoice" ("order_id");`);
    this.addSql(`create unique index "invoice_order_first_unique" on "invoice" ("order_id") where "document_type" = 'INVOICE' and "replaces_invoice_id" is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "invoice_order_first_unique";`);
    this.addSql(`drop index if exists "invoice_order_id_index";`);
    this.addSql(`delete from "invoice" where "document_type" <> 'INVOICE' or "replaces_invoice_id" is not null;`);
    this.addSql(`alter table "invoice" add constraint "invoice_order_id_unique" unique ("order_id");`);
    this.addSql(`alter table "invoice" drop column "document_type", drop column "cancels_invoice_id", drop column "cancelled_by_invoice_id", drop column "replaces_invoice_id", drop column "replaced_by_invoice_id", drop column "issue_key";`);
  }
}
