/**
 * The application stack in one test file: a fresh database, the Chorus sandbox, an SMTP sink, a worker running
 * the real workflow and activities on its own task queue, a Temporal client, and the API app — all on the
 * servers `npm test` started. Durations are short so that whole invoice lives pass in seconds.
 */
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Runtime, DefaultLogger, type Worker, type WorkerOptions } from '@temporalio/worker';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import type { ChorusClient } from '../../chorus';
import { startSandbox, type RunningSandbox } from '../../chorus-sandbox';
import { credentialsKey, loadConfig, platformContactEmail, type Config } from '../../config';
import { createMailer, type Mailer } from '../../mail/mailer';
import { createChorusWorker, createDocumentsWorker, createInvoiceWorker, createWebhookWorker, invoiceWorkerTuning } from '../../worker/worker';
import { chorusAccountsFromConfig } from '../../worker/chorus-client';
import { createTestDatabase, type TestDatabase } from './db';
import { testServices, uniqueId } from './services';
import { startSmtpSink, type SmtpSink } from './smtp';

let runtimeInstalled = false;

export interface TestStack {
  config: Config;
  db: TestDatabase;
  sandbox: RunningSandbox;
  smtp: SmtpSink;
  chorus: ChorusClient;
  client: Client;
  app: Express;
  taskQueue: string;
  /** The environment for a worker process of this stack (`tsx worker/main.ts`), for crash tests. */
  workerProcessEnv: NodeJS.ProcessEnv;
  /** Stops the worker (as a crash would, when `graceful` is false) and starts a new one on the same queue. */
  restartWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
  teardown(): Promise<void>;
}

export interface StackOptions {
  /** Extra configuration (durations, etc.). */
  env?: Record<string, string>;
  /** Another Temporal server than the run's (e.g. one with special dynamic config). */
  temporalAddress?: string;
  /** Interceptors of the stack's Chorus worker (e.g. to see when each Chorus call starts). */
  chorusWorkerInterceptors?: WorkerOptions['interceptors'];
  /** No Factur-X rendering worker (a test starts its own, to see what waits for the PDF). */
  withoutDocumentsWorker?: boolean;
  /** Sandbox options (e.g. flow processing delay). */
  sandbox?: Parameters<typeof startSandbox>[0];
}

export const FAST_TIMING_ENV: Record<string, string> = {
  FLOW_POLL_INTERVAL: '200ms',
  FLOW_POLL_MAX_INTERVAL: '200ms',
  LIFECYCLE_POLL_INTERVAL: '200ms',
  // Tests reshape buyers on the sandbox between invoices; the cache has its own test.
  CHORUS_STRUCTURE_CACHE_TTL: '0',
  PRODUCER_REMINDER_AFTER: '1h',
  CHORUS_FAILURE_BUDGET: '4s',
  LIFECYCLE_MAX_AGE: '1h',
  CHORUS_TIMEOUT: '2s',
  ACTIVITY_TIMEOUT: '20s',
  // Polls every 200 ms: the production budget would slow every test down (the budget has its own test).
  CHORUS_MAX_CALLS_PER_SECOND: '1000',
  WEBHOOK_POLL_INTERVAL: '100ms',
  WEBHOOK_RETRY_INITIAL: '200ms',
  WEBHOOK_RETRY_MAX_INTERVAL: '1s',
  WEBHOOK_TIMEOUT: '2s',
};

export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  const services = { ...testServices() };
  if (options.temporalAddress) services.temporalAddress = options.temporalAddress;
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const db = await createTestDatabase();
  const sandbox = await startSandbox({ port: 0, ...options.sandbox });
  const smtp = await startSmtpSink();
  const taskQueue = uniqueId('invoices');
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: services.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    WEBHOOK_TASK_QUEUE: `${taskQueue}-webhooks`,
    CHORUS_API_URL: sandbox.url,
    CHORUS_OAUTH_URL: `${sandbox.url}/api/oauth/token`,
    SMTP_URL: smtp.url,
    ...FAST_TIMING_ENV,
    ...options.env,
  };
  const config = loadConfig(env);
  const chorusAccounts = chorusAccountsFromConfig(config);
  const chorus = chorusAccounts.platform.client;
  const mailer: Mailer = createMailer(config.SMTP_URL, config.MAIL_FROM);
  const connection = await Connection.connect({ address: services.temporalAddress });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const nativeConnection = await NativeConnection.connect({ address: services.temporalAddress });

  let worker: Worker | undefined;
  let webhookWorker: Worker | undefined;
  let chorusWorker: Worker | undefined;
  let documentsWorker: Worker | undefined;
  let running: Promise<unknown> | undefined;
  const startWorker = async (): Promise<void> => {
    worker = await createInvoiceWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue,
      workflowBundlePath: services.workflowBundle,
      deps: { orm: db.orm, chorus: chorusAccounts, credentialsKey: credentialsKey(config), mailer, publicAppUrl: config.PUBLIC_APP_URL, platformContact: platformContactEmail(config) },
      tuning: { ...invoiceWorkerTuning(config), shutdownGraceTime: '1s', stickyQueueScheduleToStartTimeout: '1s' },
    });
    webhookWorker = await createWebhookWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      orm: db.orm,
      config,
      tuning: { shutdownGraceTime: '1s' },
    });
    chorusWorker = await createChorusWorker({
      connection: nativeConnection,
      namespace: config.TEMPORAL_NAMESPACE,
      invoiceTaskQueue: taskQueue,
      deps: { orm: db.orm, chorus: chorusAccounts, credentialsKey: credentialsKey(config), structureCacheTtlMs: config.CHORUS_STRUCTURE_CACHE_TTL },
      config,
      tuning: { shutdownGraceTime: '1s', ...(options.chorusWorkerInterceptors ? { interceptors: options.chorusWorkerInterceptors } : {}) },
    });
    documentsWorker = options.withoutDocumentsWorker
      ? undefined
      : await createDocumentsWorker({
          connection: nativeConnection,
          namespace: config.TEMPORAL_NAMESPACE,
          invoiceTaskQueue: taskQueue,
          orm: db.orm,
          config,
          tuning: { shutdownGraceTime: '1s' },
        });
    running = Promise.all([worker.run(), webhookWorker.run(), chorusWorker.run(), documentsWorker?.run()]);
  };
  const stopWorker = async (): Promise<void> => {
    for (const w of [worker, webhookWorker, chorusWorker, documentsWorker]) if (w && w.getState() === 'RUNNING') w.shutdown();
    await running;
    worker = undefined;
    webhookWorker = undefined;
    chorusWorker = undefined;
    documentsWorker = undefined;
  };
  await startWorker();
  const app = createApp({ config, orm: db.orm, temporalClient: client });

  return {
    config,
    db,
    sandbox,
    smtp,
    chorus,
    client,
    app,
    taskQueue,
    workerProcessEnv: {
      ...process.env,
      ...env,
      LOG_LEVEL: 'warn',
      WORKFLOW_BUNDLE_PATH: services.workflowBundle,
      TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: 'false',
    },
    startWorker,
    stopWorker,
    restartWorker: async () => {
      await stopWorker();
      await startWorker();
    },
    teardown: async () => {
      await stopWorker();
      await nativeConnection.close();
      await connection.close();
      mailer.close();
      await smtp.close();
      await sandbox.close();
      await db.drop();
    },
  };
}
