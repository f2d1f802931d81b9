/**
 * The OpenAPI 3 document of the API, generated from the zod schemas the routes validate with
 * (served at /openapi.json, browsed at /docs).
 */
import { OpenAPIRegistry, OpenApiGeneratorV3, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from './zod';
import * as s from './schemas';
import * as wh from './webhook-schemas';
import { ERROR_STATUS } from './errors';
import { IDEMPOTENCY_KEY } from './http';
import { applyContractRefinements, LINKS } from './openapi-contract';

type Security = 'platform' | 'producer' | 'admin';
type Responses = RouteConfig['responses'];

const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

function errors(...codes: (keyof typeof ERROR_STATUS)[]): Responses {
  const byStatus = new Map<number, string[]>();
  for (const code of ['UNAUTHENTICATED', 'RATE_LIMITED', 'INTERNAL', 'UNAVAILABLE', ...codes] as const) {
    const status = ERROR_STATUS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [String(status), { description: list.join(' / '), ...json(s.errorResponse) }]),
  );
}

const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .regex(IDEMPOTENCY_KEY)
    .optional()
    .openapi({
      description:
        'Deduplicates a retried action: the same key gets the first result. 1 to 128 letters, digits, ".", "_", ":" or "-" (400 otherwise). Defaults to X-Request-Id.',
      example: 'retry-7f3c2a91',
    }),
});

type Route = (security: Security[], config: Omit<RouteConfig, 'security'>) => void;

function registerSecuritySchemes(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'platform', {
    type: 'http',
    scheme: 'bearer',
    description: 'The platform (Agrilocal backend) key: AGRILOCAL_API_KEY. May act for any producer.',
  });
  registry.registerComponent('securitySchemes', 'producer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A producer token: JWT HS256 signed with PRODUCER_JWT_SECRET, sub = the producer SIRET, role = "producer".',
  });
  registry.registerComponent('securitySchemes', 'admin', {
    type: 'http',
    scheme: 'bearer',
    description: 'The admin key: ADMIN_API_KEY. Reads everything.',
  });
}

