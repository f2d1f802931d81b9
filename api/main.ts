/**
 * `npm run api`: the REST API alone. Reads the configuration once, opens PostgreSQL (DATABASE_URL, given by the
 * start script) and Temporal, listens on PORT, and stops gracefully on SIGINT/SIGTERM.
 */
import { loadConfig } from '../config';
import { connectClient } from '../config/temporal';
import { initOrm } from '../db/orm';
import { runMain, UserFacingError } from '../lib/main';
import { createLogger } from './app';
import { startWebServer, stopWebServer } from './server';
import { rearmWebhookDispatchers } from './use-cases/webhooks';
import { WebhookDispatchers } from './webhook-dispatchers';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config);
  if (!config.DATABASE_URL) throw new UserFacingError('DATABASE_URL is required by the API (npm start sets it for the embedded PostgreSQL).');
  const orm = await initOrm(config.DATABASE_URL);
  const temporalClient = await connectClient(config);
  const web = await startWebServer({ config, orm, temporalClient, logger, port: config.PORT, host: config.API_HOST });
  logger.info({ url: web.url, docs: `${web.url}/docs` }, 'API listening');
  try {
    const endpoints = await rearmWebhookDispatchers(orm.em.fork(), new WebhookDispatchers(temporalClient, config, 5_000));
    logger.info({ endpoints }, 'webhook dispatchers running');
  } catch (err) {
    // Not fatal: a registration or a redelivery starts the dispatcher too.
    logger.warn({ err }, 'webhook dispatchers could not be checked');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'API stopping');
    const force = setTimeout(() => process.exit(1), 15_000).unref();
    try {
      await stopWebServer();
      await temporalClient.connection.close();
      await orm.close();
      clearTimeout(force);
      process.exit(0);
    } catch (err) {
      logger.error({ err }, 'API stop failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

// Configuration errors carry their own message; nothing secret is in them. Exit at once: a half-opened pool or
// connection would keep the process alive.
runMain(main, { label: 'API failed to start', exitOnError: true });
