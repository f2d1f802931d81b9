/**
 * Webhook delivery (Standard Webhooks): the dispatcher workflow of each endpoint asks for the events that are
 * due, then delivers each with one activity, one HTTP POST. These activities run on their own task queue
 * (WEBHOOK_TASK_QUEUE) with their own slots: an endpoint that hangs never takes an invoice's place.
 *
 * Order per invoice: only the oldest pending event of each invoice is ever handed out, so a later event of an
 * invoice waits until the earlier one is delivered (or given up); other invoices go on. A failed attempt is
 * written to the delivery row with the time of the next one (domain/webhooks.ts: doubling, up to 3 days).
 */
import { createHmac } from 'node:crypto';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { WebhookDelivery, WebhookEndpoint, WebhookEvent, type IWebhookDelivery } from '../db/entities';
import type { Orm } from '../db/orm';
import { nextWebhookAttemptAt, webhookUrlProblem, WEBHOOK_SECRET_PREFIX, type WebhookRetrySchedule } from '../domain/webhooks';
import type { SecretBox } from '../lib/secret-box';

export interface WebhookActivityDeps {
  orm: Orm;
  /** Opens the sealed signing secrets. */
  secretBox: SecretBox;
  /** Longest wait for one answer. */
  timeoutMs: number;
  schedule: WebhookRetrySchedule;
  /** HTTPS only (domain/webhooks.ts), checked again at each delivery. */
  production: boolean;
}

export interface NextDeliveriesInput {
  endpointId: string;
  limit: number;
}
export interface NextDeliveries {
  /** The endpoint was deleted: its dispatcher stops. */
  endpointGone: boolean;
  deliveryIds: string[];
}

export interface DeliverWebhookInput {
  deliveryId: string;
}
export interface DeliveryOutcome {
  state: 'DELIVERED' | 'PENDING' | 'FAILED' | 'GONE';
  statusCode: number | null;
}

/** The `webhook-signature` value: `v1,` + base64 HMAC-SHA256 over `id.timestamp.body` with the secret's bytes. */
export function webhookSignature(secret: string, eventId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  return `v1,${createHmac('sha256', key).update(`${eventId}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}

/** Per invoice of the endpoint, its oldest pending event, if due: never a later one while an earlier one waits. */
const DUE_HEADS = `
  select d."id" from "webhook_delivery" d
  where d."endpoint_id" = ? and d."state" = 'PENDING' and d."next_attempt_at" <= now()
    and not exists (select 1 from "webhook_delivery" e
                    where e."endpoint_id" = d."endpoint_id" and e."invoice_id" = d."invoice_id"
                      and e."state" = 'PENDING' and e."event_seq" < d."event_seq")
  order by d."event_seq" limit ?`;

function nothingDue(): ApplicationFailure {
  // Benign "not yet": the dispatcher's retry policy is the poll schedule, and retries add nothing to its history.
  return ApplicationFailure.create({ message: 'No webhook delivery due', type: 'NotYet', category: ApplicationFailureCategory.BENIGN });
}

interface PostResult {
  statusCode: number | null;
  error: string | null;
}

async function post(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<PostResult> {
  try {
    // No redirect is followed: the signed request goes only where the platform registered it.
    const res = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 300 ? { statusCode: res.status, error: null } : { statusCode: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = (err as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (cause?.code ?? cause?.message ?? (err as Error).message);
    return { statusCode: null, error: `request failed: ${reason}`.slice(0, 500) };
  }
}

export function createWebhookActivities(deps: WebhookActivityDeps) {
  const { orm } = deps;
  return {
    /** The deliveries of one endpoint that are due now ("not yet" when none). */
    async nextWebhookDeliveries(input: NextDeliveriesInput): Promise<NextDeliveries> {
      const em = orm.em.fork();
      if (!(await em.findOne(WebhookEndpoint, { id: input.endpointId }, { fields: ['id'] }))) return { endpointGone: true, deliveryIds: [] };
      const rows = await em.execute<{ id: string }[]>(DUE_HEADS, [input.endpointId, input.limit]);
      if (rows.length === 0) throw nothingDue();
      return { endpointGone: false, deliveryIds: rows.map((r) => r.id) };
    },

    /** One HTTP POST of one event to one endpoint; the outcome (and the next attempt's time) is written to its row. */
    async deliverWebhook(input: DeliverWebhookInput): Promise<DeliveryOutcome> {
      const em = orm.em.fork();
      const delivery = await em.findOne(WebhookDelivery, { id: input.deliveryId });
      if (!delivery) return { state: 'GONE', statusCode: null };
      if (delivery.state !== 'PENDING') return { state: delivery.state, statusCode: delivery.lastStatusCode ?? null };
      const [endpoint, event] = await Promise.all([
        em.findOne(WebhookEndpoint, { id: delivery.endpointId }),
        em.findOneOrFail(WebhookEvent, { seq: delivery.eventSeq }),
      ]);
      if (!endpoint) return { state: 'GONE', statusCode: null };

      const urlProblem = webhookUrlProblem(endpoint.url, deps.production);
      let result: PostResult;
      if (urlProblem) {
        result = { statusCode: null, error: `URL refused: ${urlProblem}` };
      } else {
        const timestamp = Math.floor(Date.now() / 1000);
        const headers = {
          'content-type': 'application/json',
          'user-agent': 'Agrilocal-Webhooks/1.0',
          'webhook-id': event.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': webhookSignature(deps.secretBox.open(endpoint.secretSealed), event.eventId, timestamp, event.body),
        };
        result = await post(endpoint.url, headers, event.body, deps.timeoutMs);
      }
      return recordAttempt(em, delivery, result, deps.schedule);
    },
  };
}

async function recordAttempt(
  em: ReturnType<Orm['em']['fork']>,
  delivery: IWebhookDelivery,
  result: PostResult,
  schedule: WebhookRetrySchedule,
): Promise<DeliveryOutcome> {
  const now = new Date();
  const attempts = delivery.attempts + 1;
  const retryFrom = delivery.retryFrom ?? now;
  const common = { attempts, retryFrom, lastAttemptAt: now, lastStatusCode: result.statusCode, lastError: result.error };
  if (result.error === null) {
    await em.nativeUpdate(WebhookDelivery, { id: delivery.id, state: 'PENDING' }, { ...common, state: 'DELIVERED', deliveredAt: now });
    return { state: 'DELIVERED', statusCode: result.statusCode };
  }
  const next = nextWebhookAttemptAt(schedule, attempts, retryFrom.getTime(), now.getTime());
  const state = next === null ? ('FAILED' as const) : ('PENDING' as const);
  await em.nativeUpdate(WebhookDelivery, { id: delivery.id, state: 'PENDING' }, { ...common, state, nextAttemptAt: new Date(next ?? now.getTime()) });
  return { state, statusCode: result.statusCode };
}

export type WebhookActivities = ReturnType<typeof createWebhookActivities>;
