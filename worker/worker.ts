/**
 * The worker: runs invoice workflows and their activities on one task queue. Built by `worker/main.ts` for
 * production and by the tests with the same options.
 */
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { WORKFLOWS_ENTRY } from '../scripts/lib/bundle';

export interface InvoiceWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (production, tests); without it the worker bundles at start (slower). */
  workflowBundlePath?: string;
  tuning?: Partial<WorkerOptions>;
}

/**
 * Bounded cache (about 1 MB per cached workflow) and a grace time so running activities finish on SIGTERM.
 * Exported so that the bench's baseline worker (bench/baseline/worker.ts) runs with the same tuning.
 */
export const INVOICE_WORKER_TUNING = {
  maxCachedWorkflows: 500,
  maxConcurrentActivityTaskExecutions: 50,
  shutdownGraceTime: '10s',
} satisfies Partial<WorkerOptions>;

export async function createInvoiceWorker(options: InvoiceWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: WORKFLOWS_ENTRY }),
    ...INVOICE_WORKER_TUNING,
    ...options.tuning,
  });
}
