/**
 * Request and answer schemas of the REST API (docs/reference/api-contract.md §2): validation at the edge and the OpenAPI
 * document come from these same definitions. Unknown fields are refused everywhere (strict objects); decimals
 * travel as strings with bounded precision, never as JSON numbers.
 */
import Decimal from 'decimal.js';
import type { ZodOpenAPIMetadata } from '@asteasolutions/zod-to-openapi';
import { z } from './zod';
import { completeIssues } from '../domain/actions';
import { CHORUS_LIMITS, exceedsChorusBuyerName } from '../domain/chorus-limits';
import { MAX_INVOICE_TTC, exceedsMaxInvoiceTtc } from '../domain/money';
import { duplicateLineIssues, type Issue } from '../domain/order';
import { PASSWORD_EXPIRY_STATES } from '../domain/password-expiry';
import { FRANCHISE_EN_BASE_MENTION, VAT_EXEMPTION_MENTION_MAX_CHARS } from '../domain/vat';
import { CHORUS_STATUSES, INVOICE_ACTIONS, INVOICE_STATUSES, INVOICE_VIEWS } from '../domain/statuses';
import { DOCUMENT_TYPES } from '../domain/credit-notes';
import { compactIban, isBic, isCalendarDate, isFrenchVatNumber, isIban, isSiret, isStorableText } from './checks';

// ---------------------------------------------------------------------------------------------- primitives

/** Type errors that read well: "required" when the field is missing, else what was expected. */
const expected = (what: string) => ({ error: (issue: { input?: unknown }) => (issue.input === undefined ? 'required' : `must be ${what}`) });

/**
 * A rule the schema alone cannot state (a line given twice, a total too large, lines that do not cover the order):
 * refused as 422 INCONSISTENT_DATA rather than 400, since a request valid by the OpenAPI document breaks it (http.ts).
 */
export const BUSINESS_RULE = { businessRule: true } as const;

/** Characters as JSON Schema counts them (code points, not UTF-16 units). */
const chars = (v: string): number => Array.from(v).length;

// JavaScript's String.prototype.trim() whitespace, spelled out so the pattern means the same to every regex engine.
const WHITESPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const CONTROLS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f';
/** What `text()` accepts, as a pattern: not only whitespace, no control character (nor line break unless multiline). */
export function textPattern(multiline: boolean): string {
  const excluded = multiline ? CONTROLS : `${CONTROLS}\\t\\n\\r`;
  const blank = WHITESPACE;
  return `^[^${excluded}]*[^${excluded}${blank}][^${excluded}]*$`;
}

/**
 * Trimmed, non-empty, bounded text that PostgreSQL can store. The length is counted before trimming and in
 * characters (code points), as the OpenAPI document's maxLength is.
 */
export const text = (max: number, multiline = false) =>
  z
    .string(expected('text'))
    .refine((v) => chars(v) <= max, { message: `must be at most ${max} characters`, abort: true })
    .refine((v) => isStorableText(v, multiline), {
      message: multiline ? 'must not contain control characters' : 'must be one line without control characters',
      abort: true,
    })
    .trim()
    .refine((v) => v.length >= 1, 'must not be empty')
    .openapi({ minLength: 1, maxLength: max, pattern: textPattern(multiline) });

export const siret = z
  .string(expected('a SIRET written as a string of 14 digits'))
  .refine(isSiret, 'must be a SIRET: 14 digits with a valid check digit')
  .openapi({
    type: 'string',
    format: 'siret',
    pattern: '^\\d{14}$',
    example: '73282932000074',
    description: 'SIRET: 14 digits whose Luhn check digit is valid (La Poste establishments, SIREN 356000000, by their own rule). 400 otherwise.',
  });

