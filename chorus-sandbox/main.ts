/**
 * `npm run sandbox`: the Chorus Pro sandbox alone on CHORUS_SANDBOX_PORT (default 4010), accepting the OAuth
 * client and technical account of the shared configuration (dev defaults when unset).
 */
import { loadConfig } from '../config';
import { SANDBOX_SEED_STRUCTURES } from './seeds';
import { startSandbox } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startSandbox({
    port: config.CHORUS_SANDBOX_PORT,
    host: config.CHORUS_SANDBOX_HOST,
    credentials: {
      clientId: config.CHORUS_CLIENT_ID,
      clientSecret: config.CHORUS_CLIENT_SECRET,
      techLogin: config.CHORUS_TECH_LOGIN,
      techPassword: config.CHORUS_TECH_PASSWORD,
    },
  });
  const lines = [
    `Chorus Pro sandbox listening on ${running.url}`,
    `  API (CHORUS_API_URL):     ${running.url}/cpro/...`,
    `  token (CHORUS_OAUTH_URL): ${running.tokenUrl}`,
    `  control routes (dev only, no auth): ${running.url}/sandbox/v1/{structures,invoices,config,stats,reset}`,
    `  seeded structures:`,
    ...SANDBOX_SEED_STRUCTURES.map((s) => `    ${s.siret}  ${s.type.padEnd(8)} ${s.designation}`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (signal: string) => {
    process.stdout.write(`Chorus Pro sandbox: ${signal} received, closing\n`);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Chorus Pro sandbox: close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`Chorus Pro sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
