/**
 * The worker: runs invoice workflows and their activities on one task queue. Built by `worker/main.ts` for
 * production and by the tests with the same options.
 */
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../config';
import { WORKFLOWS_ENTRY } from './bundle';

export interface InvoiceWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (production, tests); without it the worker bundles at start (slower). */
  workflowBundlePath?: string;
  /** invoiceWorkerTuning(config), plus anything a test overrides. */
  tuning: Partial<WorkerOptions>;
}

/**
 * Bounded cache and concurrency from the configuration, and a grace time so running activities finish on SIGTERM.
 * Also used by the bench's baseline worker (bench/baseline/worker.ts), so both run with the same tuning.
 */
export function invoiceWorkerTuning(config: Pick<Config, 'WORKER_MAX_CACHED_WORKFLOWS' | 'WORKER_MAX_CONCURRENT_ACTIVITIES'>) {
  return {
    maxCachedWorkflows: config.WORKER_MAX_CACHED_WORKFLOWS,
    maxConcurrentActivityTaskExecutions: config.WORKER_MAX_CONCURRENT_ACTIVITIES,
    shutdownGraceTime: '10s',
  } satisfies Partial<WorkerOptions>;
}

export async function createInvoiceWorker(options: InvoiceWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities(options.deps),
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: WORKFLOWS_ENTRY }),
    ...options.tuning,
  });
}
