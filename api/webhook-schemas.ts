/**
 * Schemas of the webhook routes and of the events they deliver (the same zod definitions validate requests and
 * make the OpenAPI document). What a URL or a secret must be beyond its type is domain/webhooks.ts' rule,
 * checked by the use case (422 WEBHOOK_ENDPOINT_INVALID naming the field) and stated here for the contract.
 */
import { z } from './zod';
import { WEBHOOK_EVENT_TYPES, WEBHOOK_SECRET_MAX_BYTES, WEBHOOK_SECRET_MIN_BYTES, WEBHOOK_SECRET_PATTERN } from '../domain/webhooks';
import { invoiceSummary } from './schemas';

export { emptyBody } from './schemas';

const expected = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : `must be ${what}`) });
const uuid = (example: string) => z.guid('must be a UUID').openapi({ example });

export const webhookBody = z
  .strictObject({
    url: z
      .string(expected('a URL'))
      .max(2048, 'must be at most 2048 characters')
      .openapi({
        format: 'uri',
        example: 'https://agrilocal.example/webhooks/invoicing',
        description: 'Where events are POSTed: https (plain http is accepted to loopback only, outside production). No user info, no #fragment.',
      }),
    secret: z
      .string(expected('a string "whsec_" + base64'))
      .max(200, 'must be at most 200 characters')
      .openapi({
        pattern: WEBHOOK_SECRET_PATTERN.source,
        example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        description:
          `The signing secret (Standard Webhooks): "whsec_" + standard base64 of ${WEBHOOK_SECRET_MIN_BYTES} to ` +
          `${WEBHOOK_SECRET_MAX_BYTES} random bytes. Stored encrypted, never returned.`,
      }),
  })
  .openapi('WebhookInput');
export type WebhookBody = z.infer<typeof webhookBody>;

export const webhookEndpoint = z
  .object({
    id: uuid('5d0c1f64-2b8e-4c3f-9d7a-1e2b3c4d5e6f'),
    url: z.string().openapi({ format: 'uri' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('WebhookEndpoint');
export type WebhookEndpointResponse = z.infer<typeof webhookEndpoint>;

export const webhookList = z.object({ items: z.array(webhookEndpoint) }).openapi('WebhookEndpointList');

export const webhookIdParams = z.strictObject({ webhookId: uuid('5d0c1f64-2b8e-4c3f-9d7a-1e2b3c4d5e6f') });
export const deliveryParams = z.strictObject({
  webhookId: uuid('5d0c1f64-2b8e-4c3f-9d7a-1e2b3c4d5e6f'),
  deliveryId: uuid('9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'),
});

const DELIVERY_STATES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
const intParam = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

export const deliveryListQuery = z.strictObject({
  state: z.enum(DELIVERY_STATES).optional(),
  invoiceId: z.guid('must be a UUID').optional(),
  page: intParam(1, 100_000, 1),
  pageSize: intParam(1, 100, 20),
});

export const webhookDelivery = z
  .object({
    deliveryId: z.string().openapi({ format: 'uuid' }),
    eventId: z.string().openapi({ description: 'The webhook-id header of the event (the same on every attempt)', example: 'msg_2b4f0c1d9e8a4b7c8d6e5f4a3b2c1d0e' }),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    invoiceId: z.string().openapi({ format: 'uuid' }),
    state: z.enum(DELIVERY_STATES).openapi({ description: 'PENDING (waiting, or retrying), DELIVERED (2xx), FAILED (given up after WEBHOOK_RETRY_FOR)' }),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable().openapi({ format: 'date-time', description: 'PENDING only' }),
    lastAttemptAt: z.string().nullable().openapi({ format: 'date-time' }),
    lastStatusCode: z.number().int().nullable().openapi({ description: "The endpoint's last HTTP status" }),
    lastError: z.string().nullable().openapi({ description: 'Why the last attempt failed (HTTP status, timeout, connection refused)' }),
    deliveredAt: z.string().nullable().openapi({ format: 'date-time' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('WebhookDelivery');
export type WebhookDeliveryResponse = z.infer<typeof webhookDelivery>;

export const webhookDeliveryList = z
  .object({ items: z.array(webhookDelivery), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })
  .openapi('WebhookDeliveryList');

/** What an endpoint receives (documentation of the callback; the body is signed as is). */
export const webhookEvent = z
  .object({
    type: z.enum(WEBHOOK_EVENT_TYPES),
    timestamp: z.string().openapi({ format: 'date-time', description: 'When the change happened' }),
    data: invoiceSummary
      .extend({
        change: z
          .object({
            seq: z.number().int(),
            previousStatus: z.string(),
            status: z.string(),
            previousChorusStatus: z.string().nullable(),
            chorusStatus: z.string().nullable(),
            detail: z.string().nullable(),
          })
          .optional()
          .openapi({ description: 'invoice.status_changed and invoice.chorus_status_changed: the step of the history' }),
        mail: z
          .object({
            kind: z.string(),
            mailKey: z.string(),
            to: z.enum(['BUYER', 'PRODUCER']),
            recipient: z.string(),
            messageId: z.string(),
            reason: z.string().nullable(),
          })
          .optional()
          .openapi({ description: 'invoice.mail_sent: the mail accepted by the SMTP server' }),
      })
      .openapi({ description: 'The invoice as GET /invoices/{invoiceId} shows it to the platform when the event happened (without history)' }),
  })
  .openapi('WebhookEvent');
