/**
 * `npm start`: the whole stack on one machine, data kept under DATA_DIR (.data) between runs.
 *   PostgreSQL (DATABASE_URL, or embedded on 5433) + migrations · Temporal dev server with its Web UI
 *   (SQLite file, search attributes, 30-day retention) · Chorus Pro sandbox · mail catcher (SMTP + web) ·
 *   the worker · the API.
 * Ctrl-C stops everything cleanly; a process that dies is reported and the rest is stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig, type Config } from '../config';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../db/embedded-postgres';
import { initOrm, migrate } from '../db/orm';
import { runMain, UserFacingError } from '../lib/main';
import { writeWorkflowBundle } from '../worker/bundle';
import { step, timed } from './lib/log';
import { assertPortFree } from './lib/ports';
import { DEMO_PRODUCER, requestLoginLink, seedDemoSpace } from './lib/space';
import { ensureTemporalCli, requireTemporalBinary } from './lib/temporal-cli';
import { startDevServer, stopChild, type DevServer } from './lib/temporal-server';
import { banner } from './lib/banner';
import { TEMPORAL_SERVER_VERSION, ensureTemporalServerTools, ensureTemporalUi, setupTemporalSchemas, startTemporalServer, temporalDatabaseOf } from './lib/temporal-topology';
import { mailCatcherCommand } from './lib/mail-catcher';

const root = path.resolve(__dirname, '..');
/** TypeScript entry points run in one process (`node --import tsx`), so signals reach them directly. */
const tsNode = (script: string): [string, string[]] => [process.execPath, ['--import', 'tsx', script]];

interface Service {
  name: string;
  child: ChildProcess;
}

/** Starts a child process whose output is prefixed with its name; resolves once `ready` matches a line. */
function startService(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, ready: RegExp, timeoutMs = 120_000): Promise<Service> {
  // Own process group: Ctrl-C reaches only this script, which stops the services in order (API and worker
  // first, while Temporal, PostgreSQL and the sandbox still answer, so in-flight work completes).
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new UserFacingError(`${name} did not start within ${timeoutMs / 1000} s.`)), timeoutMs);
    const onLine = (line: string) => {
      process.stdout.write(`[${name}] ${line}\n`);
      if (ready.test(line)) {
        clearTimeout(timer);
        resolve({ name, child });
      }
    };
    readline.createInterface({ input: child.stdout }).on('line', onLine);
    readline.createInterface({ input: child.stderr }).on('line', onLine);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new UserFacingError(`${name} exited during start (code ${code ?? 'null'}, signal ${signal ?? 'null'}); see its lines above.`));
    });
  });
}

/**
 * A sign-in link for the seeded producer, asked of the API as the platform does; on a fresh stack the producer,
 * two public buyers and two invoices "à traiter" are created first, so the link opens a space with work in it.
 */
async function producerSpaceLink(config: Config): Promise<string> {
  const api = `http://127.0.0.1:${config.PORT}`;
  try {
    let link = await requestLoginLink(api, config.AGRILOCAL_API_KEY, DEMO_PRODUCER);
    if ('error' in link && link.code === 'UNKNOWN_PRODUCER') {
      await seedDemoSpace(api, config.AGRILOCAL_API_KEY);
      link = await requestLoginLink(api, config.AGRILOCAL_API_KEY, DEMO_PRODUCER);
    }
    return 'error' in link ? `(no link: ${link.error})` : link.url;
  } catch (err) {
    return `(no link: ${(err as Error).message})`;
  }
}

/** The fixed ports of the stack must be free: a clear message instead of a half-started stack. */
async function assertPortsFree(config: Config, temporalPort: number): Promise<void> {
  const fixedPorts: [number, string][] = [
    [temporalPort, 'Temporal gRPC (TEMPORAL_ADDRESS)'],
    [config.TEMPORAL_UI_PORT, 'Temporal Web UI (TEMPORAL_UI_PORT)'],
    [config.PORT, 'API (PORT)'],
    [config.CHORUS_SANDBOX_PORT, 'Chorus sandbox (CHORUS_SANDBOX_PORT)'],
    [Number(new URL(config.SMTP_URL).port || 25), 'SMTP mail catcher (SMTP_URL)'],
    [config.MAIL_WEB_PORT, 'mail viewer (MAIL_WEB_PORT)'],
  ];
  if (!config.DATABASE_URL) fixedPorts.push([config.EMBEDDED_PG_PORT, 'embedded PostgreSQL (EMBEDDED_PG_PORT)']);
  for (const [port, what] of fixedPorts) await assertPortFree(port, what);
}

async function migrateDatabase(log: (m: string) => void, databaseUrl: string): Promise<void> {
  const orm = await initOrm(databaseUrl);
  const applied = await migrate(orm);
  await orm.close(true);
  log(`migrations: ${applied.length === 0 ? 'up to date' : `applied ${applied.join(', ')}`}`);
}

/**
 * Mail catcher, Chorus sandbox, worker and API, each in its own process, started in that order; each joins
 * `services` as soon as it runs, so a failure further on still stops it.
 */
