import { Migration } from '@mikro-orm/migrations';

/**
 * Webhooks: the endpoints, the outbox of events (written in the transaction of the change they tell) and one
 * delivery row per event and endpoint (the delivery log). Deleting an endpoint deletes its deliveries.
 */
export class Migration20261202180000Webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "webhook_endpoint" ("id" uuid not null, "url" varchar(2048) not null, "secret_sealed" text not null,
      "created_at" timestamptz not null, constraint "webhook_endpoint_pkey" primary key ("id"));`);
    this.addSql(`create table "webhook_event" ("seq" bigserial primary key, "event_id" varchar(40) not null, "invoice_id" uuid not null,
      "type" varchar(60) not null, "body" text not null, "created_at" timestamptz not null);`);
    this.addSql(`alter table "webhook_event" add constraint "webhook_event_event_id_unique" unique ("event_id");`);
    this.addSql(`create index "webhook_event_invoice_id_index" on "webhook_event" ("invoice_id");`);
    this.addSql(`create table "webhook_delivery" ("id" uuid not null, "endpoint_id" uuid not null, "event_seq" bigint not null,
      "event_id" varchar(40) not null, "invoice_id" uuid not null, "type" varchar(60) not null,
      "state" text check ("state" in ('PENDING', 'DELIVERED', 'FAILED')) not null, "attempts" int not null default 0,
      "next_attempt_at" timestamptz not null, "retry_from" timestamptz null, "last_attempt_at" timestamptz null,
      "last_status_code" int null, "last_error" varchar(500) null, "delivered_at" timestamptz null, "created_at" timestamptz not null,
      constraint "webhook_delivery_pkey" primary key ("id"));`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_event_unique" unique ("endpoint_id", "event_seq");`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_endpoint_id_foreign" foreign key ("endpoint_id")
      references "webhook_endpoint" ("id") on delete cascade;`);
    this.addSql(`alter table "webhook_delivery" add constraint "webhook_delivery_event_seq_foreign" foreign key ("event_seq")
      references "webhook_event" ("seq") on delete cascade;`);
    this.addSql(`create index "webhook_delivery_pending_idx" on "webhook_delivery" ("endpoint_id", "invoice_id", "event_seq") where "state" = 'PENDING';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "webhook_delivery";`);
    this.addSql(`drop table if exists "webhook_event";`);
    this.addSql(`drop table if exists "webhook_endpoint";`);
  }
}
