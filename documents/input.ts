/**
 * What an invoice document is made from: plain data (no entities), checked once here so that the PDF and the
 * Factur-X XML are built from the same, valid values. The zod schema is the runtime twin of the interface; the CLI
 * and `renderFacturX` both go through `parseInvoiceDocumentInput`.
 */
import { z } from 'zod';
import { MoneyError, parseQuantity, parseUnitPrice, parseVatRate } from '../domain/money';
import type { Address, PaymentMethod } from '../domain/party';
import { VAT_EXEMPTION_MENTION_MAX_CHARS } from '../domain/vat';

export interface InvoiceParty {
  name: string;
  /** 14 digits; carried as the legal registration id with scheme 0002 (BT-30 / BT-47). */
  siret: string;
  /** Intra-community VAT number, e.g. FR40303265045 (BT-31 / BT-48). */
  vatNumber?: string | null;
  address: Address;
}

export interface InvoiceSeller extends InvoiceParty {
  /** Seller contact e-mail (BT-43). */
  email: string;
  /**
   * The VAT exemption the producer states in his profile (its legal mention, e.g. "TVA non applicable, art. 293 B
   * du CGI"): his lines are all at 0 %, category E, the mention printed and sent as BT-120 (domain/vat.ts).
   */
  vatExemptionMention?: string | null;
}

export interface InvoiceBuyer extends InvoiceParty {
  /** Chooses the late-payment penalty mention (public procurement code vs commercial code). Default PUBLIC. */
  kind?: 'PUBLIC' | 'PRIVATE';
}

export interface InvoiceDocumentLine {
  lineId: string;
  /** Item name (BT-153). */
  label: string;
  /** Unit as the producer writes it ("kg", "pièce", "botte"); mapped to a UN/ECE Rec 20 code for BT-130. */
  unit: string;
  /** Decimal strings, see domain/money.ts: up to 3 decimals. */
  quantity: string;
  /** Up to 4 decimals. */
  unitPriceHT: string;
  /** Percent, e.g. "5.5". */
  vatRate: string;
}

/** BT-3: an invoice (380) or a credit note (381, "avoir"). */
export type DocumentType = 'INVOICE' | 'CREDIT_NOTE';

/** BG-3: the invoice a credit note cancels, or a replacement invoice replaces (BT-25 number, BT-26 date). */
export interface PrecedingInvoice {
  number: string;
  issueDate: string;
}

export interface InvoiceDocumentInput {
  /** Default INVOICE. A CREDIT_NOTE needs `precedingInvoice` (CGI art. 289: it refers to the invoice it modifies). */
  documentType?: DocumentType;
  /** The cancelled invoice (credit note) or the replaced one (replacement invoice, "annule et remplace"). */
  precedingInvoice?: PrecedingInvoice | null;
  /** BT-1, at most 20 characters (Chorus Pro). */
  number: string;
  /** YYYY-MM-DD. */
  issueDate: string;
  deliveryDate: string;
  dueDate: string;
  paymentTermsDays: number;
  /** Agrilocal order id, printed on the invoice (not in the XML: see cii.ts). */
  orderId: string;
  seller: InvoiceSeller;
  buyer: InvoiceBuyer;
  lines: InvoiceDocumentLine[];
  paymentMethod: PaymentMethod;
  /** Chorus service code (BT-10). */
  serviceCode?: string | null;
  /** Chorus engagement (commitment) number (BT-13), at most 50 characters. */
  engagementCode?: string | null;
  /** Market (contract) number (BT-12). */
  marketNumber?: string | null;
  /**
   * Only for lines at 0 % from a seller who states no exemption (`seller.vatExemptionMention` wins): the mention
   * printed and sent as BT-120. Default "TVA non applicable, art. 293 B du CGI" for a seller without VAT number.
   */
  vatExemptionNote?: string | null;
}

/** One problem with the input, named by its path (`lines[2].quantity`), like the API's error details. */
export interface InputIssue {
  path: string;
  message: string;
}

