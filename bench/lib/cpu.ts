/**
 * Where the machine's CPU went during a run (Linux /proc): the whole machine's busy time, this process and
 * every process it started (PostgreSQL, Temporal, worker, API, sandbox), so that the report can say how much
 * CPU other programs took meanwhile — a benchmark on a shared machine is only as good as that figure.
 */
import fs from 'node:fs';
import os from 'node:os';

const TICKS = 100;

/** Busy CPU seconds of the whole machine since boot (user+nice+system+irq+softirq+steal). */
export function machineBusySeconds(): number {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS;
  } catch {
    return NaN;
  }
}

interface Proc {
  pid: number;
  ppid: number;
  comm: string;
  /** utime + stime + cutime + cstime: its own CPU and that of its children it has reaped. */
  seconds: number;
}

function readAll(): Proc[] {
  const out: Proc[] = [];
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return out;
  }
  for (const e of entries) {
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.push({ pid: Number(e), ppid: Number(f[1]), comm, seconds: (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** CPU seconds of this process and all its descendants (living, plus the reaped ones), by command name. */
export function ownCpuByCommand(): Record<string, number> {
  const all = readAll();
  const children = new Map<number, Proc[]>();
  for (const p of all) {
    let list = children.get(p.ppid);
    if (!list) children.set(p.ppid, (list = []));
    list.push(p);
  }
  const result: Record<string, number> = {};
  const self = all.find((p) => p.pid === process.pid);
  const stack = self ? [self] : [];
  while (stack.length > 0) {
    const p = stack.pop()!;
    result[p.comm] = (result[p.comm] ?? 0) + p.seconds;
    stack.push(...(children.get(p.pid) ?? []));
  }
  return result;
}

export interface CpuWindow {
  seconds: number;
  cpus: number;
  machineBusy: number;
  ours: number;
  /** Share of the machine's capacity used by other programs during the window (0..1). */
  foreignShare: number;
  oursByCommand: Record<string, number>;
  loadAverageAtStart: number[];
}

export function cpuWindow(): () => CpuWindow {
  const t0 = Date.now();
  const busy0 = machineBusySeconds();
  const own0 = ownCpuByCommand();
  const load = os.loadavg().map((x) => Math.round(x * 100) / 100);
  return () => {
    const seconds = (Date.now() - t0) / 1000;
    const busy = machineBusySeconds() - busy0;
    const own1 = ownCpuByCommand();
    const oursByCommand: Record<string, number> = {};
    for (const [comm, s] of Object.entries(own1)) oursByCommand[comm] = Math.round((s - (own0[comm] ?? 0)) * 10) / 10;
    const ours = Object.values(oursByCommand).reduce((a, b) => a + b, 0);
    const cpus = os.availableParallelism?.() ?? os.cpus().length;
    return {
      seconds: Math.round(seconds * 10) / 10,
      cpus,
      machineBusy: Math.round(busy * 10) / 10,
      ours: Math.round(ours * 10) / 10,
      foreignShare: Math.max(0, Math.round(((busy - ours) / (seconds * cpus)) * 1000) / 1000),
      oursByCommand,
      loadAverageAtStart: load,
    };
  };
}

/**
 * A fixed piece of JavaScript work (JSON round trips), in ms: the same machine gives the same figure when it is
 * quiet, a larger one when a neighbour (or the hypervisor) takes the CPU. Printed next to the results.
 */
export function cpuSpeedProbeMs(): number {
  const sample = { lines: Array.from({ length: 200 }, (_, i) => ({ id: i, label: `ligne ${i}`, qty: i * 1.5, vat: '5.5' })) };
  const t = performance.now();
  for (let i = 0; i < 400; i++) JSON.parse(JSON.stringify(sample));
  return Math.round(performance.now() - t);
}
