/**
 * Runs the baseline in a bench's stack: bundles the bare workflow, starts its own worker process (own task
 * queue, same tuning as the invoice worker), runs one bare workflow per invoice with the shape measured on
 * that invoice's path, `inFlight` at a time, until all of them have completed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { runPool } from '../lib/load';
import { ManagedProcess, type ProcSample } from '../lib/proc';
import type { Stack } from '../lib/stack';
import type { BaselineShape } from './workflows';

export interface BaselineResult {
  workflows: number;
  inFlight: number;
  seconds: number;
  perSecond: number;
  historyEventsPerWorkflow: number;
  workerPeakRssMb: number;
  workerCpuSeconds: number;
  workerRss: ProcSample[];
  completions: number[];
  failed: number;
}

export async function runBaseline(
  stack: Stack,
  shapes: BaselineShape[],
  options: { inFlight: number; timeoutMs: number; log: (m: string) => void; onProgress?: (done: number) => void },
): Promise<BaselineResult> {
  const bundlePath = path.join(stack.workDir, 'baseline-bundle.js');
  const { code } = await bundleWorkflowCode({ workflowsPath: path.resolve(__dirname, 'workflows.ts'), logger: new DefaultLogger('WARN') });
  fs.writeFileSync(bundlePath, code);
  const taskQueue = `baseline-${Date.now().toString(36)}`;
  const worker = new ManagedProcess({
    name: 'baseline worker',
    script: 'bench/baseline/worker.ts',
    env: { ...stack.workerEnv, TEMPORAL_ADDRESS: stack.temporal.address, BASELINE_TASK_QUEUE: taskQueue, BASELINE_BUNDLE_PATH: bundlePath },
    ready: /polling task queue/,
    logFile: path.join(stack.workDir, 'logs', 'baseline-worker.log'),
  });
  stack.extraProcesses.push(worker);
  await worker.start();
  try {
    const client = stack.client;
    const ids = shapes.map((_, i) => `baseline-${taskQueue}-${i}`);
    // Closed loop: at most `inFlight` workflows at a time, each lane starting the next one when its workflow
    // completes. Far below the worker's cache size, so that the baseline measures Temporal, not cache thrash.
    const started = Date.now();
    const deadline = started + options.timeoutMs;
    let done = 0;
    let failed = 0;
    await runPool(
      shapes.map((shape, i) => async () => {
        if (Date.now() > deadline) {
          failed += 1;
          return;
        }
        try {
          const handle = await client.workflow.start('baselineWorkflow', { taskQueue, workflowId: ids[i]!, args: [shape] });
          await handle.result();
        } catch {
          failed += 1;
        }
        done += 1;
        options.onProgress?.(done);
      }),
      options.inFlight,
    );
    // Exact close times from the server, not from when this process heard of them.
    const completions: number[] = [];
    for await (const wf of client.workflow.list({ query: `TaskQueue = "${taskQueue}"` })) {
      if (wf.closeTime && wf.status.name === 'COMPLETED') completions.push(wf.closeTime.getTime());
    }
    const last = completions.length ? Math.max(...completions) : Date.now();
    const seconds = (last - started) / 1000;
    const sample = ids.slice(0, 20);
    let events = 0;
    for (const id of sample) events += (await client.workflow.getHandle(id).describe()).historyLength;
    return {
      workflows: shapes.length,
      inFlight: options.inFlight,
      seconds,
      perSecond: completions.length / seconds,
      historyEventsPerWorkflow: events / sample.length,
      workerPeakRssMb: worker.peakRssMb,
      workerCpuSeconds: worker.cpuSeconds,
      workerRss: worker.samples,
      completions: completions.map((t) => t - started),
      failed,
    };
  } finally {
    await worker.stop();
    worker.close();
  }
}
