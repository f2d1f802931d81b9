/**
 * One configuration schema for every process (API, worker, sandbox, scripts): each key has its env variable,
 * a default that works on loopback, and a description used by the README. Validated once at start; a bad
 * value stops the process with a message naming the variable.
 */
import { z } from 'zod';
import { parseDuration } from '../domain/duration';
import { parseSecretKey } from '../lib/secret-box';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (examples: 500ms, 2s, 15m, 1h, 3d)` });
        return z.NEVER;
      }
      return ms;
    });
const optionalDuration = z
  .string()
  .optional()
  .transform((text, ctx) => {
    if (text === undefined || text === '') return undefined;
    const ms = parseDuration(text);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration (examples: 500ms, 2s, 15m, 1h, 3d)` });
      return z.NEVER;
    }
    return ms;
  });
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const count = (fallback: number, max: number) => z.coerce.number().int().min(1).max(max).default(fallback);
/** The task queues a worker process can poll (WORKER_QUEUES). */
export const WORKER_QUEUE_KINDS = ['invoices', 'chorus', 'documents', 'webhooks'] as const;
export type WorkerQueueKind = (typeof WORKER_QUEUE_KINDS)[number];
const workerQueues = z
  .string()
  .default(WORKER_QUEUE_KINDS.join(','))
  .transform((text, ctx) => {
    const kinds = text.split(',').map((k) => k.trim()).filter((k) => k !== '');
    const unknown = kinds.filter((k) => !(WORKER_QUEUE_KINDS as readonly string[]).includes(k));
    if (unknown.length > 0 || kinds.length === 0) {
      ctx.addIssue({ code: 'custom', message: `${unknown.length > 0 ? `unknown ${unknown.map((k) => `"${k}"`).join(', ')}; ` : ''}give one or more of ${WORKER_QUEUE_KINDS.join(', ')}, comma-separated` });
      return z.NEVER;
    }
    return [...new Set(kinds)] as WorkerQueueKind[];
  });
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === '' ? undefined : v));

