/**
 * The Express application: hardening, request ids, logs and metrics around the /api/v1 routes, plus health,
 * readiness, metrics and the OpenAPI document. Built from its dependencies only, so tests build the same app
 * on their own database and Temporal client.
 */
import express, { type Express } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import { pino, type Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { RequestContext } from '@mikro-orm/core';
import type { Client } from '@temporalio/client';
import type { ChorusAccounts, TechnicalAccount } from '../chorus';
import { credentialsKey, type Config } from '../config';
import type { Orm } from '../db/orm';
import { chorusAccountsFromConfig } from '../worker/chorus-client';
import { authenticate, createAuthenticator, type AuthConfig } from './auth';
import { ApiError, errorHandler, methodNotAllowedHandler, notFoundHandler } from './errors';
import { requestId } from './http';
import { countInvoicesByStatus, createMetrics, type ApiMetrics } from './metrics';
import { buildOpenApiDocument } from './openapi';
import { apiRouter } from './routes';
import { InvoiceWorkflowGateway } from './invoice-workflow-gateway';
import { createSecretBox } from '../lib/secret-box';
import { WebhookDispatchers } from './webhook-dispatchers';
import { webhookRouter } from './webhook-routes';
import { webRouter } from './web/router';
import { technicalAccountStatus } from './use-cases/chorus-accounts';

export interface AppOptions {
  /** Requests per window and client IP on /api/v1; `false` turns the limiter off. Default: 1200 a minute. */
  rateLimit?: { windowMs: number; limit: number } | false;
  /** Deadline of a workflow Update (activities included) before answering 503. Default 30 s. */
  updateTimeoutMs?: number;
  /** Deadline of a workflow start and of health checks. Default 5 s. */
  rpcTimeoutMs?: number;
  /** Body limits: 256 KB, and 15 MB on the complete route, which carries attachments (10 MB each, base64). */
  bodyLimit?: string;
  attachmentBodyLimit?: string;
}

export interface AppDeps {
  config: Config;
  orm: Orm;
  temporalClient: Client;
  /** The platform's technical account; default: asked of the Chorus host of the configuration. */
  chorusAccount?: TechnicalAccount;
  /** The platform's and the producers' own accounts; default: built from the configuration (with `chorusAccount`). */
  chorusAccounts?: ChorusAccounts;
  logger?: Logger;
  options?: AppOptions;
}

export interface App extends Express {
  locals: Express['locals'] & { metrics: ApiMetrics; workflows: InvoiceWorkflowGateway };
}

/**
 * What a request log line keeps: no header but the user agent, so no credential (Authorization, Cookie) can end
 * up in the logs whatever logger is passed in.
 */
interface SerializedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  remoteAddress?: string;
  headers?: Record<string, unknown>;
}
const requestLog = (req: SerializedRequest) => ({
  id: req.id,
  method: req.method,
  // A sign-in link is a credential until used: never written to the logs.
  url: req.url?.replace(/^\/connexion\/[^/?]+/, '/connexion/…'),
  remoteAddress: req.remoteAddress,
  userAgent: req.headers?.['user-agent'],
});
const responseLog = (res: { statusCode?: number }) => ({ statusCode: res.statusCode });

/** `destination`: default stdout (tests pass a sink). */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, destination?: { write(line: string): void }): Logger {
  // Request bodies are never logged (requestLog); the paths below also cover a body or a credential passed by hand.
  const options = {
    level: config.LOG_LEVEL,
    redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'password', '*.password', 'req.body', 'body.password'],
  };
  return destination ? pino(options, destination) : pino(options);
}

