/** The machine a run measured: what the PERFORMANCE section quotes next to the figures. */
import fs from 'node:fs';
import os from 'node:os';
import { versionOf } from '../../scripts/lib/temporal-cli';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  temporalCli: string;
  postgres: string;
}

export function describeMachine(temporalBinary: string, postgres: string): Machine {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    cpuModel = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpuModel;
  } catch {
    // not Linux
  }
  let temporalCli = 'unknown';
  try {
    temporalCli = versionOf(temporalBinary);
  } catch {
    // reported as unknown
  }
  return {
    cpus: os.availableParallelism?.() ?? os.cpus().length,
    cpuModel,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    temporalCli,
    postgres,
  };
}
