/**
 * The Factur-X XML (UN/CEFACT CII D16B, EN 16931 profile) of a prepared invoice.
 *
 * @e-invoice-eu/core does the EN 16931 mapping: we give it UBL-shaped JSON (typed by the library, so a wrong code or
 * key fails `tsc`), it validates it with its JSON schema and writes CII. Chorus Pro choices (docs/reference/chorus-pro-api.md §7):
 * BT-23 "A1" (cadre: plain supplier invoice) via cbc:ProfileID; SIRET as legal id with scheme 0002 for both parties;
 * BT-10 service code; BT-13 engagement; BT-12 market; BT-81 always present (30 + IBAN, or 20 for a cheque).
 *
 * One addition after the library: the notes (BG-1). Its mapping cannot carry a subject code (PMD, PMT, AAB, which
 * French rules BR-FR-05 look for) and folds several notes into one ram:IncludedNote, so we leave cbc:Note out and
 * insert one ram:IncludedNote per note right after ram:IssueDateTime, where the CII schema expects them.
 */
import { FormatFactoryService, invoiceSchema, ValidationService, type Invoice, type Logger } from '@e-invoice-eu/core';
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import { normalizeQuantity, unitPriceWithBaseQuantity } from '../domain/money';
import type { Address } from '../domain/party';
import type { PreparedInvoice, PreparedVat } from './invoice-model';

type Ubl = Invoice['ubl:Invoice'];
type UblLine = Ubl['cac:InvoiceLine'][number];
type UblTaxSubtotal = NonNullable<Ubl['cac:TaxTotal'][0]['cac:TaxSubtotal']>[number];

/** Chorus Pro "cadre de facturation" A1: invoice of a supplier for goods or services (BT-23). */
export const CHORUS_BILLING_FRAMEWORK = 'A1';
/**
 * BT-3 (UNTDID 1001): 380 commercial invoice, 381 credit note. A credit note states its amounts positive, like the
 * invoice it cancels: the type code carries the negative effect (EN 16931, BT-3 and the credit note rules).
 * Chorus Pro reads 381 as `typeFacture` AVOIR, under the same cadre A1.
 */
export const INVOICE_TYPE_CODE = '380';
export const CREDIT_NOTE_TYPE_CODE = '381';
/** ICD 0002: SIRENE (SIREN/SIRET), the scheme Chorus reads for French legal ids. */
export const SIRENE_SCHEME = '0002';
/** UNCL4461 payment means: credit transfer, cheque. */
export const PAYMENT_MEANS_CREDIT_TRANSFER = '30';
export const PAYMENT_MEANS_CHEQUE = '20';

const CURRENCY = 'EUR';

type PostalAddress = Ubl['cac:AccountingSupplierParty']['cac:Party']['cac:PostalAddress'];
type CountryCode = PostalAddress['cac:Country']['cbc:IdentificationCode'];

function postalAddress(a: Address): PostalAddress {
  return {
    'cbc:StreetName': a.line1,
    ...(a.line2 ? { 'cbc:AdditionalStreetName': a.line2 } : {}),
    'cbc:CityName': a.city,
    'cbc:PostalZone': a.postalCode,
    // Shape checked by the input schema; the library's JSON schema rejects a code outside ISO 3166-1.
    'cac:Country': { 'cbc:IdentificationCode': (a.country ?? 'FR') as CountryCode },
  };
}

function taxCategory(v: Pick<PreparedVat, 'category' | 'rate'>) {
  // BR-O-05 / BR-O-09: "not subject to VAT" carries no rate at all.
  return {
    'cbc:ID': v.category,
    ...(v.category === 'O' ? {} : { 'cbc:Percent': v.rate }),
    'cac:TaxScheme': { 'cbc:ID': 'VAT' },
  };
}

type Party = Ubl['cac:AccountingSupplierParty'];
type CustomerParty = Ubl['cac:AccountingCustomerParty'];
type PaymentMeans = NonNullable<Ubl['cac:PaymentMeans']>[number];

