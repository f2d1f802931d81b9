/**
 * What the OpenAPI document says beyond what zod-to-openapi derives from the schemas, so that the document is the
 * server's contract (test/api/contract.test.ts runs schemathesis on it):
 * - the links between operations (an answer's ids to the routes that take them), for clients and stateful testers;
 * - the rules the zod schemas check in a refinement that JSON Schema can state all the same (a postal code that
 *   depends on the country, an extension that depends on the content type, "at least one of"), rebuilt here from
 *   the same constants the refinements use.
 */
import type { OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { ATTACHMENT_TYPES, BASE64_PATTERN, FILENAME_STEM, MAX_ATTACHMENT_BYTES, MAX_FILENAME_CHARS } from './schemas';

type Document = ReturnType<OpenApiGeneratorV3['generateDocument']>;
type Schema = Record<string, unknown> & { properties?: Record<string, Record<string, unknown>>; required?: string[] };
interface Link {
  operationId: string;
  description: string;
  parameters?: Record<string, string>;
  requestBody?: unknown;
}

/** Every operation that takes an invoice id in its path. */
const INVOICE_OPERATIONS = ['getInvoice', 'getInvoicePdf', 'sendInvoice', 'markProcessedInvoice', 'archiveInvoice', 'recycleInvoice', 'reissueInvoice', 'completeInvoice'];

/** Links to every invoice route from an answer whose body has the invoice's `invoiceId`. */
function invoiceLinks(from: string): Record<string, Link> {
  return Object.fromEntries(
    INVOICE_OPERATIONS.map((operationId) => [
      operationId,
      { operationId, parameters: { 'path.invoiceId': '$response.body#/invoiceId' }, description: `The invoice ${from} (its invoiceId; also the Location header of a 201)` },
    ]),
  );
}

const siretOfRequest = { 'path.siret': '$request.path.siret' };

/** Links of each operation's success answers, by operationId. */
export const LINKS: Record<string, Record<string, Link>> = {
  putProducer: {
    getProducer: { operationId: 'getProducer', parameters: siretOfRequest, description: 'The producer just written' },
    putProducerChorusAccount: { operationId: 'putProducerChorusAccount', parameters: siretOfRequest, description: "Give him his own Chorus technical account" },
    deleteProducerChorusAccount: { operationId: 'deleteProducerChorusAccount', parameters: siretOfRequest, description: 'Forget his own Chorus account' },
    createLoginLink: { operationId: 'createLoginLink', parameters: siretOfRequest, description: 'A sign-in link to his web space' },
    // A buyer of the same SIRET, so that the next link (buyer -> order) names a producer and a buyer that both exist.
    putBuyer: { operationId: 'putBuyer', parameters: siretOfRequest, description: 'A buyer profile under the same SIRET (test data: the same establishment buying and selling)' },
    createOrder: { operationId: 'createOrder', requestBody: { producerSiret: '$request.path.siret' }, description: 'An order of this producer' },
  },
  putBuyer: {
    createOrder: {
      operationId: 'createOrder',
      requestBody: { buyerSiret: '$request.path.siret', producerSiret: '$request.path.siret' },
      description: 'An order for this buyer (from a producer of the same SIRET, when there is one)',
    },
    listInvoices: { operationId: 'listInvoices', parameters: { 'query.buyerSiret': '$request.path.siret' }, description: "This buyer's invoices" },
  },
  createOrder: {
    ...invoiceLinks('the order created'),
    validateQuantities: {
      operationId: 'validateQuantities',
      parameters: { 'path.orderId': '$response.body#/orderId' },
      // Delivered as ordered: what an order of one line needs (an order of several lines gets 422 naming the missing ones).
      requestBody: { lines: [{ lineId: '$request.body#/lines/0/lineId', deliveredQuantity: '$request.body#/lines/0/orderedQuantity' }] },
      description: 'Validate its delivered quantities',
    },
    cancelOrder: { operationId: 'cancelOrder', parameters: { 'path.orderId': '$response.body#/orderId' }, description: 'Cancel it' },
    listInvoices: { operationId: 'listInvoices', parameters: { 'query.producerSiret': '$request.body#/producerSiret' }, description: "The producer's invoices" },
  },
  validateQuantities: invoiceLinks('just invoiced'),
  cancelOrder: invoiceLinks('cancelled, or the credit note that cancels it'),
  sendInvoice: invoiceLinks('sent'),
  markProcessedInvoice: invoiceLinks('marked processed'),
  archiveInvoice: invoiceLinks('archived'),
  recycleInvoice: invoiceLinks('recycled'),
  reissueInvoice: {
    ...invoiceLinks('cancelled'),
    getCreditNote: { operationId: 'getInvoice', parameters: { 'path.invoiceId': '$response.body#/cancelledBy/invoiceId' }, description: 'The credit note that cancels it' },
    getReplacement: { operationId: 'getInvoice', parameters: { 'path.invoiceId': '$response.body#/replacedBy/invoiceId' }, description: 'Its replacement' },
  },
  completeInvoice: invoiceLinks('completed'),
  createWebhook: {
    listWebhookDeliveries: { operationId: 'listWebhookDeliveries', parameters: { 'path.webhookId': '$response.body#/id' }, description: 'Its delivery log' },
    deleteWebhook: { operationId: 'deleteWebhook', parameters: { 'path.webhookId': '$response.body#/id' }, description: 'Delete it' },
  },
  listWebhookDeliveries: {
    redeliverWebhookEvent: {
      operationId: 'redeliverWebhookEvent',
      parameters: { 'path.webhookId': '$request.path.webhookId', 'path.deliveryId': '$response.body#/items/0/deliveryId' },
      description: 'Send the newest event again',
    },
  },
};

/** Letters of an extension in either case, as the server compares them ("PDF" is a pdf). */
const anyCase = (extension: string): string => [...extension].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');

/** The longest base64 text of at most MAX_ATTACHMENT_BYTES bytes. */
const MAX_BASE64_CHARS = Math.ceil(MAX_ATTACHMENT_BYTES / 3) * 4;

/** One variant of an attachment per content type: its file name must end with one of the type's extensions. */
function attachmentVariants(generated: Schema): Schema[] {
  return Object.entries(ATTACHMENT_TYPES).map(([contentType, extensions]) => ({
    ...generated,
    properties: {
      ...generated.properties,
      filename: {
        ...generated.properties?.filename,
        type: 'string',
        minLength: 1,
        maxLength: MAX_FILENAME_CHARS,
        pattern: `^${FILENAME_STEM}\\.(?:${extensions.map(anyCase).join('|')})$`,
        example: `piece-jointe.${extensions[0]}`,
      },
      contentType: { type: 'string', enum: [contentType] },
      contentBase64: {
        type: 'string',
        minLength: 4,
        maxLength: MAX_BASE64_CHARS,
        pattern: BASE64_PATTERN,
        description: `Standard base64 with padding, at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB once decoded`,
        example: 'JVBERi0xLjcK',
      },
    },
  }));
}

/** A French postal code (5 digits) when the country is FR or not given; another country's code otherwise. */
function addressVariants(generated: Schema): Schema[] {
  const required = generated.required ?? [];
  return [
    {
      ...generated,
      properties: {
        ...generated.properties,
        postalCode: { type: 'string', pattern: '^\\d{5}$', example: '24000' },
        country: { type: 'string', enum: ['FR'], description: 'FR, or absent: a French address' },
      },
    },
    {
      ...generated,
      required: [...required, 'country'],
      properties: {
        ...generated.properties,
        postalCode: { type: 'string', pattern: '^[A-Za-z0-9 -]{2,16}$', example: '1000' },
        country: { type: 'string', pattern: '^(?:[A-EG-Z][A-Z]|F[A-QS-Z])$', description: 'ISO 3166 code of another country than FR', example: 'BE' },
      },
    },
  ];
}

export function applyContractRefinements(document: Document): Document {
  const schemas = (document.components?.schemas ?? {}) as Record<string, Schema>;
  const replace = (name: string, make: (generated: Schema) => Schema) => {
    const generated = schemas[name];
    if (!generated) throw new Error(`OpenAPI document: no component ${name} to refine`);
    schemas[name] = make(generated);
  };
  replace('Address', (generated) => ({
    oneOf: addressVariants(generated),
    description: 'postalCode: 5 digits for a French address (country FR or absent), else 2 to 16 letters, digits, spaces or hyphens.',
  }));
  replace('AttachmentInput', (generated) => ({
    oneOf: attachmentVariants(generated),
    description: 'The file name ends with an extension of its content type (.pdf for application/pdf, .jpg or .jpeg for image/jpeg, …).',
  }));
  replace('CompleteInput', (generated) => ({
    ...generated,
    anyOf: [{ required: ['comment'] }, { properties: { attachments: { type: 'array', minItems: 1 } } }],
    description: 'At least one attachment, or a comment.',
  }));
  replace('RecycleInput', (generated) => ({ ...generated, minProperties: 1 }));
  return document;
}