function profileRoutes(route: Route): void {
  route(['platform'], {
    operationId: 'putProducer',
    method: 'put',
    path: '/producers/{siret}',
    tags: ['Profiles'],
    summary: 'Create or replace a producer profile',
    request: { params: s.siretParams, body: { required: true, ...json(s.producerBody) } },
    responses: {
      200: { description: 'Updated', ...json(s.producer) },
      201: { description: 'Created', ...json(s.producer) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'CHORUS_ACCOUNT_NOT_ATTACHED', 'INVOICE_DATA_INVALID'),
    },
  });
  route(['platform', 'producer', 'admin'], {
    operationId: 'getProducer',
    method: 'get',
    path: '/producers/{siret}',
    tags: ['Profiles'],
    summary: 'Read a producer profile (a producer reads his own), with his own Chorus technical account if any (never its password)',
    request: { params: s.siretParams },
    responses: {
      200: { description: 'The producer', ...json(s.producer) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND'),
    },
  });
  route(['platform'], {
    operationId: 'putProducerChorusAccount',
    method: 'put',
    path: '/producers/{siret}/chorus-account',
    tags: ['Profiles'],
    summary:
      "Give the producer his own Chorus technical account (used instead of the platform's for his deposits). Checked with Chorus first; the password is stored encrypted and never answered",
    request: { params: s.siretParams, body: { required: true, ...json(s.chorusAccountBody) } },
    responses: {
      200: { description: 'Replaced: the producer', ...json(s.producer) },
      201: { description: 'Created: the producer', ...json(s.producer) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'CHORUS_CREDENTIALS_REFUSED', 'CHORUS_ACCOUNT_NOT_ATTACHED'),
    },
  });
  route(['platform'], {
    operationId: 'deleteProducerChorusAccount',
    method: 'delete',
    path: '/producers/{siret}/chorus-account',
    tags: ['Profiles'],
    summary: "Forget the producer's own Chorus technical account: the platform's acts for him again (idempotent)",
    request: { params: s.siretParams },
    responses: {
      204: { description: 'Forgotten' },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND'),
    },
  });
  route(['platform'], {
    operationId: 'createLoginLink',
    method: 'post',
    path: '/producers/{siret}/login-links',
    tags: ['Profiles'],
    summary: "A single-use link (15 minutes) that signs the producer in to his web space (/factures); hand it to his browser",
    request: { params: s.siretParams },
    responses: {
      201: { description: 'Created', ...json(s.loginLink) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'UNKNOWN_PRODUCER', 'UNSUPPORTED_MEDIA_TYPE'),
    },
  });
  route(['platform'], {
    operationId: 'putBuyer',
    method: 'put',
    path: '/buyers/{siret}',
    tags: ['Profiles'],
    summary: 'Create or replace a buyer profile',
    request: { params: s.siretParams, body: { required: true, ...json(s.buyerBody) } },
    responses: {
      200: { description: 'Updated', ...json(s.buyer) },
      201: { description: 'Created', ...json(s.buyer) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'INCONSISTENT_DATA'),
    },
  });
}

function orderRoutes(route: Route): void {
  route(['platform'], {
    operationId: 'createOrder',
    method: 'post',
    path: '/orders',
    tags: ['Orders'],
    summary: 'Register an order: creates its invoice record and starts its workflow (idempotent by orderId)',
    request: { body: { required: true, ...json(s.orderBody) } },
    responses: {
      201: {
        description: 'Created',
        headers: z.object({ Location: z.string().openapi({ example: '/api/v1/invoices/0b6f3d1e-4a57-4c1b-9a4e-2f9d6a0c7e11' }) }),
        ...json(s.orderCreated),
      },
      200: { description: 'The same order was already registered: same answer', ...json(s.orderCreated) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'CONFLICT', 'UNKNOWN_PRODUCER', 'UNKNOWN_BUYER', 'INCONSISTENT_DATA', 'INVOICE_DATA_INVALID', 'PAYLOAD_TOO_LARGE'),
    },
  });
  route(['platform'], {
    operationId: 'validateQuantities',
    method: 'post',
    path: '/orders/{orderId}/quantity-validation',
    tags: ['Orders'],
    summary: 'Validate the delivered quantities: the invoice is created (status A_TRAITER)',
    request: { params: s.orderIdParams, headers: idempotencyHeader, body: { required: true, ...json(s.quantityValidationBody) } },
    responses: {
      200: { description: 'The invoice', ...json(s.invoice) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', 'INCONSISTENT_DATA'),
    },
  });
  route(['platform'], {
    operationId: 'cancelOrder',
    method: 'post',
    path: '/orders/{orderId}/cancel',
    tags: ['Orders'],
    summary: 'Cancel an order: before invoicing it is cancelled; once invoiced, a credit note (avoir) cancels its invoice',
    request: { params: s.orderIdParams, headers: idempotencyHeader, body: { ...json(s.cancelBody) } },
    responses: {
      200: { description: 'The cancelled order (status ANNULEE), or once invoiced the credit note (documentType CREDIT_NOTE) that cancels its invoice', ...json(s.invoice) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE'),
    },
  });
}

function invoiceRoutes(route: Route): void {
  const invoiceAction = (path: string, summary: string, body: z.ZodObject | z.ZodType, extra: (keyof typeof ERROR_STATUS)[]) =>
    route(['platform', 'producer'], {
      operationId: `${path.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase())}Invoice`,
      method: 'post',
      path: `/invoices/{invoiceId}/${path}`,
      tags: ['Invoices'],
      summary,
      request: { params: s.invoiceIdParams, headers: idempotencyHeader, body: { required: true, ...json(body) } },
      responses: {
        200: { description: 'The invoice after the action', ...json(s.invoice) },
        ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND', 'INVALID_STATE', ...extra),
      },
    });

  route(['platform', 'producer', 'admin'], {
    operationId: 'listInvoices',
    method: 'get',
    path: '/invoices',
    tags: ['Invoices'],
    summary: 'List invoices ("à traiter", "traitées", filters), newest first',
    request: { query: s.listQuery },
    responses: { 200: { description: 'One page', ...json(s.invoiceList) }, ...errors('VALIDATION_ERROR') },
  });
  route(['platform', 'producer', 'admin'], {
    operationId: 'getInvoice',
    method: 'get',
    path: '/invoices/{invoiceId}',
    tags: ['Invoices'],
    summary: 'One invoice with its actions and history',
    request: { params: s.invoiceIdParams },
    responses: { 200: { description: 'The invoice', ...json(s.invoice) }, ...errors('VALIDATION_ERROR', 'NOT_FOUND') },
  });
  route(['platform', 'producer', 'admin'], {
    operationId: 'getInvoicePdf',
    method: 'get',
    path: '/invoices/{invoiceId}/pdf',
    tags: ['Invoices'],
    summary: 'The Factur-X PDF of the invoice (404 before the quantities are validated; 409 DOCUMENT_NOT_READY, with Retry-After, for the seconds it takes to draw)',
    request: { params: s.invoiceIdParams },
    responses: {
      200: { description: 'Factur-X (PDF/A-3 with its CII XML)', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
      ...errors('VALIDATION_ERROR', 'NOT_FOUND', 'DOCUMENT_NOT_READY'),
    },
  });
  invoiceAction('send', 'Send the invoice through Chorus Pro or by e-mail', s.sendBody, ['ENGAGEMENT_CODE_REQUIRED', 'CHORUS_NOT_ENABLED', 'CHORUS_ACCOUNT_NOT_ATTACHED', 'CHORUS_PASSWORD_EXPIRED', 'BUYER_NOT_PUBLIC']);
  invoiceAction('mark-processed', 'Mark as processed (deposited on the Chorus portal by the producer)', s.emptyBody, []);
  invoiceAction('archive', 'Archive the invoice', s.emptyBody, []);
  invoiceAction('recycle', 'Recycle an invoice Chorus holds as A_RECYCLER to a new recipient or commitment', s.recycleBody, ['UNKNOWN_BUYER', 'BUYER_NOT_PUBLIC']);
  invoiceAction(
    'reissue',
    'Cancel the invoice by a credit note (avoir, type 381, same series) and issue its replacement with what changes; allowed "à traiter", rejected (flow or buyer) or mailed; 409 while Chorus processes it or once paid. Answers the cancelled invoice with its links.',
    s.reissueBody,
    ['UNKNOWN_BUYER', 'INVOICE_DATA_INVALID', 'INCONSISTENT_DATA'],
  );
  invoiceAction('complete', 'Complete a SUSPENDUE invoice with the missing documents (10 MB each)', s.completeBody, ['PAYLOAD_TOO_LARGE']);
}

const WEBHOOK_DELIVERY_TEXT =
  'Every invoice status or Chorus status change and every mail sent is POSTed to each endpoint as a WebhookEvent ' +
  '(Standard Webhooks): headers webhook-id (the same on every retry: dedupe on it), webhook-timestamp (Unix seconds) and ' +
  'webhook-signature "v1,<base64 HMAC-SHA256(secret bytes, id + "." + timestamp + "." + body)>". In order per invoice; ' +
  'a 2xx answer is a delivery, anything else is retried with back-off for up to 3 days.';

function webhookRoutes(route: Route): void {
  route(['platform'], {
    operationId: 'createWebhook',
    method: 'post',
    path: '/webhooks',
    tags: ['Webhooks'],
    summary: 'Register a webhook endpoint',
    description: WEBHOOK_DELIVERY_TEXT,
    request: { body: { required: true, ...json(wh.webhookBody) } },
    responses: {
      201: {
        description: 'Registered (the secret is never returned)',
        headers: z.object({ Location: z.string().openapi({ example: '/api/v1/webhooks/5d0c1f64-2b8e-4c3f-9d7a-1e2b3c4d5e6f' }) }),
        ...json(wh.webhookEndpoint),
      },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'WEBHOOK_ENDPOINT_INVALID', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'),
    },
  });
  route(['platform'], {
    operationId: 'listWebhooks',
    method: 'get',
    path: '/webhooks',
    tags: ['Webhooks'],
    summary: 'The registered webhook endpoints',
    responses: { 200: { description: 'Every endpoint, oldest first', ...json(wh.webhookList) }, ...errors('FORBIDDEN') },
  });
  route(['platform'], {
    operationId: 'deleteWebhook',
    method: 'delete',
    path: '/webhooks/{webhookId}',
    tags: ['Webhooks'],
    summary: 'Delete a webhook endpoint and its delivery log (pending events are dropped)',
    request: { params: wh.webhookIdParams },
    responses: { 204: { description: 'Deleted' }, ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND') },
  });
  route(['platform'], {
    operationId: 'listWebhookDeliveries',
    method: 'get',
    path: '/webhooks/{webhookId}/deliveries',
    tags: ['Webhooks'],
    summary: "The endpoint's delivery log, newest event first",
    request: { params: wh.webhookIdParams, query: wh.deliveryListQuery },
    responses: { 200: { description: 'One page', ...json(wh.webhookDeliveryList) }, ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND') },
  });
  route(['platform'], {
    operationId: 'redeliverWebhookEvent',
    method: 'post',
    path: '/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
    tags: ['Webhooks'],
    summary: 'Send an event again (same webhook-id), with a new retry window',
    request: { params: wh.deliveryParams, body: { ...json(s.emptyBody) } },
    responses: {
      202: { description: 'Queued: the dispatcher sends it next (after the invoice’s earlier pending events)', ...json(wh.webhookDelivery) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN', 'NOT_FOUND', 'UNSUPPORTED_MEDIA_TYPE'),
    },
  });
}

function adminRoutes(route: Route): void {
  route(['admin'], {
    method: 'get',
    path: '/admin/chorus-accounts',
    operationId: 'listChorusAccounts',
    tags: ['Admin'],
    summary:
      "The Chorus technical accounts (the platform's, then the producers' own by SIRET) and when their passwords expire; never a password",
    request: { query: s.chorusAccountsQuery },
    responses: {
      200: { description: 'The accounts', ...json(s.chorusAccounts) },
      ...errors('VALIDATION_ERROR', 'FORBIDDEN'),
    },
  });
}

export function buildOpenApiDocument(): ReturnType<OpenApiGeneratorV3['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registerSecuritySchemes(registry);
  // Each operation's links (openapi-contract.ts) on its success answers: how a client (or a stateful tester) goes
  // from the id an answer gives to the routes that take it.
  const route: Route = (security, config) => {
    const links = config.operationId ? LINKS[config.operationId] : undefined;
    const responses: Responses = Object.fromEntries(
      Object.entries(config.responses).map(([status, response]) => [status, links && /^2/.test(status) ? { ...response, links } : response]),
    );
    registry.registerPath({ ...config, responses, path: `/api/v1${config.path}`, security: security.map((name) => ({ [name]: [] })) });
  };
  profileRoutes(route);
  orderRoutes(route);
  invoiceRoutes(route);
  webhookRoutes(route);
  adminRoutes(route);
  // The body every endpoint receives (OpenAPI 3.0 has no top-level webhooks: documented as a component).
  registry.register('WebhookEvent', wh.webhookEvent);

  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Agrilocal invoicing API',
      version: '1.0.0',
      description:
        'Carries Agrilocal producer invoices to public buyers through Chorus Pro, with a mail fallback. ' +
        'Errors: {"error": {"code", "message", "details": [{"path", "message"}]}}. Decimals are strings.',
    },
    servers: [{ url: '/' }],
  });
  return applyContractRefinements(document);
}