function ublLine(l: PreparedInvoice['lines'][number]): UblLine {
  // The library types prices as 2-decimal amounts: a finer price goes per 10/100 units (BT-149), same value.
  const { price, baseQuantity } = unitPriceWithBaseQuantity(l.unitPriceHT);
  return {
    'cbc:ID': l.lineId,
    'cbc:InvoicedQuantity': normalizeQuantity(l.quantity),
    'cbc:InvoicedQuantity@unitCode': l.unitCode,
    'cbc:LineExtensionAmount': l.totalHT,
    'cbc:LineExtensionAmount@currencyID': CURRENCY,
    'cac:Item': { 'cbc:Name': l.label, 'cac:ClassifiedTaxCategory': taxCategory(l) },
    // Net price only: a gross price would make Chorus require an allowance amount (OCA #504).
    'cac:Price': {
      'cbc:PriceAmount': price,
      'cbc:PriceAmount@currencyID': CURRENCY,
      ...(baseQuantity !== '1' ? { 'cbc:BaseQuantity': baseQuantity, 'cbc:BaseQuantity@unitCode': l.unitCode } : {}),
    },
  };
}

function ublTaxSubtotal(v: PreparedVat): UblTaxSubtotal {
  return {
    'cbc:TaxableAmount': v.base,
    'cbc:TaxableAmount@currencyID': CURRENCY,
    'cbc:TaxAmount': v.tax,
    'cbc:TaxAmount@currencyID': CURRENCY,
    'cac:TaxCategory': { ...taxCategory(v), ...(v.exemptionReason ? { 'cbc:TaxExemptionReason': v.exemptionReason } : {}) },
  };
}

/**
 * The seller's tax identifiers: his VAT number (BT-31) unless the invoice is "not subject to VAT" (BR-O-02). An
 * exempt seller without VAT number (franchise en base) is identified for tax purposes by his SIREN (BT-32, scheme
 * FC), which EN 16931 BR-E-02 requires on an invoice with exempt lines.
 */
function sellerTaxSchemes(p: PreparedInvoice, notSubjectToVat: boolean): NonNullable<Party['cac:Party']['cac:PartyTaxScheme']> | undefined {
  const seller = p.input.seller;
  if (seller.vatNumber) return notSubjectToVat ? undefined : [{ 'cbc:CompanyID': seller.vatNumber, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } }];
  if (p.vatBreakdown.some((v) => v.category === 'E')) return [{ 'cbc:CompanyID': seller.siret.slice(0, 9), 'cac:TaxScheme': { 'cbc:ID': 'FC' } }];
  return undefined;
}

function supplierParty(p: PreparedInvoice, notSubjectToVat: boolean): Party {
  const input = p.input;
  const taxSchemes = sellerTaxSchemes(p, notSubjectToVat);
  return {
    'cac:Party': {
      'cac:PostalAddress': postalAddress(input.seller.address),
      ...(taxSchemes ? { 'cac:PartyTaxScheme': taxSchemes } : {}),
      'cac:PartyLegalEntity': {
        'cbc:RegistrationName': input.seller.name,
        'cbc:CompanyID': input.seller.siret,
        'cbc:CompanyID@schemeID': SIRENE_SCHEME,
      },
      'cac:Contact': { 'cbc:ElectronicMail': input.seller.email },
    },
  };
}

function customerParty(input: PreparedInvoice['input'], notSubjectToVat: boolean): CustomerParty {
  return {
    'cac:Party': {
      'cac:PostalAddress': postalAddress(input.buyer.address),
      // BR-O-02: no buyer VAT id on an invoice "not subject to VAT".
      ...(input.buyer.vatNumber && !notSubjectToVat
        ? { 'cac:PartyTaxScheme': { 'cbc:CompanyID': input.buyer.vatNumber, 'cac:TaxScheme': { 'cbc:ID': 'VAT' } } }
        : {}),
      'cac:PartyLegalEntity': {
        'cbc:RegistrationName': input.buyer.name,
        'cbc:CompanyID': input.buyer.siret,
        'cbc:CompanyID@schemeID': SIRENE_SCHEME,
      },
    },
  };
}

