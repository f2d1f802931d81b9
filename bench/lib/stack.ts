/**
 * One isolated stack per bench or drill run: a temporary folder, an ephemeral embedded PostgreSQL, a Temporal
 * dev server on a SQLite file (so it can be restarted), the workflow bundle, an SMTP sink in this process, and
 * the Chorus sandbox, the worker and the API as their own processes — every port asked of the kernel, never the
 * fixed ports of `npm start`. Everything is stopped and the folder deleted by `stop()` (unless kept).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { Pool } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../db/embedded-postgres';
import { initOrm, migrate } from '../../db/orm';
import { WORKER_QUEUE_KINDS } from '../../config';
import { writeWorkflowBundle } from '../../worker/bundle';
import { freePort } from '../../scripts/lib/ports';
import { ensureTemporalCli, requireTemporalBinary } from '../../scripts/lib/temporal-cli';
import { startDevServer, type DevServer } from '../../scripts/lib/temporal-server';
import { TEMPORAL_SERVER_VERSION, ensureTemporalServerTools, setupTemporalSchemas, startTemporalServer, temporalDatabaseOf } from '../../scripts/lib/temporal-topology';
import { ManagedProcess, readProc, type ProcSample } from './proc';
import { startSmtpSink, type SmtpSink } from './smtp-sink';

export interface StackOptions {
  /** Worker/API environment: the durations (FLOW_POLL_INTERVAL…) and anything else to pass. */
  env: Record<string, string>;
  logLevel: string;
  /** Worker processes on the task queue (npm start runs one). */
  workers: number;
  /** API processes (each on its own port; the load goes round-robin over them). Default 1. */
  apis?: number;
  /**
   * The Factur-X renderings in a worker process of their own (WORKER_QUEUES=documents, the others without it), as
   * docker-compose.yml deploys them; false: every queue in each worker process, as `npm start` runs it.
   */
  documentsProcess?: boolean;
  /** Extra environment of the worker processes only (e.g. NODE_OPTIONS). */
  workerEnv?: Record<string, string>;
  /** Write V8 CPU profiles of the worker and API processes here (node --cpu-prof; written when they stop). */
  cpuProfileDir?: string;
  /** Keep the temporary folder (logs, databases) after the run. */
  keep: boolean;
  /** `dev`: the CLI dev server on SQLite (default); `server`: the Temporal server on PostgreSQL (production topology). */
  temporal?: 'dev' | 'server';
  log: (message: string) => void;
}

/** The Temporal dev server or server, restartable on the same port (and SQLite file, or PostgreSQL databases). */
export class TemporalServer {
  private server: DevServer | undefined;
  peakRssMb = 0;
  private cpuDone = 0;
  private cpuCurrent = 0;
  readonly samples: ProcSample[] = [];
  private readonly sampler: NodeJS.Timeout;
  restarts = 0;

  constructor(
    readonly port: number,
    private readonly launch: (port: number) => Promise<DevServer>,
    /** What runs: the CLI dev server on a SQLite file, or the Temporal server on PostgreSQL. */
    readonly kind: 'dev' | 'server',
  ) {
    this.sampler = setInterval(() => this.sample(), 500);
    this.sampler.unref();
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get cpuSeconds(): number {
    return this.cpuDone + this.cpuCurrent;
  }

  private sample(): void {
    const stat = readProc(this.server?.process.pid);
    if (!stat) return;
    this.peakRssMb = Math.max(this.peakRssMb, stat.hwmMb);
    this.cpuCurrent = stat.cpuSeconds;
    this.samples.push({ t: Date.now(), rssMb: Math.round(stat.rssMb * 10) / 10 });
  }

  async start(): Promise<void> {
    this.cpuCurrent = 0;
    this.server = await this.launch(this.port);
  }

  /** Last resort when the bench itself dies: SIGKILL to its process group, synchronously. */
  killNow(): void {
    const pid = this.server?.process.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }

  /** Stops (SIGTERM) and starts again on the same port and file: workflows, timers and tasks survive. */
  async restart(): Promise<void> {
    await this.stop();
    this.restarts += 1;
    await this.start();
  }

  async stop(): Promise<void> {
    this.sample();
    this.cpuDone += this.cpuCurrent;
    this.cpuCurrent = 0;
    await this.server?.stop();
    this.server = undefined;
  }

  close(): void {
    clearInterval(this.sampler);
  }
}

async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
  return res.ok;
}

