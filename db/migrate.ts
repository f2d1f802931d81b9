/** `npm run migrate`: applies pending migrations to DATABASE_URL (one-shot; used by docker-compose too). */
import { loadConfig } from '../config';
import { runMain, UserFacingError } from '../lib/main';
import { initOrm, migrate } from './orm';

runMain(async () => {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new UserFacingError('DATABASE_URL is required to migrate (npm start migrates its embedded database itself).');
  const orm = await initOrm(config.DATABASE_URL);
  try {
    const applied = await migrate(orm);
    process.stdout.write(applied.length === 0 ? 'migrations: up to date\n' : `migrations: applied ${applied.join(', ')}\n`);
  } finally {
    await orm.close(true);
  }
});