function paymentMeans(input: PreparedInvoice['input']): PaymentMeans {
  const method = input.paymentMethod;
  return (
    method.type === 'VIREMENT'
      ? {
          'cbc:PaymentMeansCode': PAYMENT_MEANS_CREDIT_TRANSFER,
          'cbc:PaymentID': input.number,
          'cac:PayeeFinancialAccount': {
            'cbc:ID': method.iban,
            'cbc:Name': input.seller.name,
            ...(method.bic ? { 'cac:FinancialInstitutionBranch': { 'cbc:ID': method.bic } } : {}),
          },
        }
      : { 'cbc:PaymentMeansCode': PAYMENT_MEANS_CHEQUE, 'cbc:PaymentID': input.number }
  );
}

/** The UBL-shaped invoice handed to @e-invoice-eu/core. Exported for tests and debugging. */
export function toUblInvoice(p: PreparedInvoice): Invoice {
  const { input } = p;
  const notSubjectToVat = p.vatBreakdown.some((v) => v.category === 'O');
  const creditNote = input.documentType === 'CREDIT_NOTE';
  const [firstLine, ...otherLines] = p.lines.map(ublLine);
  if (!firstLine) throw new Error('an invoice needs at least one line');

  const ubl: Ubl = {
    'cbc:ProfileID': CHORUS_BILLING_FRAMEWORK,
    'cbc:ID': input.number,
    'cbc:IssueDate': input.issueDate,
    'cbc:DueDate': input.dueDate,
    'cbc:InvoiceTypeCode': creditNote ? CREDIT_NOTE_TYPE_CODE : INVOICE_TYPE_CODE,
    'cbc:DocumentCurrencyCode': CURRENCY,
    ...(input.serviceCode ? { 'cbc:BuyerReference': input.serviceCode } : {}),
    // BT-13 only when there is an engagement. No BT-14 (our order id): without a BT-13 the library would fill
    // "NA" in its place, which Chorus would read as an engagement number. The order id is printed on the PDF.
    ...(input.engagementCode ? { 'cac:OrderReference': { 'cbc:ID': input.engagementCode } } : {}),
    ...(input.marketNumber ? { 'cac:ContractDocumentReference': { 'cbc:ID': input.marketNumber } } : {}),
    'cac:AccountingSupplierParty': supplierParty(p, notSubjectToVat),
    'cac:AccountingCustomerParty': customerParty(input, notSubjectToVat),
    'cac:Delivery': { 'cbc:ActualDeliveryDate': input.deliveryDate },
    // No payment means on a credit note: nothing is paid to the seller (OCA's Chorus checks, chorus-pro-api.md §6).
    ...(creditNote ? {} : { 'cac:PaymentMeans': [paymentMeans(input)] }),
    'cac:PaymentTerms': { 'cbc:Note': p.paymentTerms },
    'cac:TaxTotal': [{ 'cbc:TaxAmount': p.totals.tva, 'cbc:TaxAmount@currencyID': CURRENCY, 'cac:TaxSubtotal': p.vatBreakdown.map(ublTaxSubtotal) }],
    'cac:LegalMonetaryTotal': {
      'cbc:LineExtensionAmount': p.totals.ht,
      'cbc:LineExtensionAmount@currencyID': CURRENCY,
      'cbc:TaxExclusiveAmount': p.totals.ht,
      'cbc:TaxExclusiveAmount@currencyID': CURRENCY,
      'cbc:TaxInclusiveAmount': p.totals.ttc,
      'cbc:TaxInclusiveAmount@currencyID': CURRENCY,
      'cbc:PayableAmount': p.amountDue,
      'cbc:PayableAmount@currencyID': CURRENCY,
    },
    'cac:InvoiceLine': [firstLine, ...otherLines],
  };
  return { 'ubl:Invoice': ubl };
}

