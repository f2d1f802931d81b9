/**
 * The webhook outbox: an event is written in the transaction of the change it tells (a status recorded, a mail
 * marked sent), so it exists if and only if the change was committed, and one delivery row is added for every
 * endpoint registered at that moment. The dispatcher (workflows/webhook-dispatcher.ts) sends them later: a
 * slow or failing endpoint never holds up the invoice.
 *
 * The caller must hold the invoice row's lock (SELECT … FOR UPDATE): the events of one invoice then get their
 * `seq` in commit order, which is the order they are delivered in.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { availableActions } from '../domain/actions';
import type { WebhookEventType } from '../domain/webhooks';
import { WebhookEndpoint, WebhookEvent, type IInvoice } from './entities';
import { invoiceView, linkedNumbers } from './invoice-view';

/** `webhook-id`: `msg_` + 32 hex digits, unique per event and the same on every retry. */
export const newWebhookEventId = (): string => `msg_${randomUUID().replace(/-/g, '')}`;

export interface OutboxEvent {
  type: WebhookEventType;
  /** ISO date-time of the change. */
  at: string;
  /** What this event adds to the invoice's view (the status change, the mail sent). */
  details: Record<string, unknown>;
}

/**
 * Writes the event and its deliveries in `em`'s transaction (flushed first, so the view is the invoice as
 * committed). Nothing is written while no endpoint is registered.
 */
export async function recordWebhookEvent(em: EntityManager, invoice: IInvoice, event: OutboxEvent): Promise<void> {
  if ((await em.count(WebhookEndpoint, {})) === 0) return;
  await em.flush();
  // The platform's view: the actions the platform may take now.
  const actions = availableActions({ status: invoice.status, chorusStatus: invoice.chorusStatus ?? null, buyerKind: invoice.buyerKind, documentType: invoice.documentType });
  const view = invoiceView(invoice, actions, await linkedNumbers(em, [invoice]));
  const body = JSON.stringify({ type: event.type, timestamp: event.at, data: { ...view, ...event.details } });
  const row = em.create(WebhookEvent, { eventId: newWebhookEventId(), invoiceId: invoice.invoiceId, type: event.type, body });
  await em.flush();
  await em.execute(
    `insert into "webhook_delivery" ("id", "endpoint_id", "event_seq", "event_id", "invoice_id", "type", "state", "attempts", "next_attempt_at", "created_at")
     select gen_random_uuid(), "id", ?, ?, ?, ?, 'PENDING', 0, now(), now() from "webhook_endpoint"`,
    [row.seq, row.eventId, invoice.invoiceId, event.type],
  );
}