/** Dev credentials: known to the client and the sandbox alike, refused in production. */
export const DEV_DEFAULTS = {
  CHORUS_CLIENT_ID: 'agrilocal-dev-client',
  CHORUS_CLIENT_SECRET: 'agrilocal-dev-secret',
  CHORUS_TECH_LOGIN: 'TECH_1_agrilocal@cpro.fr',
  CHORUS_TECH_PASSWORD: 'agrilocal-dev-password',
  AGRILOCAL_API_KEY: 'dev-platform-key',
  ADMIN_API_KEY: 'dev-admin-key',
  PRODUCER_JWT_SECRET: 'dev-producer-jwt-secret-change-me-0123456789',
  WEBHOOK_SECRET_KEY: 'dev-webhook-secret-key-change-me-0123456789',
  /** base64("agrilocal-dev-chorus-credentials"): 32 bytes. */
  CHORUS_CREDENTIALS_KEY: 'YWdyaWxvY2FsLWRldi1jaG9ydXMtY3JlZGVudGlhbHM=',
} as const;

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().default('.data'),

  PORT: port(3000),
  API_HOST: z.string().default('127.0.0.1'),
  PUBLIC_APP_URL: z.string().url().default('http://127.0.0.1:3000'),
  AGRILOCAL_API_KEY: z.string().min(8).default(DEV_DEFAULTS.AGRILOCAL_API_KEY),
  ADMIN_API_KEY: z.string().min(8).default(DEV_DEFAULTS.ADMIN_API_KEY),
  PRODUCER_JWT_SECRET: z.string().min(32).default(DEV_DEFAULTS.PRODUCER_JWT_SECRET),

  DATABASE_URL: optionalString,
  EMBEDDED_PG_PORT: port(5433),

  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('invoices'),
  TEMPORAL_UI_PORT: port(8233),
  TEMPORAL_CLI_PATH: optionalString,
  /** The worker registers the search attributes at start (self-hosted); off for Temporal Cloud (managed there). */
  TEMPORAL_REGISTER_SEARCH_ATTRIBUTES: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),

  CHORUS_API_URL: z.string().url().default('http://127.0.0.1:4010'),
  CHORUS_OAUTH_URL: z.string().url().default('http://127.0.0.1:4010/api/oauth/token'),
  CHORUS_CLIENT_ID: z.string().min(1).default(DEV_DEFAULTS.CHORUS_CLIENT_ID),
  CHORUS_CLIENT_SECRET: z.string().min(1).default(DEV_DEFAULTS.CHORUS_CLIENT_SECRET),
  CHORUS_TECH_LOGIN: z.string().min(1).default(DEV_DEFAULTS.CHORUS_TECH_LOGIN),
  CHORUS_TECH_PASSWORD: z.string().min(1).default(DEV_DEFAULTS.CHORUS_TECH_PASSWORD),
  CHORUS_TIMEOUT: duration('30s'),
  /**
   * Encrypts the producers' own Chorus technical account passwords in the database (AES-256-GCM): 32 bytes in
   * base64 (`openssl rand -base64 32`). Changing it makes the stored passwords unreadable: give them again.
   */
  CHORUS_CREDENTIALS_KEY: z
    .string()
    .default(DEV_DEFAULTS.CHORUS_CREDENTIALS_KEY)
    .superRefine((text, ctx) => {
      try {
        parseSecretKey(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
  CHORUS_SANDBOX_PORT: port(4010),
  CHORUS_SANDBOX_HOST: z.string().default('127.0.0.1'),
  /** Where the sandbox keeps its state between runs (`npm start` sets it under DATA_DIR); unset = in memory. */
  CHORUS_SANDBOX_STATE_FILE: optionalString,

  /** How long what Chorus says of a public buyer (structure, services, engagement rule) is kept; 0 = asked each time. */
  CHORUS_STRUCTURE_CACHE_TTL: duration('1h'),

  SMTP_URL: z.string().default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().default('Agrilocal Facturation <facturation@agrilocal.local>'),
  MAIL_WEB_PORT: port(1080),
  /** Who at the platform is told when a Chorus technical account's password expires (default: MAIL_FROM's address). */
  PLATFORM_CONTACT_EMAIL: optionalString,
  /** When the daily check of the Chorus technical accounts' passwords runs (hour, Europe/Paris). */
  CHORUS_PASSWORD_CHECK_HOUR: z.coerce.number().int().min(0).max(23).default(7),

  FLOW_POLL_INTERVAL: duration('1m'),
  /** The flow-report poll starts at FLOW_POLL_INTERVAL and doubles up to this (Chorus takes minutes to hours). */
  FLOW_POLL_MAX_INTERVAL: duration('1h'),
  /** A flow with no final state after this is given up: the producer is told to check it on the portal. */
  FLOW_REPORT_MAX_AGE: duration('7d'),
  /**
   * Set: each invoice polls its Chorus status at this fixed interval on its own (tests, bench, watching a demo).
   * Unset (production): the lifecycle sync (workflows/lifecycle-sync.ts) finds the invoices whose status moved and
   * tells them; an invoice itself asks only every LIFECYCLE_SAFETY_POLL_INTERVAL, for one the sync missed.
   */
  LIFECYCLE_POLL_INTERVAL: optionalDuration,
  LIFECYCLE_SAFETY_POLL_INTERVAL: duration('7d'),
  /** Cadence of the sync of the invoices deposited within LIFECYCLE_SYNC_RECENT_WINDOW (a Temporal Schedule). */
  LIFECYCLE_SYNC_INTERVAL: duration('1h'),
  LIFECYCLE_SYNC_RECENT_WINDOW: duration('7d'),
  /** Hour (Europe/Paris) of the daily sync of every invoice still followed (deposited within LIFECYCLE_MAX_AGE). */
  LIFECYCLE_SYNC_DAILY_HOUR: z.coerce.number().int().min(0).max(23).default(6),
  /**
   * Tests and the bench only (`npm run bench -- --lifecycle-days`, time scaled): the daily sync every this instead of
   * at LIFECYCLE_SYNC_DAILY_HOUR. Unset in production. Temporal refuses Schedule intervals under 1 s.
   */
  LIFECYCLE_SYNC_DAILY_INTERVAL: optionalDuration,
  PRODUCER_REMINDER_AFTER: duration('3d'),
  CHORUS_FAILURE_BUDGET: duration('1h'),
  LIFECYCLE_MAX_AGE: duration('365d'),
  /** Longest run of one activity attempt: also how long before the work of a dead worker is retried. */
  ACTIVITY_TIMEOUT: duration('2m'),

  /**
   * Workflows the worker keeps in memory between their tasks. Invoices mostly sleep (a poll in an activity, a
   * year-long archive window): one evicted is replayed from its history when it wakes. Bench: docs/performance.md.
   */
  WORKER_MAX_CACHED_WORKFLOWS: count(500, 100_000),
  /**
   * The task queues this worker process polls. Production runs the Factur-X renderings in processes of their own
   * (`documents` here, the rest there: docker-compose.yml), so their CPU and memory never reach the invoices' worker.
   */
  WORKER_QUEUES: workerQueues,
  /** Factur-X renderings one worker runs at a time (CPU-bound; on the documents task queue). */
  DOCUMENTS_MAX_CONCURRENT_RENDERINGS: count(2, 64),
  /** Activities one worker runs at a time (Chorus calls, mails, PDF rendering). */
  WORKER_MAX_CONCURRENT_ACTIVITIES: count(50, 10_000),

  /**
   * Chorus calls (activities on the `<TEMPORAL_TASK_QUEUE>-chorus` task queue) started per second across every
   * worker: Temporal's matching service holds the rate, so adding workers never exceeds PISTE's quota.
   */
  CHORUS_MAX_CALLS_PER_SECOND: z.coerce.number().positive().max(1000).default(5),
  /** Chorus calls one worker runs at a time (each waits up to CHORUS_TIMEOUT). */
  CHORUS_MAX_CONCURRENT_CALLS: count(20, 1000),

  /** Encrypts the webhook signing secrets at rest (≥ 32 characters; changing it makes stored secrets unreadable). */
  WEBHOOK_SECRET_KEY: z.string().min(32).default(DEV_DEFAULTS.WEBHOOK_SECRET_KEY),
  /** Task queue of the webhook deliveries: their own activity slots, so a slow endpoint never holds up invoices. */
  WEBHOOK_TASK_QUEUE: z.string().default('webhooks'),
  /** Webhook deliveries in flight at a time, per worker (all endpoints together). */
  WEBHOOK_MAX_CONCURRENT_DELIVERIES: count(20, 10_000),
  /** Longest wait for an endpoint's answer to one delivery. */
  WEBHOOK_TIMEOUT: duration('10s'),
  /** How often an idle endpoint's dispatcher looks for new events. */
  WEBHOOK_POLL_INTERVAL: duration('1s'),
  /** Wait after a failed delivery, doubling after each failure up to WEBHOOK_RETRY_MAX_INTERVAL. */
  WEBHOOK_RETRY_INITIAL: duration('5s'),
  WEBHOOK_RETRY_MAX_INTERVAL: duration('1h'),
  /** How long an event is retried before it is given up (FAILED; it can still be redelivered by hand). */
  WEBHOOK_RETRY_FOR: duration('3d'),
});

export type Config = z.infer<typeof configSchema>;

/** CHORUS_CREDENTIALS_KEY as the 32-byte key it names (validated at load). */
export function credentialsKey(config: Pick<Config, 'CHORUS_CREDENTIALS_KEY'>): Buffer {
  return parseSecretKey(config.CHORUS_CREDENTIALS_KEY);
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the configuration; throws a ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const config = parsed.data;
  if (config.NODE_ENV === 'production') {
    const stillDev = (Object.keys(DEV_DEFAULTS) as (keyof typeof DEV_DEFAULTS)[]).filter(
      (key) => config[key] === DEV_DEFAULTS[key],
    );
    if (stillDev.length > 0) {
      throw new ConfigError(`Invalid configuration:\n${stillDev.map((k) => `  ${k}: must be set in production`).join('\n')}`);
    }
  }
  return config;
}

/** Who at the platform is told of the Chorus technical accounts' password expiry: PLATFORM_CONTACT_EMAIL, else MAIL_FROM's address. */
export function platformContactEmail(config: Pick<Config, 'PLATFORM_CONTACT_EMAIL' | 'MAIL_FROM'>): string {
  return config.PLATFORM_CONTACT_EMAIL ?? /<([^>]+)>/.exec(config.MAIL_FROM)?.[1] ?? config.MAIL_FROM.trim();
}
