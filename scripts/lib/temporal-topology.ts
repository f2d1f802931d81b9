/**
 * The production-like Temporal topology without Docker: the real Temporal server 1.29.1 (the one inside CLI 1.5.1)
 * on PostgreSQL, its persistence and visibility schemas set up by deploy/temporal/setup-schema.sh (the same script
 * docker-compose.yml runs), started with deploy/temporal/config/production.yaml, plus the Temporal UI server
 * (`ui-server` 2.42.1) against it.
 *
 * The binaries are built once with `go install` (CGO_ENABLED=0) into the tools cache, like the CLI
 * (temporal-cli.ts), with the schema files copied from the module next to them:
 *   <tools>/temporal-server-1.29.1/{server, sql, schema/postgresql/v12/...}   <tools>/temporal-ui-2.42.1/server
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import Long from 'long';
import { ensureNamespaceReady } from '../../config/temporal';
import { UserFacingError } from '../../lib/main';
import { INVOICE_SEARCH_ATTRIBUTES } from '../../worker/search-attributes';
import { freePort } from './ports';
import { stopChild, type DevServer } from './temporal-server';
import { toolsDir } from './tools';

export const TEMPORAL_SERVER_VERSION = '1.29.1';
export const TEMPORAL_UI_VERSION = '2.42.1';
const ROOT = path.resolve(__dirname, '../..');
export const TEMPORAL_CONFIG_DIR = path.join(ROOT, 'deploy', 'temporal');

export interface ServerTools {
  server: string;
  sqlTool: string;
  /** schema/postgresql/v12 of the module: temporal/ and visibility/. */
  schemaDir: string;
}

function goBinary(): string {
  const which = spawnSync('sh', ['-c', 'command -v go'], { encoding: 'utf8' });
  const go = which.status === 0 ? which.stdout.trim() : '';
  if (!go) throw new UserFacingError('The Temporal server topology needs Go (to build the server once into the tools cache): install Go 1.25+.');
  return go;
}

