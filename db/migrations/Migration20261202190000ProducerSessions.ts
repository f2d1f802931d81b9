import { Migration } from '@mikro-orm/migrations';

/** The producer's web space: single-use sign-in links and browser sessions, both stored as SHA-256 digests. */
export class Migration20261202190000ProducerSessions extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table "login_link" (
      "token_hash" varchar(64) not null primary key,
      "producer_siret" varchar(14) not null,
      "expires_at" timestamptz not null,
      "used_at" timestamptz null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "login_link_producer_siret_index" on "login_link" ("producer_siret");`);
    this.addSql(`create table "web_session" (
      "id_hash" varchar(64) not null primary key,
      "producer_siret" varchar(14) not null,
      "csrf_token" varchar(64) not null,
      "expires_at" timestamptz not null,
      "created_at" timestamptz not null);`);
    this.addSql(`create index "web_session_producer_siret_index" on "web_session" ("producer_siret");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "web_session";`);
    this.addSql(`drop table if exists "login_link";`);
  }
}