const idPattern = (max: number) => new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${max - 1}}$`);
export const orderId = z
  .string(expected('a string'))
  .regex(idPattern(100), 'must be 1 to 100 characters among letters, digits, ".", "_" and "-", starting with a letter or digit')
  .openapi({ example: 'CMD-2026-000123' });
export const lineId = z
  .string(expected('a string'))
  .regex(idPattern(50), 'must be 1 to 50 characters among letters, digits, ".", "_" and "-", starting with a letter or digit')
  .openapi({ example: 'L1' });
export const invoiceId = z.guid('must be a UUID').openapi({ example: '0b6f3d1e-4a57-4c1b-9a4e-2f9d6a0c7e11' });

export const isoDate = z
  .string(expected('a date written YYYY-MM-DD'))
  .refine(isCalendarDate, 'must be a date written YYYY-MM-DD')
  .openapi({ type: 'string', format: 'date', pattern: '^2\\d{3}-\\d{2}-\\d{2}$', example: '2026-03-02', description: 'A calendar date of the years 2000 to 2999.' });

const decimalString = (intDigits: number, decimals: number, example: string) =>
  z
    .string(expected(`a decimal number written as a string (e.g. "${example}"), not a JSON number`))
    .regex(
      new RegExp(`^\\d{1,${intDigits}}(\\.\\d{1,${decimals}})?$`),
      {
        message: `must be a decimal number written as a string, at least 0, with at most ${intDigits} digits before the point and ${decimals} after (e.g. "${example}")`,
        // Checks chained after this one (e.g. the VAT rate's bound) read the value as a number.
        abort: true,
      },
    )
    .openapi({ example });

/** Quantities: up to 3 decimals (kg to the gram). */
export const quantity = decimalString(6, 3, '12.5');
/** Unit prices excluding VAT: up to 4 decimals. */
export const price = decimalString(6, 4, '3.2500');
/** VAT rate in percent, 0 to 100, up to 2 decimals ("5.5", "20"). */
export const vatRate = decimalString(3, 2, '5.5')
  .refine((v) => new Decimal(v).lte(100), 'must be between 0 and 100')
  .openapi({ pattern: '^(?:(?:\\d{1,2}|0\\d{2})(?:\\.\\d{1,2})?|100(?:\\.0{1,2})?)$' });

/** Chorus lifecycle codes are stored verbatim; a filter takes any code-like word. */
const chorusStatusCode = z
  .string(expected('a Chorus status code'))
  .regex(/^[A-Z][A-Z_]{0,59}$/, 'must be a Chorus status code in capitals (e.g. MISE_EN_PAIEMENT)')
  .openapi({ example: 'MISE_A_DISPOSITION', description: `Known codes: ${CHORUS_STATUSES.join(', ')}; any other Chorus code is kept verbatim.` });

/**
 * An address as mail servers and Chorus take it: dot-separated words of letters, digits and _ ' + - before the @,
 * a domain with a top-level name of letters after it. The same pattern is in the OpenAPI document.
 */
export const EMAIL = /^[A-Za-z0-9_'+-]+(?:\.[A-Za-z0-9_'+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
export const email = z
  .email({ pattern: EMAIL, error: (issue) => (issue.input === undefined ? 'required' : 'must be an e-mail address') })
  .max(254, 'must be at most 254 characters')
  // RFC 5321 (the `email` format): at most 64 characters before the @.
  .refine((v) => v.indexOf('@') <= 64, 'must be an e-mail address')
  .openapi({ pattern: EMAIL.source, example: 'compta@ferme-des-pres.fr' });
// Chorus Pro's lengths (domain/chorus-limits.ts): BT-13 and BT-10 of the Factur-X.
const engagementCode = text(CHORUS_LIMITS.engagementCodeChars).openapi({ example: 'EJ-2026-0042', description: "Code d'engagement (numéro d'engagement juridique)" });
const serviceCode = text(CHORUS_LIMITS.serviceCodeChars).openapi({ example: 'SERVICE_RESTAURATION', description: 'Code service exécutant Chorus' });

// ---------------------------------------------------------------------------------------------- profiles

export const address = z
  .strictObject({
    line1: text(200).openapi({ example: '12 chemin des Prés' }),
    line2: text(200).optional(),
    postalCode: z.string().openapi({ example: '24000' }),
    city: text(100).openapi({ example: 'Périgueux' }),
    country: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 country code such as FR').optional().openapi({ example: 'FR' }),
  })
  .superRefine((a, ctx) => {
    const french = a.country === undefined || a.country === 'FR';
    const ok = french ? /^\d{5}$/.test(a.postalCode) : /^[A-Za-z0-9 -]{2,16}$/.test(a.postalCode);
    if (!ok) ctx.addIssue({ code: 'custom', path: ['postalCode'], message: french ? 'must be a French postal code of 5 digits' : 'must be a postal code' });
  })
  .openapi('Address');

const vatNumber = z
  .string(expected('a VAT number'))
  .transform((v) => v.replace(/\s+/g, '').toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^[A-Z]{2}[A-Z0-9]{2,13}$/, 'must be a VAT number such as FR40303265045')
      .refine((v) => !v.startsWith('FR') || isFrenchVatNumber(v), 'must be a French VAT number with its check key: FR + 2 key characters + the SIREN'),
  )
  .openapi({
    type: 'string',
    format: 'vat-number',
    pattern: '^[A-Z]{2}[A-Z0-9]{2,13}$',
    example: 'FR40303265045',
    description:
      'Intra-community VAT number. A French one is FR + a 2-character key + the 9-digit SIREN, and a numeric key must be the check key ' +
      '(12 + 3 × (SIREN mod 97)) mod 97. Spaces and lower case are tolerated and removed.',
  });

/**
 * `null` accepted: said in the document (zod-to-openapi cannot see through the transform to mark it). The
 * metadata is passed through to the generated schema as is.
 */
const NULLABLE_IN_DOCUMENT = { nullable: true } as unknown as Partial<ZodOpenAPIMetadata>;

const iban = z
  .string(expected('an IBAN'))
  .refine(isIban, 'must be a valid IBAN of a SEPA country (check digits and length)')
  .transform(compactIban)
  .openapi({
    type: 'string',
    format: 'iban',
    pattern: '^[A-Z]{2}\\d{2}[A-Z0-9]{11,30}$',
    example: 'FR7630006000011234567890189',
    description:
      'IBAN (ISO 13616) of a SEPA country, with the length of that country and valid check digits (mod 97 = 1). Spaces and lower case are tolerated and removed.',
  });

export const paymentMethod = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('VIREMENT'),
      iban,
      bic: z
        .string(expected('a BIC'))
        .refine(isBic, 'must be a BIC of 8 or 11 characters')
        .optional()
        .openapi({ type: 'string', pattern: '^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$', example: 'AGRIFRPP' }),
    }),
    z.strictObject({ type: z.literal('CHEQUE') }),
  ])
  .openapi('PaymentMethod');

/** The legal mention of a producer's VAT exemption (domain/vat.ts): his lines are then at 0 %, exempt (E). */
const vatExemptionMention = text(VAT_EXEMPTION_MENTION_MAX_CHARS).openapi({
  example: FRANCHISE_EN_BASE_MENTION,
  description:
    'The VAT exemption the producer states, by the legal mention printed on his invoices (e.g. the franchise en base). ' +
    'His order lines must then be at 0 % (VAT category E, the mention as BT-120). Without it, a producer without vatNumber may not charge VAT.',
});

export const producerBody = z
  .strictObject({
    name: text(200).openapi({ example: 'GAEC de la Ferme des Prés' }),
    email,
    address,
    vatNumber: vatNumber.nullish().openapi(NULLABLE_IN_DOCUMENT),
    vatExemptionMention: vatExemptionMention.nullish().openapi(NULLABLE_IN_DOCUMENT),
    chorusEnabled: z.boolean(expected('true or false')),
    paymentMethod,
  })
  .openapi('ProducerInput');
export type ProducerBody = z.infer<typeof producerBody>;

export const buyerBody = z
  .strictObject({
    name: text(200).openapi({ example: 'Collège Jean Moulin' }),
    email,
    kind: z.enum(['PUBLIC', 'PRIVATE']),
    address,
    vatNumber: vatNumber.nullish().openapi(NULLABLE_IN_DOCUMENT),
    serviceCode: serviceCode.nullish(),
  })
  .superRefine((buyer, ctx) => {
    // A public buyer's invoices go to Chorus Pro, whose Factur-X takes at most 99 characters for its name.
    if (buyer.kind === 'PUBLIC' && exceedsChorusBuyerName(buyer.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: `must be at most ${CHORUS_LIMITS.buyerNameChars} characters for a public buyer (Chorus Pro limit)`,
        params: BUSINESS_RULE,
      });
    }
  })
  .openapi('BuyerInput', {
    description: `A public buyer's name is at most ${CHORUS_LIMITS.buyerNameChars} characters (Chorus Pro): longer, 422 INCONSISTENT_DATA.`,
  });
