/**
 * The platform's webhook endpoints: register (the URL and the secret checked by domain/webhooks.ts, the secret
 * sealed at once), list, delete, the delivery log and a redelivery. The deliveries themselves are the
 * dispatcher workflow's (workflows/webhook-dispatcher.ts).
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { WebhookDelivery, WebhookEndpoint, type IWebhookDelivery, type IWebhookEndpoint } from '../../db/entities';
import { isoDateTime } from '../../db/invoice-view';
import { webhookSecretProblem, webhookUrlProblem } from '../../domain/webhooks';
import type { SecretBox } from '../../lib/secret-box';
import { ApiError, notFound, type ErrorDetail } from '../errors';
import type { WebhookDispatchers } from '../webhook-dispatchers';
import type { WebhookBody, WebhookDeliveryResponse, WebhookEndpointResponse } from '../webhook-schemas';

export interface WebhookContext {
  em: EntityManager;
  dispatchers: WebhookDispatchers;
  secretBox: SecretBox;
  production: boolean;
}

const toEndpoint = (e: IWebhookEndpoint): WebhookEndpointResponse => ({ id: e.id, url: e.url, createdAt: isoDateTime(e.createdAt) });

const toDelivery = (d: IWebhookDelivery): WebhookDeliveryResponse => ({
  deliveryId: d.id,
  eventId: d.eventId,
  type: d.type as WebhookDeliveryResponse['type'],
  invoiceId: d.invoiceId,
  state: d.state,
  attempts: d.attempts,
  nextAttemptAt: d.state === 'PENDING' ? isoDateTime(d.nextAttemptAt) : null,
  lastAttemptAt: d.lastAttemptAt ? isoDateTime(d.lastAttemptAt) : null,
  lastStatusCode: d.lastStatusCode ?? null,
  lastError: d.lastError ?? null,
  deliveredAt: d.deliveredAt ? isoDateTime(d.deliveredAt) : null,
  createdAt: isoDateTime(d.createdAt),
});

export async function createWebhook(ctx: WebhookContext, body: WebhookBody): Promise<WebhookEndpointResponse> {
  const problems: ErrorDetail[] = [];
  const urlProblem = webhookUrlProblem(body.url, ctx.production);
  if (urlProblem) problems.push({ path: 'url', message: urlProblem });
  const secretProblem = webhookSecretProblem(body.secret);
  if (secretProblem) problems.push({ path: 'secret', message: secretProblem });
  if (problems.length > 0) {
    throw new ApiError('WEBHOOK_ENDPOINT_INVALID', `Webhook endpoint refused: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}.`, problems);
  }
  const endpoint = ctx.em.create(WebhookEndpoint, { id: randomUUID(), url: body.url, secretSealed: ctx.secretBox.seal(body.secret) });
  await ctx.em.flush();
  try {
    await ctx.dispatchers.ensureRunning(endpoint.id);
  } catch (err) {
    // No dispatcher, no endpoint: the platform retries the whole registration.
    await ctx.em.nativeDelete(WebhookEndpoint, { id: endpoint.id });
    throw err;
  }
  return toEndpoint(endpoint);
}

export async function listWebhooks(ctx: WebhookContext): Promise<{ items: WebhookEndpointResponse[] }> {
  const endpoints = await ctx.em.find(WebhookEndpoint, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  return { items: endpoints.map(toEndpoint) };
}

async function loadEndpoint(ctx: WebhookContext, webhookId: string): Promise<IWebhookEndpoint> {
  const endpoint = await ctx.em.findOne(WebhookEndpoint, { id: webhookId });
  if (!endpoint) throw notFound(`No webhook endpoint ${webhookId}.`, 'webhookId');
  return endpoint;
}

/** Deletes the endpoint and its delivery log; its dispatcher sees it gone and ends. */
export async function deleteWebhook(ctx: WebhookContext, webhookId: string): Promise<void> {
  await loadEndpoint(ctx, webhookId);
  await ctx.em.nativeDelete(WebhookEndpoint, { id: webhookId });
}

export async function listDeliveries(
  ctx: WebhookContext,
  webhookId: string,
  query: { state?: IWebhookDelivery['state']; invoiceId?: string; page: number; pageSize: number },
) {
  await loadEndpoint(ctx, webhookId);
  const where = { endpointId: webhookId, ...(query.state ? { state: query.state } : {}), ...(query.invoiceId ? { invoiceId: query.invoiceId } : {}) };
  const [rows, total] = await ctx.em.findAndCount(WebhookDelivery, where, {
    orderBy: { eventSeq: 'desc' },
    limit: query.pageSize,
    offset: (query.page - 1) * query.pageSize,
  });
  return { items: rows.map(toDelivery), page: query.page, pageSize: query.pageSize, total };
}

/**
 * Sends the event again, with the same `webhook-id` (a receiver that dedupes processes it once), as soon as
 * the dispatcher gets to it, with a new retry window. Until then it is the invoice's oldest pending event, so
 * that invoice's later events wait behind it.
 */
export async function redeliver(ctx: WebhookContext, webhookId: string, deliveryId: string): Promise<WebhookDeliveryResponse> {
  await loadEndpoint(ctx, webhookId);
  const delivery = await ctx.em.findOne(WebhookDelivery, { id: deliveryId, endpointId: webhookId });
  if (!delivery) throw notFound(`No delivery ${deliveryId} for webhook endpoint ${webhookId}.`, 'deliveryId');
  ctx.em.assign(delivery, { state: 'PENDING', nextAttemptAt: new Date(), retryFrom: null, deliveredAt: null });
  await ctx.em.flush();
  await ctx.dispatchers.ensureRunning(webhookId);
  return toDelivery(delivery);
}

/**
 * Starts the dispatcher of every endpoint that has none running (one terminated by hand in the Web UI, or lost
 * with a Temporal server's data): called when the API starts. Returns how many endpoints were checked.
 */
export async function rearmWebhookDispatchers(em: EntityManager, dispatchers: WebhookDispatchers): Promise<number> {
  const endpoints = await em.find(WebhookEndpoint, {}, { fields: ['id'] });
  for (const endpoint of endpoints) await dispatchers.ensureRunning(endpoint.id);
  return endpoints.length;
}