export class Stack {
  client!: Client;
  private connection!: Connection;
  pool!: Pool;
  apiUrl = '';
  /** Every API process's URL (`--apis N`); the load spreads its calls over them, round-robin. */
  apiUrls: string[] = [];
  apis: ManagedProcess[] = [];
  sandboxUrl = '';
  smtp!: SmtpSink;
  workers: ManagedProcess[] = [];
  /** The first API process. */
  get api(): ManagedProcess {
    return this.apis[0]!;
  }
  sandbox!: ManagedProcess;
  temporal!: TemporalServer;
  temporalBinary = '';
  databaseUrl = '';
  bundlePath = '';
  workerEnv: NodeJS.ProcessEnv = {};
  /** The documents worker (StackOptions.documentsProcess), if it runs apart. */
  documents: ManagedProcess | undefined;
  /** Other processes started on this stack (the baseline worker): stopped with it. */
  extraProcesses: ManagedProcess[] = [];
  pg: EmbeddedPostgresHandle | undefined;
  private stopped = false;

  private constructor(
    readonly workDir: string,
    private readonly options: StackOptions,
  ) {}

  static async start(options: StackOptions): Promise<Stack> {
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agrilocal-bench-'));
    fs.chmodSync(workDir, 0o755);
    const stack = new Stack(workDir, options);
    guardCrashes(stack);
    try {
      await stack.boot();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /**
   * Synchronous last resort (process 'exit', or after a crash whose orderly stop did not finish): SIGKILL to every
   * process group it started, immediate shutdown of PostgreSQL, the temporary folder removed (unless kept).
   */
  killNow(): void {
    for (const p of [...this.extraProcesses, ...this.apis, ...this.workerProcesses, this.sandbox]) p?.killNow();
    this.temporal?.killNow();
    this.pg?.killNow();
    if (!this.options.keep) fs.rmSync(this.workDir, { recursive: true, force: true });
    this.stopped = true;
  }

  private async boot(): Promise<void> {
    const { log, env, logLevel } = this.options;
    const quiet = () => undefined;
    this.temporalBinary = requireTemporalBinary(ensureTemporalCli(quiet));

    let t = Date.now();
    const pgPort = await freePort();
    this.pg = await startEmbeddedPostgres({ dataDir: path.join(this.workDir, 'pg'), port: pgPort, database: 'agrilocal_bench', ephemeral: true });
    this.databaseUrl = this.pg.url;
    const orm = await initOrm(this.databaseUrl);
    await migrate(orm);
    await orm.close(true);
    this.pool = new Pool({ connectionString: this.databaseUrl, max: 4 });
    // An idle connection cut by a PostgreSQL restart is an 'error' event: without a listener it kills the drill.
    this.pool.on('error', () => undefined);
    log(`PostgreSQL on ${pgPort} (${((Date.now() - t) / 1000).toFixed(1)} s)`);

    t = Date.now();
    const temporalLog = path.join(this.workDir, 'temporal.log');
    if (this.options.temporal === 'server') {
      // The production topology: the Temporal server on its own two databases of this PostgreSQL.
      const tools = ensureTemporalServerTools(quiet);
      const db = temporalDatabaseOf(this.databaseUrl);
      setupTemporalSchemas(tools, db, quiet);
      this.temporal = new TemporalServer(await freePort(), (port) => startTemporalServer({ tools, db, port, logFile: temporalLog, detached: true }), 'server');
    } else {
      const dbFile = path.join(this.workDir, 'temporal.sqlite');
      this.temporal = new TemporalServer(await freePort(), (port) => startDevServer({ binary: this.temporalBinary, port, dbFile, logFile: temporalLog, detached: true }), 'dev');
    }
    await this.temporal.start();
    this.connection = await Connection.connect({ address: this.temporal.address });
    this.client = new Client({ connection: this.connection, namespace: 'default' });
    log(
      this.temporal.kind === 'server'
        ? `Temporal server ${TEMPORAL_SERVER_VERSION} on ${this.temporal.address}, PostgreSQL databases temporal + temporal_visibility (${((Date.now() - t) / 1000).toFixed(1)} s)`
        : `Temporal dev server on ${this.temporal.address}, SQLite file (${((Date.now() - t) / 1000).toFixed(1)} s)`,
    );

    t = Date.now();
    this.bundlePath = await writeWorkflowBundle(path.join(this.workDir, 'workflow-bundle.js'));
    log(`workflow bundle (${((Date.now() - t) / 1000).toFixed(1)} s)`);

    this.smtp = await startSmtpSink();
    const sandboxPort = await freePort();
    this.sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    const apiPorts = await Promise.all(Array.from({ length: this.options.apis ?? 1 }, () => freePort()));
    this.apiUrls = apiPorts.map((port) => `http://127.0.0.1:${port}`);
    this.apiUrl = this.apiUrls[0]!;
    const apiPort = apiPorts[0]!;

    const common: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: logLevel,
      DATABASE_URL: this.databaseUrl,
      TEMPORAL_ADDRESS: this.temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: 'invoices',
      TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'false',
      CHORUS_API_URL: this.sandboxUrl,
      CHORUS_OAUTH_URL: `${this.sandboxUrl}/api/oauth/token`,
      CHORUS_SANDBOX_PORT: String(sandboxPort),
      CHORUS_SANDBOX_HOST: '127.0.0.1',
      SMTP_URL: this.smtp.url,
      PORT: String(apiPort),
      API_HOST: '127.0.0.1',
      PUBLIC_APP_URL: this.apiUrl,
      WORKFLOW_BUNDLE_PATH: this.bundlePath,
      ...env,
    };
    this.workerEnv = common;
    const profiled = this.options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${this.options.cpuProfileDir}`] : [];
    const logs = path.join(this.workDir, 'logs');
    const apart = this.options.documentsProcess ?? false;
    this.sandbox = new ManagedProcess({ name: 'sandbox', script: 'chorus-sandbox/main.ts', env: common, ready: /listening/i, logFile: path.join(logs, 'sandbox.log') });
    this.workers = Array.from(
      { length: this.options.workers },
      (_, i) =>
        new ManagedProcess({
          name: this.options.workers > 1 ? `worker ${i + 1}` : 'worker',
          script: 'worker/main.ts',
          env: { ...common, ...(apart ? { WORKER_QUEUES: WORKER_QUEUE_KINDS.filter((k) => k !== 'documents').join(',') } : {}), ...this.options.workerEnv },
          nodeArgs: profiled,
          ready: /polling task queue/,
          logFile: path.join(logs, this.options.workers > 1 ? `worker-${i + 1}.log` : 'worker.log'),
        }),
    );
    if (apart) {
      this.documents = new ManagedProcess({
        name: 'documents worker',
        script: 'worker/main.ts',
        env: { ...common, WORKER_QUEUES: 'documents', ...this.options.workerEnv },
        nodeArgs: profiled,
        ready: /polling task queue/,
        logFile: path.join(logs, 'documents-worker.log'),
      });
    }
    const several = this.apiUrls.length > 1;
    this.apis = this.apiUrls.map(
      (url, i) =>
        new ManagedProcess({
          name: several ? `api ${i + 1}` : 'api',
          script: 'api/main.ts',
          env: { ...common, PORT: String(apiPorts[i]) },
          nodeArgs: profiled,
          ready: () => httpOk(`${url}/healthz`),
          logFile: path.join(logs, several ? `api-${i + 1}.log` : 'api.log'),
        }),
    );
    t = Date.now();
    await Promise.all([this.sandbox.start(), ...this.workers.map((w) => w.start()), this.documents?.start(), ...this.apis.map((a) => a.start())]);
    log(`sandbox ${this.sandboxUrl}, worker pid ${this.workers.map((w) => w.pid).join(', ')}${this.documents ? `, documents worker pid ${this.documents.pid}` : ''}, API ${this.apis.map((a, i) => `${this.apiUrls[i]} pid ${a.pid}`).join(', ')} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  }

  /** Every worker process: the workflow workers, then the documents worker when it runs apart. */
  get workerProcesses(): ManagedProcess[] {
    return this.documents ? [...this.workers, this.documents] : this.workers;
  }

  /** The workflow workers' figures together (the documents worker is reported apart): peak RSS of the largest, CPU of all. */
  get workerFigures(): { peakRssMb: number; cpuSeconds: number } {
    return { peakRssMb: Math.max(0, ...this.workers.map((w) => w.peakRssMb)), cpuSeconds: this.workers.reduce((a, w) => a + w.cpuSeconds, 0) };
  }

  /** A control route of the Chorus sandbox. */
  async sandboxControl<T = unknown>(method: string, route: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.sandboxUrl}/sandbox/v1${route}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`sandbox ${method} ${route}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    live.delete(this);
    const attempt = async (what: string, run: () => Promise<unknown> | undefined) => {
      try {
        await run();
      } catch (error) {
        this.options.log(`stopping ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    await attempt('extra', () => Promise.all(this.extraProcesses.map((p) => p.stop())));
    await attempt('api', () => Promise.all(this.apis.map((a) => a.stop())));
    await attempt('worker', () => Promise.all(this.workerProcesses.map((w) => w.stop())));
    await attempt('sandbox', () => this.sandbox?.stop());
    for (const p of [...this.apis, ...this.workerProcesses, this.sandbox]) p?.close();
    await attempt('temporal client', () => this.connection?.close());
    await attempt('temporal', () => this.temporal?.stop());
    this.temporal?.close();
    await attempt('smtp', () => this.smtp?.close());
    await attempt('pool', () => this.pool?.end());
    await attempt('postgres', () => this.pg?.stop());
    if (this.options.keep) {
      this.options.log(`kept ${this.workDir} (logs/, temporal.sqlite, temporal.log)`);
    } else {
      fs.rmSync(this.workDir, { recursive: true, force: true });
    }
  }
}