export type BuyerBody = z.infer<typeof buyerBody>;

/** A producer's own Chorus technical account, as the platform gives it: the password is never answered back. */
export const chorusAccountBody = z
  .strictObject({
    login: text(200).openapi({ example: 'TECH_1_ferme-des-pres@cpro.fr' }),
    password: z.string(expected('text')).min(1, 'required').max(200, 'must be at most 200 characters').openapi({ format: 'password' }),
  })
  .openapi('ChorusAccountInput');
export type ChorusAccountBody = z.infer<typeof chorusAccountBody>;

export const producerChorusAccount = z
  .object({
    login: z.string(),
    ownAccount: z.literal(true),
    passwordExpiresAt: z.string().nullable().openapi({ format: 'date-time', description: 'dateExpirationMotPasseCompteTech as Chorus last gave it' }),
  })
  .openapi('ProducerChorusAccount', { description: "The producer's own technical account (never its password); null: the platform's account acts for him" });

export const producer = z
  .object({
    siret,
    name: z.string(),
    email: z.string(),
    address,
    vatNumber: z.string().nullable(),
    vatExemptionMention: z.string().nullable(),
    chorusEnabled: z.boolean(expected('true or false')),
    paymentMethod,
    chorusAccount: producerChorusAccount.nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Producer');
export type ProducerResponse = z.infer<typeof producer>;

export const buyer = z
  .object({
    siret,
    name: z.string(),
    email: z.string(),
    kind: z.enum(['PUBLIC', 'PRIVATE']),
    address,
    vatNumber: z.string().nullable(),
    serviceCode: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Buyer');
export type BuyerResponse = z.infer<typeof buyer>;

export const loginLink = z
  .object({
    url: z.string().openapi({ example: 'http://127.0.0.1:3000/connexion/3q2-7wEtNq0jY9xWm6z1f0pXcA4bLr8uKdVhGiJsT5o' }),
    expiresAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('LoginLink');

// ---------------------------------------------------------------------------------------------- orders

/** A domain rule's issues ("lines.1.lineId") as zod issues of the body being refined. */
function addIssues(ctx: z.RefinementCtx, issues: readonly Issue[], params?: typeof BUSINESS_RULE): void {
  for (const { path, message } of issues) {
    ctx.addIssue({ code: 'custom', path: path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)), message, ...(params ? { params } : {}) });
  }
}

export const orderLine = z
  .strictObject({
    lineId,
    label: text(200).openapi({ example: 'Pommes de terre Charlotte' }),
    unit: text(20).openapi({ example: 'kg' }),
    unitPriceHT: price,
    vatRate,
    orderedQuantity: quantity,
  })
  .openapi('OrderLine');

export const orderBody = z
  .strictObject({
    orderId,
    producerSiret: siret,
    buyerSiret: siret,
    deliveryDate: isoDate,
    lines: z.array(orderLine).min(1, 'must have at least one line').max(200, 'must have at most 200 lines'),
    engagementCodeRequired: z.boolean(expected('true or false')).default(false),
    engagementCode: engagementCode.optional(),
    serviceCode: serviceCode.optional(),
    marketNumber: text(100).optional().openapi({ example: 'MAPA-2026-07' }),
  })
  .superRefine((order, ctx) => {
    addIssues(ctx, duplicateLineIssues(order.lines), BUSINESS_RULE);
    // zod runs this refinement even when a line's own checks failed: the total is only judged on valid numbers
    // (the bad ones are already reported with their path).
    let tooLarge: boolean;
    try {
      tooLarge = exceedsMaxInvoiceTtc(order.lines, order.lines.map((l) => l.orderedQuantity));
    } catch {
      return;
    }
    if (tooLarge) ctx.addIssue({ code: 'custom', path: ['lines'], message: `the order's total including VAT exceeds ${MAX_INVOICE_TTC}`, params: BUSINESS_RULE });
  })
  .openapi('OrderInput', {
    description: `Each lineId once, and a total including VAT of at most ${MAX_INVOICE_TTC}: otherwise 422 INCONSISTENT_DATA naming the line or "lines".`,
  });
export type OrderBody = z.infer<typeof orderBody>;

export const orderCreated = z
  .object({ orderId, invoiceId, status: z.enum(INVOICE_STATUSES) })
  .openapi('OrderCreated');
export type OrderCreatedResponse = z.infer<typeof orderCreated>;

export const quantityValidationBody = z
  .strictObject({
    validatedBy: z.enum(['PRODUCER', 'BUYER']),
    lines: z
      .array(z.strictObject({ lineId, deliveredQuantity: quantity }))
      .min(1, 'must give the delivered quantity of every line')
      .max(200, 'must have at most 200 lines'),
  })
  // Whether the lines match the order (each once, none missing) is domain/order.ts's rule, applied by the use case.
  .openapi('QuantityValidationInput', {
    description:
      "Every line of the order exactly once (its lineId), and a total including VAT within bounds: otherwise 422 INCONSISTENT_DATA naming the unknown, repeated or missing lines.",
  });
export type QuantityValidationBody = z.infer<typeof quantityValidationBody>;

export const cancelBody = z.strictObject({ reason: text(500, true).optional() }).openapi('CancelInput');
export type CancelBody = z.infer<typeof cancelBody>;

// ---------------------------------------------------------------------------------------------- invoice actions

export const sendBody = z
  .strictObject({ channel: z.enum(['CHORUS', 'EMAIL']), engagementCode: engagementCode.optional() })
  .openapi('SendInput');
export type SendBody = z.infer<typeof sendBody>;

export const emptyBody = z.strictObject({}).openapi('EmptyInput');

export const recycleBody = z
  .strictObject({ buyerSiret: siret.optional(), serviceCode: serviceCode.optional(), engagementCode: engagementCode.optional() })
  .refine((b) => b.buyerSiret !== undefined || b.serviceCode !== undefined || b.engagementCode !== undefined, {
    message: 'give at least one of buyerSiret, serviceCode, engagementCode: the new recipient or commitment to send the invoice to',
  })
  .openapi('RecycleInput');
export type RecycleBody = z.infer<typeof recycleBody>;

/** Content types Chorus Pro takes as attachments, with the file extensions that go with each. */
export const ATTACHMENT_TYPES: Record<string, readonly string[]> = {
  'application/pdf': ['pdf'],
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/tiff': ['tif', 'tiff'],
  'text/plain': ['txt'],
  'text/csv': ['csv'],
  'application/xml': ['xml'],
  'text/xml': ['xml'],
  'application/zip': ['zip'],
  'application/msword': ['doc'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.ms-excel': ['xls'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
  'application/vnd.oasis.opendocument.text': ['odt'],
  'application/vnd.oasis.opendocument.spreadsheet': ['ods'],
};
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_FILENAME_CHARS = 50;
/** A file name before its extension: no path separator, no character Windows refuses, no control character. */
export const FILENAME_STEM = '[^\\\\/:*?"<>|\\u0000-\\u001f\\u007f]+';
/** Standard base64 with its padding (RFC 4648), as the attachment check reads it. */
export const BASE64_PATTERN = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';
export const MAX_ATTACHMENTS = 10;

/** Bytes of a base64 text, without decoding it. */
export const base64Size = (b64: string): number => (b64.length / 4) * 3 - (b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0);

export const attachment = z
  .strictObject({
    filename: z
      .string()
      .min(1, 'must not be empty')
      .refine((v) => chars(v) <= MAX_FILENAME_CHARS, `must be at most ${MAX_FILENAME_CHARS} characters, extension included (Chorus Pro limit)`)
      .regex(new RegExp(`^${FILENAME_STEM}\\.[A-Za-z0-9]{1,5}$`), 'must be a file name with an extension, without path or special characters')
      .openapi({ maxLength: MAX_FILENAME_CHARS, example: 'bon-de-livraison.pdf' }),
    contentType: z.enum(Object.keys(ATTACHMENT_TYPES) as [string, ...string[]]),
    contentBase64: z
      .string()
      .min(4, 'must not be empty')
      .refine((v) => v.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(v), 'must be standard base64 (RFC 4648, with padding)')
      .refine((v) => base64Size(v) <= MAX_ATTACHMENT_BYTES, `must decode to at most ${MAX_ATTACHMENT_BYTES / 1024 / 1024} MB`),
  })
  .superRefine((a, ctx) => {
    const extension = a.filename.split('.').pop()?.toLowerCase() ?? '';
    const allowed = ATTACHMENT_TYPES[a.contentType];
    if (allowed && !allowed.includes(extension)) {
      ctx.addIssue({ code: 'custom', path: ['filename'], message: `extension must be ${allowed.map((e) => `.${e}`).join(' or ')} for ${a.contentType}` });
    }
  })
  .openapi('AttachmentInput');

export const completeBody = z
  .strictObject({
    comment: text(2000, true).optional(),
    attachments: z.array(attachment).max(MAX_ATTACHMENTS, `must have at most ${MAX_ATTACHMENTS} files`),
  })
  .superRefine((b, ctx) => addIssues(ctx, completeIssues({ comment: b.comment, attachmentCount: b.attachments.length })))
  .openapi('CompleteInput');
export type CompleteBody = z.infer<typeof completeBody>;

// ---------------------------------------------------------------------------------------------- invoices

const intParam = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

export const listQuery = z.strictObject({
  view: z.enum(INVOICE_VIEWS).optional().openapi({ description: '"à traiter" or "traitées" (the guide\'s two lists)' }),
  status: z.enum(INVOICE_STATUSES).optional(),
  chorusStatus: chorusStatusCode.optional(),
  buyerSiret: siret.optional(),
  documentType: z.enum(DOCUMENT_TYPES).optional().openapi({ description: 'Invoices or credit notes only' }),
  producerSiret: siret.optional().openapi({ description: 'Platform and admin only in practice: a producer only ever sees his own invoices.' }),
  page: intParam(1, 100_000, 1),
  pageSize: intParam(1, 100, 20),
});
export type ListQuery = z.infer<typeof listQuery>;

/** GET /admin/chorus-accounts: the producers' own accounts by SIRET, a page at a time. */
export const chorusAccountsQuery = z.strictObject({
  state: z.enum(PASSWORD_EXPIRY_STATES).optional().openapi({ description: 'Only the accounts in this state (expiring: within 30 days)' }),
  after: siret.optional().openapi({ description: 'The `next` of the previous page' }),
  pageSize: intParam(1, 500, 100),
});
export type ChorusAccountsQuery = z.infer<typeof chorusAccountsQuery>;

const passwordExpiry = {
  state: z.enum(PASSWORD_EXPIRY_STATES).openapi({ description: 'expiring: within 30 days (reminders are mailed 30, 7 and 1 days before); unknown: Chorus does not say' }),
  passwordExpiresAt: z.string().nullable().openapi({ format: 'date-time', description: 'dateExpirationMotPasseCompteTech as Chorus last gave it' }),
  daysLeft: z.number().int().nullable(),
  readAt: z.string().nullable().openapi({ format: 'date-time', description: 'When it was read from Chorus (null: never)' }),
};

export const chorusAccounts = z
  .object({
    platform: z
      .object({
        login: z.string(),
        ...passwordExpiry,
        state: z.enum([...PASSWORD_EXPIRY_STATES, 'checking', 'unreachable']).openapi({ description: 'As /readyz: checking, the first read is under way; unreachable, the last read failed' }),
      })
      .openapi({ description: "The platform's technical account (CHORUS_TECH_LOGIN), as this API process last read it" }),
    producers: z.array(z.object({ producerSiret: siret, producerName: z.string().nullable(), login: z.string(), ...passwordExpiry })),
    next: siret.nullable().openapi({ description: 'Give it as `after` for the next page; null after the last' }),
  })
  .openapi('ChorusAccounts', { description: 'The Chorus technical accounts and their password expiry, never a password' });
export type ChorusAccountsResponse = z.infer<typeof chorusAccounts>;

export const siretParams = z.strictObject({ siret });
export const orderIdParams = z.strictObject({ orderId });
export const invoiceIdParams = z.strictObject({ invoiceId });

const invoiceLine = z
  .object({
    lineId: z.string(),
    label: z.string(),
    unit: z.string(),
    unitPriceHT: z.string(),
    vatRate: z.string(),
    orderedQuantity: z.string(),
    deliveredQuantity: z.string().nullable(),
    totalHT: z.string().nullable(),
  })
  .openapi('InvoiceLine');

export const historyEntry = z
  .object({
    at: z.string().openapi({ format: 'date-time' }),
    status: z.string(),
    chorusStatus: z.string().nullable(),
    detail: z.string().nullable(),
  })
  .openapi('HistoryEntry');

export const reissueBody = z
  .strictObject({
    lines: z
      .array(z.strictObject({ lineId, deliveredQuantity: quantity.optional(), unitPriceHT: price.optional() }))
      .max(500)
      .optional()
      .openapi({ description: 'Lines whose delivered quantity or unit price changes; the others stay as invoiced' }),
    buyerSiret: siret.optional(),
    serviceCode: serviceCode.nullable().optional(),
    engagementCode: engagementCode.nullable().optional(),
    marketNumber: text(100).nullable().optional(),
    reason: text(500, true).openapi({ example: 'Quantité de carottes corrigée après rejet par le collège' }),
  })
  .superRefine((b, ctx) => {
    addIssues(ctx, duplicateLineIssues(b.lines ?? []), BUSINESS_RULE);
  })
  .openapi('ReissueInput', { description: 'Each lineId at most once (422 INCONSISTENT_DATA otherwise); a lineId the invoice does not have is refused the same way.' });
export type ReissueBody = z.infer<typeof reissueBody>;

const documentLink = z
  .object({ invoiceId, number: z.string().nullable() })
  .nullable()
  .openapi('DocumentLink', { description: 'Another document of the same order (its id and number), or null' });

const invoiceFields = {
  invoiceId,
  orderId,
  number: z.string().nullable().openapi({ description: 'Invoice number, once the invoice exists (after quantity validation)' }),
  producerSiret: siret,
  buyerSiret: siret,
  buyerKind: z.enum(['PUBLIC', 'PRIVATE']),
  deliveryDate: z.string().openapi({ format: 'date' }),
  issueDate: z.string().nullable().openapi({ format: 'date' }),
  dueDate: z.string().nullable().openapi({ format: 'date' }),
  lines: z.array(invoiceLine),
  totals: z.object({ ht: z.string().nullable(), tva: z.string().nullable(), ttc: z.string().nullable() }),
  status: z.enum(INVOICE_STATUSES),
  statusLabel: z.string(),
  chorusStatus: z.string().nullable(),
  chorusStatusLabel: z.string().nullable(),
  chorus: z.object({
    numeroFluxDepot: z.string().nullable(),
    identifiantFactureCPP: z.string().nullable(),
    errors: z.array(z.string()),
  }),
  engagementCodeRequired: z.boolean(),
  engagementCode: z.string().nullable(),
  serviceCode: z.string().nullable(),
  marketNumber: z.string().nullable(),
  validatedBy: z.enum(['PRODUCER', 'BUYER']).nullable(),
  actions: z.array(z.enum(INVOICE_ACTIONS)).openapi({ description: 'What the caller may do now' }),
  documentType: z.enum(DOCUMENT_TYPES).openapi({ description: 'INVOICE, or CREDIT_NOTE (avoir, type 381) cancelling the invoice in `cancels`' }),
  cancels: documentLink.openapi({ description: 'On a credit note: the invoice it cancels' }),
  cancelledBy: documentLink.openapi({ description: 'On a cancelled invoice: the credit note that cancels it' }),
  replaces: documentLink.openapi({ description: 'On a replacement invoice: the invoice it replaces' }),
  replacedBy: documentLink.openapi({ description: 'On a cancelled invoice: its replacement, if any' }),
  createdAt: z.string().openapi({ format: 'date-time' }),
  updatedAt: z.string().openapi({ format: 'date-time' }),
};

export const invoiceSummary = z.object(invoiceFields).openapi('InvoiceSummary');
export type InvoiceSummaryResponse = z.infer<typeof invoiceSummary>;
export const invoice = z.object({ ...invoiceFields, history: z.array(historyEntry) }).openapi('Invoice');
export type InvoiceResponse = z.infer<typeof invoice>;

export const invoiceList = z
  .object({ items: z.array(invoiceSummary), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })
  .openapi('InvoiceList');
export type InvoiceListResponse = z.infer<typeof invoiceList>;

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_ERROR' }),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
      status: z.string().optional().openapi({ description: 'INVALID_STATE only: the current status' }),
      chorusStatus: z.string().nullable().optional(),
      allowedActions: z.array(z.string()).optional().openapi({ description: 'INVALID_STATE only: the actions allowed now' }),
    }),
  })
  .openapi('Error');