export class InvoiceDocumentError extends Error {
  override name = 'InvoiceDocumentError';
  constructor(readonly issues: InputIssue[]) {
    super(`invalid invoice document input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  }
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
function isCalendarDate(v: string): boolean {
  const d = new Date(`${v}T00:00:00Z`);
  return DATE_RE.test(v) && !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}
const isoDate = z.string().regex(DATE_RE, 'expected a date YYYY-MM-DD').refine(isCalendarDate, 'not a calendar date');
const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const optionalText = (max: number) => text(max).nullish();

const addressSchema = z.object({
  line1: text(200),
  line2: z.string().trim().max(200).optional(),
  postalCode: text(20),
  city: text(100),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code like FR')
    .optional(),
});

const siret = z.string().regex(/^\d{14}$/, 'expected a SIRET: 14 digits');
// BR-CO-09: a VAT identifier starts with its ISO 3166 country prefix.
const vatNumber = z
  .string()
  .regex(/^[A-Z]{2}[0-9A-Z]{2,13}$/, 'expected an intra-community VAT number like FR40303265045')
  .nullish();

const partyFields = { name: text(200), siret, vatNumber, address: addressSchema };

const paymentMethodSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('VIREMENT'),
    iban: z
      .string()
      .transform((v) => v.replace(/\s+/g, '').toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/, 'expected an IBAN like FR76 3000 6000 0112 3456 7890 189')),
    bic: z
      .string()
      .regex(/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/, 'expected a BIC of 8 or 11 characters')
      .optional(),
  }),
  z.object({ type: z.literal('CHEQUE') }),
]);

/** A decimal string checked by domain/money.ts, so the CLI, the activity and the totals share one rule. */
function moneyString(parse: (value: unknown, field: string) => unknown) {
  return z.string().superRefine((value, ctx) => {
    try {
      parse(value, 'value');
    } catch (error) {
      if (!(error instanceof MoneyError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message.replace(/^value: /, '') });
    }
  });
}

const lineSchema = z.object({
  lineId: text(100),
  label: text(300),
  unit: text(30),
  quantity: moneyString(parseQuantity),
  unitPriceHT: moneyString(parseUnitPrice),
  vatRate: moneyString(parseVatRate),
});

const documentNumber = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,19}$/, 'expected at most 20 characters among A-Z a-z 0-9 . _ / -');

export const invoiceDocumentInputSchema = z
  .object({
    documentType: z.enum(['INVOICE', 'CREDIT_NOTE']).optional(),
    precedingInvoice: z.object({ number: documentNumber, issueDate: isoDate }).nullish(),
    // Printable ASCII without spaces or XML/URL specials: safe in file names, XMP and Chorus.
    number: documentNumber,
    issueDate: isoDate,
    deliveryDate: isoDate,
    dueDate: isoDate,
    paymentTermsDays: z.number().int().min(0).max(365),
    orderId: text(100),
    seller: z.object({ ...partyFields, email: z.email('expected an e-mail address'), vatExemptionMention: optionalText(VAT_EXEMPTION_MENTION_MAX_CHARS) }),
    buyer: z.object({ ...partyFields, kind: z.enum(['PUBLIC', 'PRIVATE']).optional() }),
    lines: z.array(lineSchema).min(1, 'an invoice needs at least one line').max(500),
    paymentMethod: paymentMethodSchema,
    serviceCode: optionalText(100),
    engagementCode: optionalText(50),
    marketNumber: optionalText(100),
    vatExemptionNote: optionalText(200),
  })
  .superRefine((v, ctx) => {
    if (isCalendarDate(v.dueDate) && isCalendarDate(v.issueDate) && v.dueDate < v.issueDate) ctx.addIssue({ code: 'custom', path: ['dueDate'], message: 'must not be before issueDate' });
    if (v.documentType === 'CREDIT_NOTE' && !v.precedingInvoice) {
      ctx.addIssue({ code: 'custom', path: ['precedingInvoice'], message: 'required for a credit note: the number and date of the invoice it cancels (BT-25, BT-26)' });
    }
    if (v.precedingInvoice && v.precedingInvoice.number === v.number) {
      ctx.addIssue({ code: 'custom', path: ['precedingInvoice', 'number'], message: 'must differ from the document number' });
    }
    const ids = new Set<string>();
    v.lines.forEach((line, i) => {
      if (ids.has(line.lineId)) ctx.addIssue({ code: 'custom', path: ['lines', i, 'lineId'], message: `duplicate line id ${JSON.stringify(line.lineId)}` });
      ids.add(line.lineId);
    });
  });

// Compile-time check that the schema and the interface describe the same thing.
type SchemaOutput = z.output<typeof invoiceDocumentInputSchema>;
const schemaMatchesInterface: (v: SchemaOutput) => InvoiceDocumentInput = (v) => v;
void schemaMatchesInterface;

export function formatIssuePath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(root)';
}

/** Validates unknown data (a parsed JSON file, an activity argument); throws InvoiceDocumentError listing every issue. */
export function parseInvoiceDocumentInput(data: unknown): InvoiceDocumentInput {
  const result = invoiceDocumentInputSchema.safeParse(data, {
    error: (issue) => (issue.input === undefined ? 'required' : undefined),
  });
  if (!result.success) {
    throw new InvoiceDocumentError(result.error.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message })));
  }
  return result.data;
}
