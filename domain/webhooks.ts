/**
 * Webhooks (Standard Webhooks, standardwebhooks.com): the event types the platform may receive, what an
 * endpoint's URL and secret must be, and the retry schedule. The one place these rules live: the API checks a
 * new endpoint with them, the delivery activity re-checks the URL and follows the schedule.
 */

/**
 * Every event type. The extension point: a new kind of event (credit notes, replacements) adds its type here,
 * an insert of an outbox row where its change is recorded (db/webhook-outbox.ts), and a line in the README.
 */
export const WEBHOOK_EVENT_TYPES = [
  /** The invoice's status changed (or a new step of its history was written with the same status). */
  'invoice.status_changed',
  /** Only the Chorus Pro status changed (the invoice's own status stayed the same). */
  'invoice.chorus_status_changed',
  /** A mail about the invoice was accepted by the SMTP server (to the buyer or to the producer). */
  'invoice.mail_sent',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const WEBHOOK_SECRET_MIN_BYTES = 24;
export const WEBHOOK_SECRET_MAX_BYTES = 64;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/**
 * `whsec_` then standard base64 (with padding) of 24 to 64 bytes, exactly: 8 to 20 groups of 4 characters and an
 * optional padded group (24 to 62 bytes), or 21 groups and at most one byte more (63, 64). The OpenAPI document
 * gives it, so a generated client sends only secrets the API takes.
 */
export const WEBHOOK_SECRET_PATTERN =
  /^whsec_(?:(?:[A-Za-z0-9+/]{4}){8,20}(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?|(?:[A-Za-z0-9+/]{4}){21}(?:[A-Za-z0-9+/]{2}==)?)$/;

/** Why a secret is refused, or null when it is `whsec_` + base64 of 24 to 64 random bytes. */
export function webhookSecretProblem(secret: string): string | null {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return `must start with "${WEBHOOK_SECRET_PREFIX}"`;
  const b64 = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (b64.length === 0 || !BASE64.test(b64)) return `must be "${WEBHOOK_SECRET_PREFIX}" followed by standard base64 (A-Z, a-z, 0-9, +, /, = padding)`;
  const bytes = (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);
  if (bytes < WEBHOOK_SECRET_MIN_BYTES || bytes > WEBHOOK_SECRET_MAX_BYTES) {
    return `must encode ${WEBHOOK_SECRET_MIN_BYTES} to ${WEBHOOK_SECRET_MAX_BYTES} random bytes (this one has ${bytes})`;
  }
  return null;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const isLoopback = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);

/**
 * Why an endpoint URL is refused, or null. HTTPS always in production; outside production, plain http is
 * allowed to loopback only (a receiver on the developer's machine). No credentials in the URL: they would be
 * sent to every redirect and shown in the list.
 */
export function webhookUrlProblem(url: string, production: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL (https://…)';
  }
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  if (parsed.hash) return 'must not have a #fragment';
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:') {
    if (production) return 'must use https in production';
    return isLoopback(parsed.hostname) ? null : 'must use https (plain http is allowed to loopback only, outside production)';
  }
  return 'must use https';
}

export interface WebhookRetrySchedule {
  /** Wait after the first failed attempt; doubles after each failure. */
  initialMs: number;
  /** Longest wait between two attempts. */
  maxIntervalMs: number;
  /** How long an event is retried, counted from its first attempt (or from a redelivery request). */
  retryForMs: number;
}

/** When the next attempt is due after `attempts` failed ones, or null when the event is given up. */
export function nextWebhookAttemptAt(schedule: WebhookRetrySchedule, attempts: number, firstAttemptAt: number, now: number): number | null {
  const wait = Math.min(schedule.maxIntervalMs, schedule.initialMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
  const next = now + wait;
  return next - firstAttemptAt > schedule.retryForMs ? null : next;
}
