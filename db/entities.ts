/**
 * Database entities (MikroORM `defineEntity`, no decorators). Chorus field names stay verbatim.
 * Amounts are PostgreSQL `numeric` mapped to strings: never binary floats.
 */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { OrderLine } from '../domain/order';
import type { Address, PaymentMethod } from '../domain/party';
import type { DocumentType } from '../domain/credit-notes';
import type { InvoiceStatus } from '../domain/statuses';

export const Producer = defineEntity({
  name: 'Producer',
  tableName: 'producer',
  properties: {
    siret: p.string().length(14).primary(),
    name: p.string().length(200),
    email: p.string().length(254),
    address: p.json<Address>(),
    vatNumber: p.string().length(20).nullable(),
    /** The legal mention of the VAT exemption the producer states ("TVA non applicable, art. 293 B du CGI"), or null. */
    vatExemptionMention: p.string().length(200).nullable(),
    chorusEnabled: p.boolean().default(false),
    paymentMethod: p.json<PaymentMethod>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IProducer = InferEntity<typeof Producer>;

/**
 * A producer's own Chorus technical account, given by the platform: used instead of the platform's for his
 * deposits and their follow-up. The password is sealed (lib/secret-box.ts, CHORUS_CREDENTIALS_KEY) and never
 * leaves the server; its expiry is the last one Chorus gave (`dateExpirationMotPasseCompteTech`).
 */
export const ProducerChorusAccount = defineEntity({
  name: 'ProducerChorusAccount',
  tableName: 'producer_chorus_account',
  properties: {
    producerSiret: p.string().length(14).primary(),
    login: p.string().length(200),
    passwordSealed: p.text(),
    passwordExpiresAt: p.datetime().nullable(),
    /** When the expiry above was read from Chorus. */
    expiryReadAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IProducerChorusAccount = InferEntity<typeof ProducerChorusAccount>;

export const Buyer = defineEntity({
  name: 'Buyer',
  tableName: 'buyer',
  properties: {
    siret: p.string().length(14).primary(),
    name: p.string().length(200),
    email: p.string().length(254),
    kind: p.enum(['PUBLIC', 'PRIVATE'] as const),
    address: p.json<Address>(),
    vatNumber: p.string().length(20).nullable(),
    serviceCode: p.string().length(100).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IBuyer = InferEntity<typeof Buyer>;

/** One order line, ordered then delivered; decimals as strings. */
export interface InvoiceLine extends OrderLine {
  deliveredQuantity?: string;
  /** Filled when the invoice is built. */
  totalHT?: string;
}

export interface Totals {
  ht: string;
  tva: string;
  ttc: string;
}

/**
 * The invoice of one order: the order as received, then the invoice once quantities are validated.
 * `status` / `chorusStatus` are written only by the workflow's activities (current state); `invoice_history`
 * keeps every change.
 */
export const Invoice = defineEntity({
  name: 'Invoice',
  tableName: 'invoice',
  properties: {
    invoiceId: p.uuid().primary(),
    /** An order's first invoice is unique (partial index); its credit notes and replacements share the orderId. */
    orderId: p.string().length(100).index(),
    documentType: p.string().length(20).$type<DocumentType>().default('INVOICE'),
    /** Credit note -> the invoice it cancels; invoice -> the credit note that cancels it. */
    cancelsInvoiceId: p.uuid().nullable(),
    cancelledByInvoiceId: p.uuid().nullable(),
    /** Replacement invoice -> the invoice it replaces; invoice -> its replacement. */
    replacesInvoiceId: p.uuid().nullable(),
    replacedByInvoiceId: p.uuid().nullable(),
    /** On a credit note: the Idempotency-Key of the request that issued it (a retry gets the same answer). */
    issueKey: p.string().length(200).nullable(),
    workflowId: p.string().length(120),
    /** sha256 of the canonical order body: same body again = same answer, another body = 409. */
    orderHash: p.string().length(64),
    producerSiret: p.string().length(14).index(),
    buyerSiret: p.string().length(14).index(),
    buyerKind: p.enum(['PUBLIC', 'PRIVATE'] as const),
    deliveryDate: p.date(),
    lines: p.json<InvoiceLine[]>(),
    engagementCodeRequired: p.boolean().default(false),
    engagementCode: p.string().length(50).nullable(),
    serviceCode: p.string().length(100).nullable(),
    marketNumber: p.string().length(100).nullable(),
    validatedBy: p.enum(['PRODUCER', 'BUYER'] as const).nullable(),
    number: p.string().length(20).nullable(),
    issueDate: p.date().nullable(),
    dueDate: p.date().nullable(),
    totalHt: p.decimal('string').precision(14).scale(2).nullable(),
    totalTva: p.decimal('string').precision(14).scale(2).nullable(),
    totalTtc: p.decimal('string').precision(14).scale(2).nullable(),
    status: p.string().length(40).$type<InvoiceStatus>().index(),
    chorusStatus: p.string().length(60).nullable().index(),
    /** When the lifecycle sync last found this status on Chorus (activities/lifecycle-sync.ts): no safety look needed. */
    chorusSeenAt: p.datetime().nullable(),
    numeroFluxDepot: p.string().length(40).nullable(),
    /** Indexed: the lifecycle poll finds the invoice (and its producer's Chorus account) by it. */
    identifiantFactureCPP: p.string().length(40).nullable().index(),
    /** Chorus' reasons for a rejected flow or invoice, verbatim. */
    chorusErrors: p.json<string[]>().nullable(),
    cancelReason: p.string().length(500).nullable(),
    /** Last sequence number of `invoice_history` written (history rows are keyed by it). */
    historySeq: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['producerSiret', 'number'], name: 'invoice_producer_number_unique' }],
  indexes: [
    { properties: ['producerSiret', 'status', 'createdAt'], name: 'invoice_producer_status_idx' },
    // Newest-first lists without a producer filter (migration 20261127200000).
    { name: 'invoice_created_at_idx', expression: 'create index "invoice_created_at_idx" on "invoice" ("created_at" desc, "invoice_id")' },
    // One first invoice per order (migration 20261202190000); credit notes and replacements share its orderId.
    {
      name: 'invoice_order_first_unique',
      expression: `create unique index "invoice_order_first_unique" on "invoice" ("order_id") where "document_type" = 'INVOICE' and "replaces_invoice_id" is null`,
    },
  ],
});
export type IInvoice = InferEntity<typeof Invoice>;

/** Every status change, keyed by (invoiceId, seq) so that a retried write is a no-op. */
export const InvoiceHistory = defineEntity({
  name: 'InvoiceHistory',
  tableName: 'invoice_history',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    invoiceId: p.uuid().index(),
    seq: p.integer(),
    at: p.datetime(),
    status: p.string().length(40),
    chorusStatus: p.string().length(60).nullable(),
    detail: p.text().nullable(),
  },
  uniques: [{ properties: ['invoiceId', 'seq'], name: 'invoice_history_invoice_seq_unique' }],
});
export type IInvoiceHistory = InferEntity<typeof InvoiceHistory>;

/** The Factur-X PDF of an invoice (kept out of Temporal payloads). */
export const InvoiceDocument = defineEntity({
  name: 'InvoiceDocument',
  tableName: 'invoice_document',
  properties: {
    invoiceId: p.uuid().primary(),
    filename: p.string().length(120),
    pdf: p.blob(),
    sha256: p.string().length(64),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IInvoiceDocument = InferEntity<typeof InvoiceDocument>;

/** Per producer and year, the last number given: gapless numbering under a row lock. */
export const InvoiceNumberCounter = defineEntity({
  name: 'InvoiceNumberCounter',
  tableName: 'invoice_number_counter',
  properties: {
    producerSiret: p.string().length(14).primary(),
    year: p.integer().primary(),
    lastValue: p.integer(),
  },
});
export type IInvoiceNumberCounter = InferEntity<typeof InvoiceNumberCounter>;

/**
 * A deposit of an invoice on Chorus Pro (like OCA's `chorus.flow`): written as an intent before `deposer/flux`,
 * completed with `numeroFluxDepot` right after, then with the flow report. `businessKey` = `invoiceId:deposit:n`.
 */
export const ChorusDeposit = defineEntity({
  name: 'ChorusDeposit',
  tableName: 'chorus_deposit',
  properties: {
    businessKey: p.string().length(80).primary(),
    invoiceId: p.uuid().index(),
    numeroFacture: p.string().length(20),
    numeroFluxDepot: p.string().length(40).nullable(),
    dateDepot: p.string().length(30).nullable(),
    etatCourantDepotFlux: p.string().length(60).nullable(),
    identifiantFactureCPP: p.string().length(40).nullable(),
    errors: p.json<string[]>().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type IChorusDeposit = InferEntity<typeof ChorusDeposit>;

/** One row per mail of one kind for one invoice (or one reminder): the key that keeps a mail from going out twice. */
export const SentMail = defineEntity({
  name: 'SentMail',
  tableName: 'sent_mail',
  properties: {
    mailKey: p.string().length(120).primary(),
    invoiceId: p.uuid().index().nullable(),
    kind: p.string().length(60),
    recipient: p.string().length(254),
    messageId: p.string().length(200),
    /** ACCEPTED: the SMTP server has it, SENT not yet recorded with its webhook event (see activities/mail.ts). */
    state: p.enum(['SENDING', 'ACCEPTED', 'SENT'] as const),
    /** While SENDING: the attempt sending it has it until then. */
    claimedUntil: p.datetime().nullable(),
    sentAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ISentMail = InferEntity<typeof SentMail>;

/** Files a producer sends to complete a suspended invoice; stored before the workflow is told (ids only in payloads). */
export const InvoiceAttachment = defineEntity({
  name: 'InvoiceAttachment',
  tableName: 'invoice_attachment',
  properties: {
    attachmentId: p.uuid().primary(),
    invoiceId: p.uuid().index(),
    filename: p.string().length(50),
    contentType: p.string().length(100),
    content: p.blob(),
    /** Set once uploaded with `ajouter/fichier`, so a retried completion does not upload twice. */
    pieceJointeId: p.string().length(40).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IInvoiceAttachment = InferEntity<typeof InvoiceAttachment>;

/**
 * A platform's webhook endpoint (Standard Webhooks). The signing secret is stored sealed (lib/secret-box.ts,
 * WEBHOOK_SECRET_KEY) and never given back.
 */
export const WebhookEndpoint = defineEntity({
  name: 'WebhookEndpoint',
  tableName: 'webhook_endpoint',
  properties: {
    id: p.uuid().primary(),
    url: p.string().length(2048),
    secretSealed: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IWebhookEndpoint = InferEntity<typeof WebhookEndpoint>;

/**
 * The outbox: one row per event, written in the same transaction as the change it tells (db/webhook-outbox.ts).
 * `seq` orders the events of one invoice; `body` is the exact JSON sent (signed as is, the same on every retry).
 */
export const WebhookEvent = defineEntity({
  name: 'WebhookEvent',
  tableName: 'webhook_event',
  properties: {
    seq: p.bigint('number').primary().autoincrement(),
    /** The `webhook-id` header: receivers dedupe on it. */
    eventId: p.string().length(40).unique(),
    invoiceId: p.uuid().index(),
    type: p.string().length(60),
    body: p.text(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IWebhookEvent = InferEntity<typeof WebhookEvent>;

/**
 * One event for one endpoint: created with the event for every endpoint registered then; the delivery log.
 * PENDING until the endpoint answers 2xx (DELIVERED) or the retry window ends (FAILED).
 */
export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_delivery',
  properties: {
    id: p.uuid().primary(),
    endpointId: p.uuid(),
    eventSeq: p.bigint('number'),
    eventId: p.string().length(40),
    invoiceId: p.uuid(),
    type: p.string().length(60),
    state: p.enum(['PENDING', 'DELIVERED', 'FAILED'] as const),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime(),
    /** Start of the retry window: the first attempt, or the last redelivery request. */
    retryFrom: p.datetime().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    lastStatusCode: p.integer().nullable(),
    lastError: p.string().length(500).nullable(),
    deliveredAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['endpointId', 'eventSeq'], name: 'webhook_delivery_endpoint_event_unique' }],
  indexes: [
    // The dispatcher's question: the oldest pending event of each invoice of one endpoint (migration 20261202180000).
    {
      name: 'webhook_delivery_pending_idx',
      expression: `create index "webhook_delivery_pending_idx" on "webhook_delivery" ("endpoint_id", "invoice_id", "event_seq") where "state" = 'PENDING'`,
    },
  ],
});
export type IWebhookDelivery = InferEntity<typeof WebhookDelivery>;

/**
 * Sign-in links the platform asks for (POST /producers/{siret}/login-links): only the SHA-256 of the secret is
 * kept, so a database read gives no usable link. Single use: `usedAt` is set by the one update that consumes it.
 */
export const LoginLink = defineEntity({
  name: 'LoginLink',
  tableName: 'login_link',
  properties: {
    tokenHash: p.string().length(64).primary(),
    producerSiret: p.string().length(14).index(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ILoginLink = InferEntity<typeof LoginLink>;

/** A producer's browser session on his web space: the cookie's SHA-256, its CSRF token and its end. */
export const WebSession = defineEntity({
  name: 'WebSession',
  tableName: 'web_session',
  properties: {
    idHash: p.string().length(64).primary(),
    producerSiret: p.string().length(14).index(),
    csrfToken: p.string().length(64),
    expiresAt: p.datetime(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type IWebSession = InferEntity<typeof WebSession>;

export const entities = [
  Producer,
  ProducerChorusAccount,
  Buyer,
  Invoice,
  InvoiceHistory,
  InvoiceDocument,
  InvoiceNumberCounter,
  ChorusDeposit,
  SentMail,
  InvoiceAttachment,
  WebhookEndpoint,
  WebhookEvent,
  WebhookDelivery,
  LoginLink,
  WebSession,
];