/** The library logs through this; its warnings matter (they mean dropped data), so they surface as errors. */
class CollectingLogger implements Logger {
  readonly problems: string[] = [];
  log(): void {}
  warn(m: string): void {
    this.problems.push(m);
  }
  error(m: string): void {
    this.problems.push(m);
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const ISSUE_DATE_END = '</ram:IssueDateTime>';

function insertNotes(xml: string, notes: PreparedInvoice['notes']): string {
  const at = xml.indexOf(ISSUE_DATE_END);
  if (at < 0 || xml.indexOf(ISSUE_DATE_END, at + 1) >= 0) throw new Error('unexpected CII from @e-invoice-eu/core: expected exactly one ram:IssueDateTime');
  const indent = '\n\t\t';
  const elements = notes
    .map((n) => `${indent}<ram:IncludedNote>${indent}\t<ram:Content>${escapeXml(n.text)}</ram:Content>${indent}\t<ram:SubjectCode>${n.subject}</ram:SubjectCode>${indent}</ram:IncludedNote>`)
    .join('');
  const end = at + ISSUE_DATE_END.length;
  return xml.slice(0, end) + elements + xml.slice(end);
}

const SUMMATION_END = '</ram:SpecifiedTradeSettlementHeaderMonetarySummation>';

/**
 * BG-3 (BT-25 number, BT-26 date) as ram:InvoiceReferencedDocument, right after the monetary summation where the CII
 * schema expects it. The library's mapping of cac:BillingReference reads the number one level too high and drops it,
 * so we write it ourselves, like the notes.
 */
function insertPrecedingInvoice(xml: string, preceding: PreparedInvoice['input']['precedingInvoice']): string {
  if (!preceding) return xml;
  const at = xml.indexOf(SUMMATION_END);
  if (at < 0 || xml.indexOf(SUMMATION_END, at + 1) >= 0) throw new Error('unexpected CII from @e-invoice-eu/core: expected exactly one monetary summation');
  const i = '\n\t\t\t';
  const element =
    `${i}<ram:InvoiceReferencedDocument>${i}\t<ram:IssuerAssignedID>${escapeXml(preceding.number)}</ram:IssuerAssignedID>` +
    `${i}\t<ram:FormattedIssueDateTime>${i}\t\t<qdt:DateTimeString format="102">${preceding.issueDate.replace(/-/g, '')}</qdt:DateTimeString>${i}\t</ram:FormattedIssueDateTime>` +
    `${i}</ram:InvoiceReferencedDocument>`;
  const end = at + SUMMATION_END.length;
  return xml.slice(0, end) + element + xml.slice(end);
}

/** The library's name of its CII writer (its Factur-X EN 16931 mapping without the PDF step). */
const CII_FORMAT = 'CII';
const formats = new FormatFactoryService();

let ciiValidator: ValidateFunction<Invoice> | undefined;

/**
 * The library's invoice schema, patched for CII and compiled once. `InvoiceService.generate` compiles this large
 * schema with Ajv on every call (≈ 300 ms of CPU, more than drawing the PDF); the compiled validator is reusable.
 * Same Ajv options as the library: `useDefaults` fills the defaults the formatter relies on.
 */
function compiledCiiValidator(): ValidateFunction<Invoice> {
  if (!ciiValidator) {
    const schema = structuredClone(invoiceSchema);
    formats.createFormatService(CII_FORMAT, new CollectingLogger()).patchSchema(schema);
    ciiValidator = new Ajv2019({ strict: true, allErrors: true, useDefaults: true }).compile<Invoice>(schema);
  }
  return ciiValidator;
}

/**
 * CII D16B XML, EN 16931 profile (guideline urn:cen.eu:en16931:2017), as embedded in the PDF (`factur-x.xml`).
 * The steps of the library's `InvoiceService.generate` (validate, fill defaults, format), with the validator
 * compiled once; we embed the XML in the PDF ourselves (pdf.ts).
 */
export async function buildFacturXXml(p: PreparedInvoice): Promise<string> {
  const logger = new CollectingLogger();
  let xml: string | Uint8Array;
  try {
    const formatter = formats.createFormatService(CII_FORMAT, logger);
    // The validator fills defaults in place: it gets its own copy.
    const invoice = new ValidationService(logger).validate('invoice data', compiledCiiValidator(), structuredClone(toUblInvoice(p)));
    formatter.fillInvoiceDefaults(invoice);
    xml = await formatter.generate(invoice, { format: CII_FORMAT, lang: 'fr', noWarnings: true });
  } catch (error) {
    const detail = logger.problems.length > 0 ? `: ${logger.problems.join('; ')}` : '';
    throw new Error(`Factur-X XML generation failed for invoice ${p.input.number}${detail}`, { cause: error });
  }
  if (typeof xml !== 'string') throw new Error('expected XML text from @e-invoice-eu/core');
  return insertPrecedingInvoice(insertNotes(xml, p.notes), p.input.precedingInvoice);
}
