/**
 * The baseline worker process (`node --import tsx bench/baseline/worker.ts`): the bare workflow and its no-op
 * activity on their own task queue, from a pre-built bundle, with the invoice worker's tuning.
 * Env: TEMPORAL_ADDRESS, BASELINE_TASK_QUEUE, BASELINE_BUNDLE_PATH, and the WORKER_* tuning of the invoice worker.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { runMain, UserFacingError } from '../../lib/main';
import { loadConfig } from '../../config';
import { invoiceWorkerTuning } from '../../worker/worker';
import { baselineActivities } from './activities';

async function main(): Promise<void> {
  const { TEMPORAL_ADDRESS, BASELINE_TASK_QUEUE, BASELINE_BUNDLE_PATH } = process.env;
  if (!TEMPORAL_ADDRESS || !BASELINE_TASK_QUEUE || !BASELINE_BUNDLE_PATH) {
    throw new UserFacingError('TEMPORAL_ADDRESS, BASELINE_TASK_QUEUE and BASELINE_BUNDLE_PATH are required (npm run bench sets them).');
  }
  Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const connection = await NativeConnection.connect({ address: TEMPORAL_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: 'default',
    taskQueue: BASELINE_TASK_QUEUE,
    workflowBundle: { codePath: BASELINE_BUNDLE_PATH },
    activities: baselineActivities,
    ...invoiceWorkerTuning(loadConfig()),
  });
  process.stdout.write(`baseline worker: polling task queue "${BASELINE_TASK_QUEUE}"\n`);
  try {
    await worker.run();
  } finally {
    await connection.close();
  }
}

runMain(main);