async function withTimeout<T>(what: string, ms: number, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Health, readiness, metrics and the API's documentation: outside /api/v1 and its authentication. */
interface OperationalDeps {
  orm: AppDeps['orm'];
  workflows: InvoiceWorkflowGateway;
  metrics: ReturnType<typeof createMetrics>;
  rpcTimeoutMs: number;
  openapi: ReturnType<typeof buildOpenApiDocument>;
  chorusAccount: TechnicalAccount;
  auth: AuthConfig;
}

function operationalRoutes(app: App, { orm, workflows, metrics, rpcTimeoutMs, openapi, chorusAccount, auth }: OperationalDeps): void {
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const check = async (run: () => Promise<unknown>) => {
      try {
        await withTimeout('check', rpcTimeoutMs, run);
        return 'ok' as const;
      } catch {
        return 'unavailable' as const;
      }
    };
    const chorusTechnicalAccount = technicalAccountStatus(chorusAccount, rpcTimeoutMs);
    const [database, temporal] = await Promise.all([
      check(() => orm.em.fork().getConnection().execute('select 1')),
      check(() => workflows.ping(rpcTimeoutMs)),
    ]);
    if (database === 'ok' && temporal === 'ok') {
      res.json({ status: 'ready', checks: { database, temporal }, chorusTechnicalAccount });
      return;
    }
    const down = Object.entries({ database, temporal }).filter(([, v]) => v !== 'ok');
    const error = new ApiError(
      'UNAVAILABLE',
      `Not ready: ${down.map(([k]) => k).join(' and ')} unreachable.`,
      down.map(([path]) => ({ path, message: 'unreachable' })),
    );
    res.status(503).json({ status: 'unavailable', checks: { database, temporal }, ...error.toBody() });
  });

  // The figures tell business volumes and who calls what: the admin key only (Prometheus' `authorization`
  // setting of a scrape job sends it as a Bearer credential).
  const identify = createAuthenticator(auth);
  app.get('/metrics', async (req, res) => {
    const caller = await identify(req.headers.authorization);
    if (caller.kind !== 'admin') throw new ApiError('FORBIDDEN', '/metrics is open to the admin key only (Authorization: Bearer <ADMIN_API_KEY>).');
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  // The UI's own assets come from swagger-ui-dist (no CDN); it loads the document from /openapi.json.
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/openapi.json' }, customSiteTitle: 'Agrilocal invoicing API' }));
}

/** Per client of /api/v1; a refused call gets the RateLimit header that says when to retry. */
function apiRateLimit(limits: { windowMs: number; limit: number }) {
  return rateLimit({
    windowMs: limits.windowMs,
    limit: limits.limit,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new ApiError('RATE_LIMITED', 'Too many requests: slow down and retry after the delay in the RateLimit header.')),
  });
}

export function createApp(deps: AppDeps): App {
  const { config, orm, temporalClient } = deps;
  const options = deps.options ?? {};
  const logger = deps.logger ?? createLogger(config);
  const rpcTimeoutMs = options.rpcTimeoutMs ?? 5_000;

  const chorusAccounts = deps.chorusAccounts ?? chorusAccountsFromConfig(config, deps.chorusAccount ? { platformAccount: deps.chorusAccount } : {});
  const chorusAccount = chorusAccounts.platform.account;
  const metrics = createMetrics(countInvoicesByStatus(() => orm.em.fork()));
  const workflows = new InvoiceWorkflowGateway(
    temporalClient,
    { taskQueue: config.TEMPORAL_TASK_QUEUE, rpcTimeoutMs, updateTimeoutMs: options.updateTimeoutMs ?? 30_000 },
    metrics,
  );

  const app = express() as unknown as App;
  app.locals.metrics = metrics;
  app.locals.workflows = workflows;
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use(requestId);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req) => (req as unknown as { requestId: string }).requestId,
      serializers: { req: requestLog, res: responseLog },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );
  // The docs page runs on plain http on loopback too: no upgrade of its own assets to https.
  app.use(helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } }));
  app.use(metrics.middleware);

  const openapi = buildOpenApiDocument();
  operationalRoutes(app, { orm, workflows, metrics, rpcTimeoutMs, openapi, chorusAccount, auth: config });
  const limits = options.rateLimit ?? { windowMs: 60_000, limit: 1200 };
  if (limits !== false) app.use(['/api/v1', '/connexion', '/factures', '/profil'], apiRateLimit(limits));
  // The producer's web space (HTML pages in French, own session and CSRF): before the JSON 404.
  app.use(webRouter({ config, orm, workflows, chorusAccounts, credentialsKey: credentialsKey(config) }));
  // Who is calling, before reading any body: an unauthenticated client cannot make us parse 15 MB.
  app.use('/api/v1', authenticate(config));
  // One EntityManager fork per request (mikro-orm/guide): nothing leaks between requests.
  app.use('/api/v1', (_req, _res, next) => RequestContext.create(orm.em, next));
  app.use(
    '/api/v1',
    apiRouter({
      config,
      workflows,
      chorusAccounts,
      credentialsKey: credentialsKey(config),
      ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
      ...(options.attachmentBodyLimit ? { attachmentBodyLimit: options.attachmentBodyLimit } : {}),
    }),
  );

  app.use(
    '/api/v1',
    webhookRouter({
      dispatchers: new WebhookDispatchers(temporalClient, config, rpcTimeoutMs),
      secretBox: createSecretBox(config.WEBHOOK_SECRET_KEY),
      production: config.NODE_ENV === 'production',
      ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    }),
  );

  app.use(methodNotAllowedHandler(openapi.paths ?? {}));
  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