async function startServices(config: Config, env: NodeJS.ProcessEnv, dataDir: string, services: Service[]): Promise<void> {
  fs.mkdirSync(path.join(dataDir, 'mail'), { recursive: true });
  services.push(await startService('mail', ...mailCatcherCommand(config, path.join(dataDir, 'mail')), env, /MailDev API running/));
  services.push(await startService('sandbox', ...tsNode('chorus-sandbox/main.ts'), { ...env, CHORUS_SANDBOX_STATE_FILE: path.join(dataDir, 'chorus-sandbox.json') }, /listening/i));
  services.push(await startService('worker', ...tsNode('worker/main.ts'), env, /polling task queue/));
  services.push(await startService('api', ...tsNode('api/main.ts'), env, /listening/i));
}

/** `npm start -- --temporal server`: the Temporal server on PostgreSQL instead of the CLI dev server. */
function temporalTopology(args: string[]): 'dev' | 'server' {
  const i = args.findIndex((a) => a === '--temporal' || a.startsWith('--temporal='));
  if (i < 0) return 'dev';
  const value = args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
  if (value !== 'dev' && value !== 'server') throw new UserFacingError('--temporal takes dev (CLI dev server on SQLite, the default) or server (Temporal server on PostgreSQL).');
  return value;
}

/**
 * The production topology: the Temporal server's two databases on the same PostgreSQL (the embedded one or
 * DATABASE_URL's server), set up by deploy/temporal/setup-schema.sh, the server on deploy/temporal/config and the
 * UI server on TEMPORAL_UI_PORT.
 */
async function startServerTopology(config: Config, databaseUrl: string, port: number, dataDir: string): Promise<DevServer> {
  const log = step('temporal-server');
  const tools = ensureTemporalServerTools(log);
  const ui = ensureTemporalUi(log);
  const db = temporalDatabaseOf(databaseUrl);
  setupTemporalSchemas(tools, db, log);
  return startTemporalServer({
    tools,
    db,
    port,
    fixedPorts: true,
    namespace: config.TEMPORAL_NAMESPACE,
    retentionHours: 30 * 24,
    logFile: path.join(dataDir, 'temporal-server', 'server.log'),
    ...(ui ? { ui: { binary: ui, port: config.TEMPORAL_UI_PORT } } : {}),
    detached: true,
  });
}

async function main(): Promise<void> {
  const log = step('start');
  const config = loadConfig();
  const dataDir = path.resolve(config.DATA_DIR);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o755 });

  const topology = temporalTopology(process.argv.slice(2));
  const binary = requireTemporalBinary(ensureTemporalCli(step('temporal-cli')));
  const temporalPort = Number(config.TEMPORAL_ADDRESS.split(':').pop());
  await assertPortsFree(config, temporalPort);

  const services: Service[] = [];
  let pg: EmbeddedPostgresHandle | undefined;
  let temporal: DevServer | undefined;
  let stopping = false;

  const stopAll = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log('stopping…');
    // API and worker first (they drain), then what they use.
    for (const s of [...services].reverse()) await stopChild(s.child);
    await temporal?.stop();
    await pg?.stop();
    log('stopped');
  };
  const onSignal = () => {
    void stopAll().then(() => process.exit(0));
  };
  // Ctrl-C reaches every process of the terminal's group at once: repeated signals are ignored while stopping.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let databaseUrl = config.DATABASE_URL;
    if (!databaseUrl) {
      pg = await timed(log, `embedded PostgreSQL on ${config.EMBEDDED_PG_PORT}`, () =>
        startEmbeddedPostgres({ dataDir: path.join(dataDir, 'postgres'), port: config.EMBEDDED_PG_PORT, database: 'agrilocal' }),
      );
      databaseUrl = pg.url;
    }
    await migrateDatabase(log, databaseUrl);

    temporal = await timed(log, topology === 'server' ? `Temporal server ${TEMPORAL_SERVER_VERSION} on PostgreSQL` : 'Temporal dev server', () =>
      topology === 'server' ? startServerTopology(config, databaseUrl, temporalPort, dataDir) : startDevServer({
        binary,
        port: temporalPort,
        uiPort: config.TEMPORAL_UI_PORT,
        dbFile: path.join(dataDir, 'temporal', 'dev.sqlite'),
        namespace: config.TEMPORAL_NAMESPACE,
        retentionHours: 30 * 24,
        logFile: path.join(dataDir, 'temporal', 'server.log'),
        detached: true,
      }),
    );
    const bundle = await timed(log, 'workflow bundle', () => writeWorkflowBundle(path.join(dataDir, 'workflow-bundle.js')));

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      WORKFLOW_BUNDLE_PATH: bundle,
    };
    await startServices(config, env, dataDir, services);
    for (const s of services) {
      s.child.once('exit', (code, signal) => {
        if (stopping) return;
        process.stderr.write(`\n[start] ${s.name} exited (code ${code ?? 'null'}, signal ${signal ?? 'null'}): stopping the stack.\n`);
        void stopAll().then(() => process.exit(1));
      });
    }
    temporal.process.once('exit', () => {
      if (!stopping) void stopAll().then(() => process.exit(1));
    });
    process.stdout.write(banner(config, databaseUrl, temporal, await producerSpaceLink(config)));
  } catch (error) {
    await stopAll();
    throw error;
  }
}

runMain(main);
