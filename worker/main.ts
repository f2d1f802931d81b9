/**
 * `npm run worker`: the invoice worker process. Reads the shared configuration; DATABASE_URL is required
 * (the start script passes the embedded PostgreSQL's). SIGINT/SIGTERM shut it down gracefully.
 */
import { Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { credentialsKey, loadConfig, platformContactEmail, type WorkerQueueKind } from '../config';
import { Client, Connection } from '@temporalio/client';
import { connectWorkerConnection, ensureNamespaceReady, temporalSettings } from '../config/temporal';
import { initOrm } from '../db/orm';
import { createMailer } from '../mail/mailer';
import { runMain, UserFacingError } from '../lib/main';
import { chorusAccountsFromConfig } from './chorus-client';
import { ensureLifecycleSyncSchedules, ensurePasswordCheckSchedule } from './schedules';
import { INVOICE_SEARCH_ATTRIBUTES } from './search-attributes';
import { createChorusWorker, createDocumentsWorker, createInvoiceWorker, createWebhookWorker, invoiceWorkerTuning } from './worker';
import { chorusTaskQueueOf, documentsTaskQueueOf } from '../workflows/messages';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.DATABASE_URL) throw new UserFacingError('DATABASE_URL is required to run the worker (npm start sets it).');
  Runtime.install({ logger: new DefaultLogger(config.LOG_LEVEL === 'debug' ? 'DEBUG' : 'INFO'), shutdownSignals: ['SIGINT', 'SIGTERM'] });
  const polls = new Set(config.WORKER_QUEUES);
  const orm = await initOrm(config.DATABASE_URL);
  const mailer = createMailer(config.SMTP_URL, config.MAIL_FROM);
  const settings = temporalSettings(config);
  const admin = await Connection.connect(settings.connectionOptions);
  try {
    // Self-hosted servers (docker-compose) get the search attributes here; the dev server has them already.
    if (config.TEMPORAL_REGISTER_SEARCH_ATTRIBUTES) await ensureNamespaceReady(admin, settings.namespace, INVOICE_SEARCH_ATTRIBUTES);
    // The Schedules start workflows on the invoices queue: its workers keep them as configured.
    if (polls.has('invoices')) {
      const client = new Client({ connection: admin, namespace: settings.namespace });
      await ensurePasswordCheckSchedule(client, { taskQueue: config.TEMPORAL_TASK_QUEUE, hour: config.CHORUS_PASSWORD_CHECK_HOUR });
      await ensureLifecycleSyncSchedules(client, config.TEMPORAL_TASK_QUEUE, config);
    }
  } finally {
    await admin.close();
  }
  const { connection, namespace } = await connectWorkerConnection(config);
  const deps = { orm, chorus: chorusAccountsFromConfig(config), credentialsKey: credentialsKey(config), mailer, publicAppUrl: config.PUBLIC_APP_URL, platformContact: platformContactEmail(config), structureCacheTtlMs: config.CHORUS_STRUCTURE_CACHE_TTL };
  // One entry per kind of WORKER_QUEUES (the Record makes a new kind fail to compile until it is served here).
  const queueWorkers: Record<WorkerQueueKind, { queue: string; create: () => Promise<Worker> }> = {
    invoices: {
      queue: config.TEMPORAL_TASK_QUEUE,
      create: () =>
        createInvoiceWorker({ connection, namespace, taskQueue: config.TEMPORAL_TASK_QUEUE, workflowBundlePath: process.env.WORKFLOW_BUNDLE_PATH || undefined, tuning: invoiceWorkerTuning(config), deps }),
    },
    chorus: { queue: chorusTaskQueueOf(config.TEMPORAL_TASK_QUEUE), create: () => createChorusWorker({ connection, namespace, invoiceTaskQueue: config.TEMPORAL_TASK_QUEUE, deps, config }) },
    documents: { queue: documentsTaskQueueOf(config.TEMPORAL_TASK_QUEUE), create: () => createDocumentsWorker({ connection, namespace, invoiceTaskQueue: config.TEMPORAL_TASK_QUEUE, orm, config }) },
    webhooks: { queue: config.WEBHOOK_TASK_QUEUE, create: () => createWebhookWorker({ connection, namespace, orm, config }) },
  };
  const workers: Worker[] = [];
  for (const kind of config.WORKER_QUEUES) workers.push(await queueWorkers[kind].create());
  const queues = config.WORKER_QUEUES.map((kind) => queueWorkers[kind].queue);
  const rate = polls.has('chorus') ? ` (Chorus: ${config.CHORUS_MAX_CALLS_PER_SECOND} calls/s)` : '';
  process.stdout.write(`worker: polling task queues ${queues.map((q) => `"${q}"`).join(', ')} on ${namespace}${rate}\n`);
  try {
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await connection.close();
    mailer.close();
    await orm.close();
  }
}

runMain(main);
