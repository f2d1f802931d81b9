/**
 * The worker: runs invoice workflows and their activities on one task queue. Built by `worker/main.ts` for
 * production and by the tests with the same options.
 */
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, createChorusCallActivities, type ActivityDeps } from '../activities';
import { createWebhookActivities } from '../activities/webhooks';
import type { Config } from '../config';
import type { Orm } from '../db/orm';
import { createSecretBox } from '../lib/secret-box';
import { createDocumentActivities } from '../activities/documents';
import { chorusTaskQueueOf, documentsTaskQueueOf } from '../workflows/messages';
import { WORKFLOW_PRELOAD_MODULES, WORKFLOWS_ENTRY } from './bundle';

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
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath: WORKFLOWS_ENTRY, bundlerOptions: { preloadModules: WORKFLOW_PRELOAD_MODULES } }),
    ...options.tuning,
  });
}

export interface ChorusWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The invoices' task queue; the Chorus calls poll `<it>-chorus`. */
  invoiceTaskQueue: string;
  deps: Pick<ActivityDeps, 'orm' | 'chorus' | 'credentialsKey' | 'structureCacheTtlMs'>;
  config: Pick<Config, 'CHORUS_MAX_CALLS_PER_SECOND' | 'CHORUS_MAX_CONCURRENT_CALLS'>;
  tuning?: Partial<WorkerOptions>;
}

/**
 * The Chorus calls' worker: activities only, on the Chorus task queue. `maxTaskQueueActivitiesPerSecond` is held
 * by the Temporal server for the queue as a whole, so the budget stays CHORUS_MAX_CALLS_PER_SECOND whatever the
 * number of workers (each worker sets the same value; the last one to poll wins).
 */
export async function createChorusWorker(options: ChorusWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: chorusTaskQueueOf(options.invoiceTaskQueue),
    activities: createChorusCallActivities(options.deps),
    maxTaskQueueActivitiesPerSecond: options.config.CHORUS_MAX_CALLS_PER_SECOND,
    maxConcurrentActivityTaskExecutions: options.config.CHORUS_MAX_CONCURRENT_CALLS,
    shutdownGraceTime: '10s',
    ...options.tuning,
  });
}

export interface DocumentsWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** The invoices' task queue; the renderings poll `<it>-documents`. */
  invoiceTaskQueue: string;
  orm: Orm;
  config: Pick<Config, 'DOCUMENTS_MAX_CONCURRENT_RENDERINGS'>;
  tuning?: Partial<WorkerOptions>;
}

/**
 * The Factur-X renderings' worker: activities only, on the documents task queue, a few at a time, so a burst of
 * validations queues its renderings instead of starving the invoices' activities of the process's CPU.
 */
export async function createDocumentsWorker(options: DocumentsWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: documentsTaskQueueOf(options.invoiceTaskQueue),
    activities: createDocumentActivities(options.orm),
    maxConcurrentActivityTaskExecutions: options.config.DOCUMENTS_MAX_CONCURRENT_RENDERINGS,
    shutdownGraceTime: '10s',
    ...options.tuning,
  });
}

export interface WebhookWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  orm: Orm;
  config: Pick<
    Config,
    | 'NODE_ENV'
    | 'WEBHOOK_TASK_QUEUE'
    | 'WEBHOOK_SECRET_KEY'
    | 'WEBHOOK_TIMEOUT'
    | 'WEBHOOK_RETRY_INITIAL'
    | 'WEBHOOK_RETRY_MAX_INTERVAL'
    | 'WEBHOOK_RETRY_FOR'
    | 'WEBHOOK_MAX_CONCURRENT_DELIVERIES'
  >;
  tuning?: Partial<WorkerOptions>;
}

/**
 * The webhook deliveries' worker: activities only, on WEBHOOK_TASK_QUEUE, with its own concurrency, so endpoints
 * that answer slowly hold its slots and never the invoices' (their dispatcher workflows run on the invoice worker).
 */
export async function createWebhookWorker(options: WebhookWorkerOptions): Promise<Worker> {
  const { config } = options;
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: config.WEBHOOK_TASK_QUEUE,
    activities: createWebhookActivities({
      orm: options.orm,
      secretBox: createSecretBox(config.WEBHOOK_SECRET_KEY),
      timeoutMs: config.WEBHOOK_TIMEOUT,
      schedule: { initialMs: config.WEBHOOK_RETRY_INITIAL, maxIntervalMs: config.WEBHOOK_RETRY_MAX_INTERVAL, retryForMs: config.WEBHOOK_RETRY_FOR },
      production: config.NODE_ENV === 'production',
    }),
    maxConcurrentActivityTaskExecutions: config.WEBHOOK_MAX_CONCURRENT_DELIVERIES,
    shutdownGraceTime: '10s',
    ...options.tuning,
  });
}