const live = new Set<Stack>();
let guardsInstalled = false;
let crashing = false;
let interruptedBySignal = false;

/**
 * A crash of the bench or the drill itself (an uncaught exception, an unhandled rejection) must not leave
 * PostgreSQL, Temporal, the sandbox, workers or the API running, nor the temporary folder: the reason is printed,
 * every live stack is stopped (30 s at most, then killed), and the process exits 1. A plain exit with a stack
 * still up (process.exit somewhere) kills what is left, synchronously.
 */
function guardCrashes(stack: Stack): void {
  live.add(stack);
  if (guardsInstalled) return;
  guardsInstalled = true;
  const onCrash = (error: unknown) => {
    if (interruptedBySignal) return; // calls in flight fail as their servers go away: expected then
    if (crashing) return;
    crashing = true;
    const who = path.basename(process.argv[1] ?? 'bench', '.ts');
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`\n[${who}] crashed: ${reason}\n[${who}] stopping every process it started…\n`);
    const stacks = [...live];
    const orderly = Promise.all(stacks.map((s) => s.stop().catch(() => undefined)));
    const deadline = new Promise((r) => setTimeout(r, 30_000).unref());
    void Promise.race([orderly, deadline]).finally(() => {
      for (const s of stacks) s.killNow();
      process.stderr.write(`[${who}] stopped; exiting 1 (crash: ${error instanceof Error ? error.message : String(error)})\n`);
      process.exit(1);
    });
  };
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', () => {
    for (const s of live) if (!s.isStopped) s.killNow();
  });
}

/**
 * Ctrl-C or SIGTERM during a run stops the stack (no stray servers left behind) and exits 130. Returns `detach`,
 * for the end of the run: it removes the handlers and says whether the run was interrupted (the stack is then
 * already stopping).
 */
export function stopOnSignal(stack: Stack, who: string): () => { interrupted: boolean } {
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    interruptedBySignal = true;
    process.stderr.write(`\n[${who}] interrupted: stopping the stack…\n`);
    void stack.stop().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return { interrupted };
  };
}
