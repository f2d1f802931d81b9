import { Migration } from '@mikro-orm/migrations';

/** The first schema: profiles, invoices with their history and documents, numbering, Chorus deposits, sent mails. */
export class Migration20261127000000Initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "buyer" ("siret" varchar(14) not null, "name" varchar(200) not null, "email" varchar(254) not null, "kind" text check ("kind" in ('PUBLIC', 'PRIVATE')) not null, "address" jsonb not null, "vat_number" varchar(20) null, "service_code" varchar(100) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "buyer_pkey" primary key ("siret"));`);
    this.addSql(`create table "chorus_deposit" ("business_key" varchar(80) not null, "invoice_id" uuid not null, "numero_facture" varchar(20) not null, "numero_flux_depot" varchar(40) null, "date_depot" varchar(30) null, "etat_courant_depot_flux" varchar(60) null, "identifiant_facture_cpp" varchar(40) null, "errors" jsonb null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "chorus_deposit_pkey" primary key ("business_key"));`);
    this.addSql(`create index "chorus_deposit_invoice_id_index" on "chorus_deposit" ("invoice_id");`);
    this.addSql(`create table "invoice" ("invoice_id" uuid not null, "order_id" varchar(100) not null, "workflow_id" varchar(120) not null, "order_hash" varchar(64) not null, "producer_siret" varchar(14) not null, "buyer_siret" varchar(14) not null, "buyer_kind" text check ("buyer_kind" in ('PUBLIC', 'PRIVATE')) not null, "delivery_date" date not null, "lines" jsonb not null, "engagement_code_required" boolean not null default false, "engagement_code" varchar(50) null, "service_code" varchar(100) null, "market_number" varchar(100) null, "validated_by" text check ("validated_by" in ('PRODUCER', 'BUYER')) null, "number" varchar(20) null, "issue_date" date null, "due_date" date null, "total_ht" numeric(14,2) null, "total_tva" numeric(14,2) null, "total_ttc" numeric(14,2) null, "status" varchar(40) not null, "chorus_status" varchar(60) null, "numero_flux_depot" varchar(40) null, "identifiant_facture_cpp" varchar(40) null, "chorus_errors" jsonb null, "cancel_reason" varchar(500) null, "history_seq" int not null default 0, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "invoice_pkey" primary key ("invoice_id"));`);
    this.addSql(`alter table "invoice" add constraint "invoice_order_id_unique" unique ("order_id");`);
    this.addSql(`create index "invoice_producer_siret_index" on "invoice" ("producer_siret");`);
    this.addSql(`create index "invoice_buyer_siret_index" on "invoice" ("buyer_siret");`);
    this.addSql(`create index "invoice_status_index" on "invoice" ("status");`);
    this.addSql(`create index "invoice_chorus_status_index" on "invoice" ("chorus_status");`);
    this.addSql(`create index "invoice_producer_status_idx" on "invoice" ("producer_siret", "status", "created_at");`);
    this.addSql(`alter table "invoice" add constraint "invoice_producer_number_unique" unique ("producer_siret", "number");`);
    this.addSql(`create table "invoice_document" ("invoice_id" uuid not null, "filename" varchar(120) not null, "pdf" bytea not null, "sha256" varchar(64) not null, "created_at" timestamptz not null, constraint "invoice_document_pkey" primary key ("invoice_id"));`);
    this.addSql(`create table "invoice_history" ("id" bigserial primary key, "invoice_id" uuid not null, "seq" int not null, "at" timestamptz not null, "status" varchar(40) not null, "chorus_status" varchar(60) null, "detail" text null);`);
    this.addSql(`create index "invoice_history_invoice_id_index" on "invoice_history" ("invoice_id");`);
    this.addSql(`alter table "invoice_history" add constraint "invoice_history_invoice_seq_unique" unique ("invoice_id", "seq");`);
    this.addSql(`create table "invoice_number_counter" ("producer_siret" varchar(14) not null, "year" int not null, "last_value" int not null, constraint "invoice_number_counter_pkey" primary key ("producer_siret", "year"));`);
    this.addSql(`create table "producer" ("siret" varchar(14) not null, "name" varchar(200) not null, "email" varchar(254) not null, "address" jsonb not null, "vat_number" varchar(20) null, "chorus_enabled" boolean not null default false, "payment_method" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "producer_pkey" primary key ("siret"));`);
    this.addSql(`create table "sent_mail" ("mail_key" varchar(120) not null, "invoice_id" uuid not null, "kind" varchar(60) not null, "recipient" varchar(254) not null, "message_id" varchar(200) not null, "state" text check ("state" in ('SENDING', 'SENT')) not null, "sent_at" timestamptz null, "created_at" timestamptz not null, constraint "sent_mail_pkey" primary key ("mail_key"));`);
    this.addSql(`create index "sent_mail_invoice_id_index" on "sent_mail" ("invoice_id");`);
    this.addSql(`create table "invoice_attachment" ("attachment_id" uuid not null, "invoice_id" uuid not null, "filename" varchar(50) not null, "content_type" varchar(100) not null, "content" bytea not null, "piece_jointe_id" varchar(40) null, "created_at" timestamptz not null, constraint "invoice_attachment_pkey" primary key ("attachment_id"));`);
    this.addSql(`create index "invoice_attachment_invoice_id_index" on "invoice_attachment" ("invoice_id");`);
  }

  override async down(): Promise<void> {
    for (const table of ['invoice_attachment', 'sent_mail', 'chorus_deposit', 'invoice_number_counter', 'invoice_document', 'invoice_history', 'invoice', 'buyer', 'producer']) {
      this.addSql(`drop table if exists "${table}" cascade;`);
    }
  }
}
