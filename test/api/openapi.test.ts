/** The OpenAPI document (pure): generated from the route schemas, covering every route the router serves. */
import { buildOpenApiDocument } from '../../api/openapi';
import { apiRouter } from '../../api/routes';
import { webhookRouter } from '../../api/webhook-routes';
import type { WebhookDispatchers } from '../../api/webhook-dispatchers';
import { createSecretBox } from '../../lib/secret-box';
import { loadConfig } from '../../config';
import type { InvoiceWorkflowGateway } from '../../api/invoice-workflow-gateway';
import type { ChorusAccounts } from '../../chorus';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument();

  it('When the router is built, then every one of its routes is documented with its method', () => {
    const deps = { config: loadConfig({}), workflows: {} as InvoiceWorkflowGateway, chorusAccounts: {} as ChorusAccounts, credentialsKey: Buffer.alloc(32) };
    const routers = [apiRouter(deps), webhookRouter({ dispatchers: {} as WebhookDispatchers, secretBox: createSecretBox('k'.repeat(32)), production: false })];
    const served = (routers as unknown as { stack: Layer[] }[])
      .flatMap((router) => router.stack)
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((m) => `${m} /api/v1${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`));
    const documented = Object.entries(doc.paths ?? {}).flatMap(([path, item]) => Object.keys(item as object).map((m) => `${m} ${path}`));
    expect(served.length).toBe(24);
    expect(documented.sort()).toEqual(served.sort());
  });

  it('When the document is read, then it is OpenAPI 3 with the three credentials and the error shape', () => {
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.components?.securitySchemes ?? {}).sort()).toEqual(['admin', 'platform', 'producer']);
    const error = JSON.stringify(doc.components?.schemas?.Error);
    for (const field of ['code', 'message', 'details', 'path']) expect(error).toContain(`"${field}"`);
  });

  it('When the order input is documented, then decimals are strings and unknown fields are refused', () => {
    const line = doc.components?.schemas?.OrderLine as { properties: Record<string, { type: string; pattern?: string }>; additionalProperties: boolean };
    expect(line.additionalProperties).toBe(false);
    expect(line.properties.unitPriceHT).toMatchObject({ type: 'string' });
    expect(line.properties.orderedQuantity?.pattern).toBe('^\\d{1,6}(\\.\\d{1,3})?$');
  });

  it('When a route refuses on business grounds, then its codes are listed under their status', () => {
    const send = doc.paths?.['/api/v1/invoices/{invoiceId}/send']?.post;
    const unprocessable = send?.responses?.['422'] as { description: string };
    expect(unprocessable.description).toBe('ENGAGEMENT_CODE_REQUIRED / CHORUS_NOT_ENABLED / CHORUS_ACCOUNT_NOT_ATTACHED / CHORUS_PASSWORD_EXPIRED / BUYER_NOT_PUBLIC');
    expect(Object.keys(send?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409', '422', '503']));
  });

  it('When the document is read, then check digits have a format, null is allowed where the server takes it, and every operation has an id', () => {
    const schemas = doc.components?.schemas as Record<string, { properties: Record<string, { format?: string; nullable?: boolean; pattern?: string }> }>;
    const order = schemas.OrderInput!;
    expect(order.properties.producerSiret).toMatchObject({ format: 'siret', pattern: '^\\d{14}$' });
    expect(schemas.BuyerInput!.properties.vatNumber).toMatchObject({ nullable: true, format: 'vat-number' });
    expect(schemas.ProducerInput!.properties.vatNumber).toMatchObject({ nullable: true });
    const payment = doc.components?.schemas?.PaymentMethod as { oneOf: { properties: Record<string, { format?: string }> }[] };
    expect(payment.oneOf).toHaveLength(2);
    expect(payment.oneOf[0]!.properties.iban!.format).toBe('iban');
    const operations = Object.values(doc.paths ?? {}).flatMap((item) => Object.values(item as Record<string, { operationId?: string }>));
    const ids = operations.map((o) => o.operationId);
    expect(ids.every((id) => typeof id === 'string')).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('When an action is documented, then its Idempotency-Key header carries the pattern the server checks', () => {
    const send = doc.paths?.['/api/v1/invoices/{invoiceId}/send']?.post as { parameters: { name: string; in: string; schema: { pattern: string } }[] };
    const header = send.parameters.find((p) => p.name === 'Idempotency-Key');
    expect(header?.in).toBe('header');
    const pattern = new RegExp(header!.schema.pattern);
    expect(pattern.test('retry-7f3c2a91')).toBe(true);
    expect(pattern.test('with space')).toBe(false);
    expect(pattern.test('x'.repeat(129))).toBe(false);
  });

  it('When POST /orders answers, then its links reach every invoice route and the order routes', () => {
    const created = doc.paths?.['/api/v1/orders']?.post?.responses?.['201'] as { links: Record<string, { operationId: string; parameters?: Record<string, string> }> };
    const invoiceRoutes = Object.entries(doc.paths ?? {})
      .filter(([path]) => path.startsWith('/api/v1/invoices/{invoiceId}'))
      .flatMap(([, item]) => Object.values(item as Record<string, { operationId: string }>).map((o) => o.operationId));
    expect(invoiceRoutes).toHaveLength(8);
    const linked = Object.values(created.links).map((l) => l.operationId);
    expect(linked).toEqual(expect.arrayContaining([...invoiceRoutes, 'validateQuantities', 'cancelOrder']));
    expect(created.links.getInvoice?.parameters).toEqual({ 'path.invoiceId': '$response.body#/invoiceId' });
  });

  it('When the document states a rule as a pattern, then the pattern means what the server checks', () => {
    const schemas = doc.components?.schemas as Record<string, { oneOf?: { properties: Record<string, { pattern?: string; enum?: string[] }> }[] }>;
    const attachment = schemas.AttachmentInput!.oneOf!;
    const pdf = attachment.find((v) => v.properties.contentType!.enum![0] === 'application/pdf')!;
    expect(new RegExp(pdf.properties.filename!.pattern!).test('bon.PDF')).toBe(true);
    expect(new RegExp(pdf.properties.filename!.pattern!).test('bon.csv')).toBe(false);
    const address = schemas.Address!.oneOf!;
    expect(address.map((v) => v.properties.postalCode!.pattern)).toEqual(['^\\d{5}$', '^[A-Za-z0-9 -]{2,16}$']);
    const line1 = (doc.components?.schemas?.OrderLine as { properties: Record<string, { pattern: string }> }).properties.label!.pattern;
    for (const [value, ok] of [['Carottes', true], ['  Carottes ', true], ['   ', false], ['a\u0001b', false], ['a\nb', false]] as const) {
      expect(new RegExp(line1).test(value)).toBe(ok);
    }
  });

  it('When the webhook routes are documented, then the secret rule, the 422 and the event body are in the contract', () => {
    const input = doc.components?.schemas?.WebhookInput as { properties: Record<string, { pattern?: string; description?: string }>; required: string[] };
    expect(input.required.sort()).toEqual(['secret', 'url']);
    expect(new RegExp(input.properties.secret!.pattern!).test('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')).toBe(true);
    const create = doc.paths?.['/api/v1/webhooks']?.post;
    expect((create?.responses?.['422'] as { description: string }).description).toBe('WEBHOOK_ENDPOINT_INVALID');
    expect(create?.description).toMatch(/webhook-signature/);
    const event = JSON.stringify(doc.components?.schemas?.WebhookEvent);
    for (const type of ['invoice.status_changed', 'invoice.chorus_status_changed', 'invoice.mail_sent']) expect(event).toContain(type);
  });
});
