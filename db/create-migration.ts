/**
 * `npm run migration:create`: writes a new migration with the SQL that brings DATABASE_URL's schema to the
 * entities (run `npm run migrate` first), then lists it in db/migrations/index.ts by hand.
 */
import { loadConfig } from '../config';
import { runMain, UserFacingError } from '../lib/main';
import { initOrm } from './orm';

runMain(async () => {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new UserFacingError('DATABASE_URL is required to diff the schema.');
  const orm = await initOrm(config.DATABASE_URL, { migrations: { path: 'db/migrations', pathTs: 'db/migrations', snapshot: false } });
  try {
    const result = await orm.getMigrator().createMigration();
    process.stdout.write(result.fileName ? `created db/migrations/${result.fileName}: add it to db/migrations/index.ts\n` : 'no schema change\n');
  } finally {
    await orm.close(true);
  }
});
