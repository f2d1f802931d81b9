/**
 * A real worker process (`worker/main.ts`) on a test stack's task queues, for the tests that kill one or that run
 * the task queues in processes of their own (WORKER_QUEUES).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { TestStack } from './stack';

export interface WorkerProcess {
  child: ChildProcess;
  /** What the process printed before it polled: its banner names the task queues it polls. */
  banner: string;
}

export function startWorkerProcess(stack: TestStack, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const root = path.resolve(__dirname, '../..');
  // `node --import tsx` keeps the worker in one process, so SIGKILL kills the worker itself (the `tsx` CLI
  // would run it in a child that outlives its parent).
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { cwd: root, env: { ...stack.workerProcessEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('polling task queue')) resolve({ child, banner: output });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before polling:\n${output}`)));
  });
}

/** Kills the process (SIGKILL) and waits for it to be gone. */
export async function killWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
