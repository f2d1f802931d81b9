/**
 * A TypeScript service run as its own Node process (`node --import tsx <script>`: the pid is the program
 * itself, so a SIGKILL really kills the worker), restartable, with its output in a log file and its memory and
 * CPU sampled from /proc while it lives (VmHWM = peak resident set size of one incarnation).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { UserFacingError } from '../../lib/main';

const ROOT = path.resolve(__dirname, '../..');
const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

export interface ProcSample {
  /** ms since the epoch */
  t: number;
  rssMb: number;
}

interface ProcStat {
  rssMb: number;
  hwmMb: number;
  cpuSeconds: number;
}

/** Memory and CPU of a pid from /proc (Linux); undefined elsewhere or once it is gone. */
export function readProc(pid: number | undefined): ProcStat | undefined {
  if (!pid) return undefined;
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024, cpuSeconds: ticks / CLOCK_TICKS };
  } catch {
    return undefined;
  }
}

export interface ManagedProcessOptions {
  name: string;
  /** TypeScript entry, relative to the repository root. */
  script: string;
  env: NodeJS.ProcessEnv;
  /** Extra node options before the script (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** A line of its output that says it is ready, or a check polled until it answers true. */
  ready: RegExp | (() => Promise<boolean>);
  logFile: string;
  startTimeoutMs?: number;
}

/** A signal to the process group of a child spawned `detached` (its pgid is its pid); to the child alone if that fails. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/** One long-lived child process that the bench may kill and start again. */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private readonly log: fs.WriteStream;
  private expectedExit = false;
  /** Peak RSS over every incarnation (MB). */
  peakRssMb = 0;
  /** CPU seconds (user + system) over every incarnation. */
  private cpuDone = 0;
  private cpuCurrent = 0;
  readonly samples: ProcSample[] = [];
  starts = 0;
  /** Exits nobody asked for (crashes). */
  unexpectedExits: { at: number; code: number | null; signal: string | null }[] = [];
  onUnexpectedExit: ((code: number | null, signal: string | null) => void) | undefined;

  constructor(readonly options: ManagedProcessOptions) {
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    this.log = fs.createWriteStream(options.logFile, { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  get cpuSeconds(): number {
    return this.cpuDone + this.cpuCurrent;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.options.name} is already running`);
    const { name, script, env, ready, startTimeoutMs = 120_000 } = this.options;
    this.starts += 1;
    this.expectedExit = false;
    this.cpuCurrent = 0;
    this.log.write(`\n===== ${new Date().toISOString()} start #${this.starts} =====\n`);
    // Its own process group (pgid = pid): a kill reaches it and anything it started (`kill -- -pgid`), and a
    // terminal's Ctrl-C reaches only the bench, which stops the stack in order.
    const child = spawn(process.execPath, [...(this.options.nodeArgs ?? []), '--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.on('error', (error) => this.log.write(`spawn error: ${error.message}\n`));
    this.child = child;
    this.sampler = setInterval(() => this.sample(), 500);
    this.sampler.unref();
    const tail: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        reject(new UserFacingError(`${name} did not start within ${startTimeoutMs / 1000} s (log: ${this.options.logFile}).`));
      }, startTimeoutMs);
      const done = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve();
      };
      const onLine = (line: string) => {
        this.log.write(`${line}\n`);
        if (!settled) {
          tail.push(line);
          if (tail.length > 20) tail.shift();
          if (ready instanceof RegExp && ready.test(line)) done();
        }
      };
      if (typeof ready === 'function') {
        const probe = async () => {
          while (!settled) {
            if (await ready().catch(() => false)) return done();
            await new Promise((r) => setTimeout(r, 200));
          }
        };
        void probe();
      }
      readline.createInterface({ input: child.stdout }).on('line', onLine);
      readline.createInterface({ input: child.stderr }).on('line', onLine);
      child.once('exit', (code, signal) => {
        this.sample();
        this.cpuDone += this.cpuCurrent;
        this.cpuCurrent = 0;
        if (this.sampler) clearInterval(this.sampler);
        this.log.write(`===== ${new Date().toISOString()} exit code=${code ?? 'null'} signal=${signal ?? 'null'} =====\n`);
        if (!settled) {
          settled = true;
          clearTimeout(timer);
          reject(new UserFacingError(`${name} exited during start (code ${code ?? 'null'}, signal ${signal ?? 'null'}):\n  ${tail.join('\n  ')}`));
          return;
        }
        if (!this.expectedExit) {
          this.unexpectedExits.push({ at: Date.now(), code, signal });
          this.onUnexpectedExit?.(code, signal);
        }
      });
    });
    this.sample();
  }

  private sample(): void {
    const stat = readProc(this.child?.pid);
    if (!stat) return;
    this.peakRssMb = Math.max(this.peakRssMb, stat.hwmMb);
    this.cpuCurrent = stat.cpuSeconds;
    this.samples.push({ t: Date.now(), rssMb: Math.round(stat.rssMb * 10) / 10 });
  }

  /** kill -9, as a crash would; resolves once the process is gone. */
  async kill9(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    this.sample();
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGKILL');
    await gone;
  }

  /** Graceful stop (SIGTERM), SIGKILL after the grace time. */
  async stop(graceMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    this.expectedExit = true;
    this.sample();
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  /** Last resort when the bench itself dies: SIGKILL to the whole group, synchronously (usable in 'exit'). */
  killNow(): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, 'SIGKILL'); // even if the leader is gone, what it started may not be
    } catch {
      // no such group
    }
  }

  close(): void {
    this.log.end();
  }
}
