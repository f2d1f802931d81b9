/**
 * `npm run sandbox`: the Chorus Pro sandbox alone on CHORUS_SANDBOX_PORT (default 4010), accepting the OAuth
 * client and technical account of the shared configuration (dev defaults when unset).
 *
 * CHORUS_SANDBOX_STATE_FILE (read here only, sandbox-specific): a JSON file that keeps flows, invoices,
 * structures, counters and configuration across restarts (`npm start` sets it to DATA_DIR/chorus-sandbox.json).
 * Unset: in memory only, as in the tests and benchmarks.
 */
import path from 'node:path';
import { loadConfig } from '../config';
import { runMain } from '../lib/main';
import type { LoadOutcome } from './persistence';
import { SANDBOX_SEED_STRUCTURES } from './seeds';
import { startSandbox } from './server';

async function main(): Promise<void> {
  const config = loadConfig();
  const stateFile = process.env.CHORUS_SANDBOX_STATE_FILE?.trim() || undefined;
  const running = await startSandbox({
    stateFile: stateFile && path.resolve(stateFile),
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
    running.sandbox.persistence
      ? `  state kept in ${running.sandbox.persistence.file}: ${describeLoad(running.sandbox.persistence.loaded)}`
      : `  state in memory only (set CHORUS_SANDBOX_STATE_FILE to keep it across restarts)`,
  ];

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
  // Before the "listening" line: whoever waits for it may signal at once, and the state must then be saved.
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.stdout.write(`${lines.join('\n')}\n`);
}

function describeLoad(loaded: LoadOutcome): string {
  switch (loaded.kind) {
    case 'missing':
      return 'new file, starting from the seeds';
    case 'loaded':
      return `restored ${loaded.invoices} invoices, ${loaded.flows} flows, ${loaded.structures} structures (saved ${loaded.savedAt})`;
    case 'corrupt':
      return 'unusable file set aside, starting from the seeds';
  }
}

runMain(main, { label: 'Chorus Pro sandbox failed to start', exitOnError: true });