function goInstall(log: (m: string) => void, dir: string, packages: string[]): void {
  const go = goBinary();
  fs.mkdirSync(dir, { recursive: true });
  log(`building ${packages.join(' ')} with go install into ${dir} (first time only; ~15 min on 2 cores)...`);
  const started = Date.now();
  try {
    execFileSync(go, ['install', '-tags', 'disable_grpc_modules', ...packages], {
      stdio: 'inherit',
      env: { ...process.env, CGO_ENABLED: '0', GOBIN: dir, GOFLAGS: '-mod=mod' },
    });
  } catch {
    throw new UserFacingError(`go install of ${packages.join(' ')} failed (see the Go output above): make the Go module proxy reachable.`);
  }
  log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** The Temporal server and its SQL tool, built if missing, with the module's PostgreSQL schema files. */
export function ensureTemporalServerTools(log: (m: string) => void): ServerTools {
  const dir = path.join(toolsDir(), `temporal-server-${TEMPORAL_SERVER_VERSION}`);
  const tools = { server: path.join(dir, 'server'), sqlTool: path.join(dir, 'sql'), schemaDir: path.join(dir, 'schema', 'postgresql', 'v12') };
  const module = `go.temporal.io/server@v${TEMPORAL_SERVER_VERSION}`;
  if (!fs.existsSync(tools.server) || !fs.existsSync(tools.sqlTool)) {
    goInstall(log, dir, [`go.temporal.io/server/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `go.temporal.io/server/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`]);
  }
  if (!fs.existsSync(path.join(tools.schemaDir, 'visibility', 'versioned'))) {
    const modCache = execFileSync(goBinary(), ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
    const source = path.join(modCache, module, 'schema', 'postgresql', 'v12');
    if (!fs.existsSync(source)) execFileSync(goBinary(), ['mod', 'download', module], { stdio: 'inherit' });
    fs.cpSync(source, tools.schemaDir, { recursive: true });
    // The module cache is read-only: the copy must not be, or the next copy over it fails.
    execFileSync('chmod', ['-R', 'u+w', tools.schemaDir]);
  }
  log(`using Temporal server ${TEMPORAL_SERVER_VERSION} (${dir})`);
  return tools;
}

/** The Temporal UI server (`ui-server`, the UI the CLI embeds), built if missing; undefined without Go. */
export function ensureTemporalUi(log: (m: string) => void): string | undefined {
  const binary = path.join(toolsDir(), `temporal-ui-${TEMPORAL_UI_VERSION}`, 'server');
  if (fs.existsSync(binary)) return binary;
  goInstall(log, path.dirname(binary), [`github.com/temporalio/ui-server/v2/cmd/server@v${TEMPORAL_UI_VERSION}`]);
  return binary;
}

export interface TemporalDatabase {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The server, port and credentials of a postgres:// URL (the Temporal databases live on the same server). */
export function temporalDatabaseOf(databaseUrl: string): TemporalDatabase {
  const u = new URL(databaseUrl);
  return { host: u.hostname, port: Number(u.port || 5432), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) };
}

/** deploy/temporal/setup-schema.sh: creates or upgrades the `temporal` and `temporal_visibility` databases. */
export function setupTemporalSchemas(tools: ServerTools, db: TemporalDatabase, log: (m: string) => void): void {
  const result = spawnSync('sh', [path.join(TEMPORAL_CONFIG_DIR, 'setup-schema.sh')], {
    encoding: 'utf8',
    env: {
      ...process.env,
      SQL_TOOL: tools.sqlTool,
      SCHEMA_DIR: tools.schemaDir,
      SQL_HOST: db.host,
      SQL_PORT: String(db.port),
      SQL_USER: db.user,
      SQL_PASSWORD: db.password,
    },
  });
  if (result.status !== 0) {
    throw new UserFacingError(`Temporal schema setup failed:\n${result.stdout}\n${result.stderr}`);
  }
  for (const line of result.stdout.split('\n')) if (line.startsWith('temporal schema:')) log(line);
}

export interface TemporalServerOptions {
  tools: ServerTools;
  db: TemporalDatabase;
  /** Frontend gRPC port; the other services' ports are asked of the kernel unless `fixedPorts`. */
  port: number;
  /** The config's default ports (7234, 7235, 7239, 69xx, 8000) instead of free ones: `npm start`. */
  fixedPorts?: boolean;
  namespace?: string;
  retentionHours?: number;
  logFile: string;
  /** UI server binary and port: omitted = headless. */
  ui?: { binary: string; port: number };
  detached?: boolean;
}

/** The gRPC address answers, the namespace exists (registered if missing) and has our search attributes. */
async function waitReady(address: string, namespace: string, retentionHours: number, exited: () => string | undefined, logFile: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const gone = exited();
    if (gone) throw new UserFacingError(`The Temporal server ${gone} at start. See ${logFile}.`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        try {
          await connection.workflowService.describeNamespace({ namespace });
        } catch {
          await connection.workflowService
            .registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(retentionHours * 3600) } })
            .catch(() => undefined); // already registered by a concurrent attempt: the describe below decides
          throw new Error(`namespace ${namespace} registered, waiting for it to be served`);
        }
        await ensureNamespaceReady(connection, namespace, INVOICE_SEARCH_ATTRIBUTES, retentionHours);
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      if (Date.now() > deadline) throw new UserFacingError(`The Temporal server did not get ready on ${address} within 120 s: ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** A free port between 20000 and 32767 (tried at random, bound then released). */
async function freeLowPort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_768);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(candidate, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return candidate;
  }
  throw new Error('no free port below 32768');
}

/** Starts the Temporal server (and the UI if asked) on the schemas set up on `db`; resolves once it serves. */
export async function startTemporalServer(options: TemporalServerOptions): Promise<DevServer> {
  const namespace = options.namespace ?? 'default';
  const port = async (fixed: number) => (options.fixedPorts ? fixed : freePort());
  // Membership ports are stored in a smallint column (cluster_membership.rpc_port): below 32768, unlike the
  // kernel's ephemeral ports.
  const membershipPort = async (fixed: number) => (options.fixedPorts ? fixed : freeLowPort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    POSTGRES_SEEDS: options.db.host,
    DB_PORT: String(options.db.port),
    POSTGRES_USER: options.db.user,
    POSTGRES_PWD: options.db.password,
    FRONTEND_GRPC_PORT: String(options.port),
    FRONTEND_MEMBERSHIP_PORT: String(await membershipPort(6933)),
    FRONTEND_HTTP_PORT: String(await port(7243)),
    HISTORY_GRPC_PORT: String(await port(7234)),
    HISTORY_MEMBERSHIP_PORT: String(await membershipPort(6934)),
    MATCHING_GRPC_PORT: String(await port(7235)),
    MATCHING_MEMBERSHIP_PORT: String(await membershipPort(6935)),
    WORKER_GRPC_PORT: String(await port(7239)),
    WORKER_MEMBERSHIP_PORT: String(await membershipPort(6939)),
    PROMETHEUS_PORT: String(await port(8000)),
    DYNAMIC_CONFIG_FILE_PATH: path.join(TEMPORAL_CONFIG_DIR, 'dynamicconfig.yaml'),
  };
  fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
  const out = fs.openSync(options.logFile, 'a');
  const args = ['--root', TEMPORAL_CONFIG_DIR, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'];
  const child = spawn(options.tools.server, args, { cwd: ROOT, env, stdio: ['ignore', out, out], detached: options.detached ?? false });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited (code ${code ?? 'null'}, signal ${signal ?? 'null'})`;
  });
  const address = `127.0.0.1:${options.port}`;
  try {
    await waitReady(address, namespace, options.retentionHours ?? 30 * 24, () => exited, options.logFile);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  let ui: ChildProcess | undefined;
  if (options.ui) {
    ui = spawn(options.ui.binary, ['--root', path.join(TEMPORAL_CONFIG_DIR, 'ui'), '--config', 'config', '--env', 'production', 'start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: address,
        TEMPORAL_UI_PORT: String(options.ui.port),
        TEMPORAL_UI_ORIGIN: `http://127.0.0.1:${options.ui.port}`,
        TEMPORAL_DEFAULT_NAMESPACE: namespace,
      },
      stdio: ['ignore', out, out],
      detached: options.detached ?? false,
    });
  }
  return {
    address,
    ...(options.ui ? { uiUrl: `http://127.0.0.1:${options.ui.port}` } : {}),
    process: child,
    stop: async () => {
      if (ui) await stopChild(ui);
      await stopChild(child, 20_000);
    },
  };
}
