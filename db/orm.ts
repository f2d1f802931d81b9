/**
 * The one wiring point of the database (mikro-orm/guide `initORM`): the API, the worker, the scripts and the
 * tests all open it here. Entities and migrations are listed explicitly (no folder discovery), so it works the
 * same under tsx, jest and a compiled build.
 */
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities';
import { migrationsList } from './migrations';

export type Orm = MikroORM;

export function ormOptions(databaseUrl: string, extra: Partial<Options> = {}): Options {
  return {
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, silent: true },
    metadataCache: { enabled: false },
    // Every unit of work gets its own forked EntityManager (per request, per activity).
    allowGlobalContext: false,
    forceUtcTimezone: true,
    pool: { min: 0, max: 10 },
    debug: false,
    ...extra,
  };
}

export async function initOrm(databaseUrl: string, extra: Partial<Options> = {}): Promise<Orm> {
  return MikroORM.init(ormOptions(databaseUrl, extra));
}

/** Applies pending migrations; returns the names it applied. */
export async function migrate(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}
