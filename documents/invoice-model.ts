/**
 * An invoice ready to be drawn and serialised: validated input, exact totals, VAT categories and mentions, computed
 * once so that the PDF and the Factur-X XML cannot disagree.
 *
 * VAT categories (EN 16931 UNCL5305), decided from the rates and the seller's VAT number:
 * - rate > 0 -> "S" (standard; France's reduced rates 5.5/10/2.1 are "S" too). EN 16931 BR-S-02 and CGI art. 242
 *   nonies A require the seller's VAT number then: without one we refuse (field `seller.vatNumber`) rather than
 *   print "TVA non applicable" on an invoice that charges VAT.
 * - rate 0 and no seller VAT number -> "O" (not subject to VAT) with the exemption mention (`vatExemptionNote`,
 *   default "TVA non applicable, art. 293 B du CGI"); BR-O-* then forbid any other category and any VAT number.
 * - rate 0 with a seller VAT number -> "E" (exempt), which needs a legal reason we cannot guess: `vatExemptionNote`
 *   is required then.
 */
import { computeInvoiceTotals, MoneyError, normalizeVatRate, type VatBreakdownEntry } from '../domain/money';
import { creditNoteTermsText, DEFAULT_VAT_EXEMPTION_NOTE, legalNotes, paymentTermsText, precedingInvoiceNote, type LegalNote } from './legal-mentions';
import { InvoiceDocumentError, parseInvoiceDocumentInput, type InputIssue, type InvoiceDocumentInput, type InvoiceDocumentLine } from './input';
import { unitCode, type UnitCode } from './units';

export type VatCategory = 'S' | 'E' | 'O';

export interface PreparedLine extends InvoiceDocumentLine {
  /** Canonical rate ("5.5"). */
  rate: string;
  totalHT: string;
  unitCode: UnitCode;
  category: VatCategory;
}

export interface PreparedVat extends VatBreakdownEntry {
  category: VatCategory;
  /** BT-120, for E and O. */
  exemptionReason?: string;
}

export interface PreparedInvoice {
  input: InvoiceDocumentInput;
  buyerKind: 'PUBLIC' | 'PRIVATE';
  lines: PreparedLine[];
  vatBreakdown: PreparedVat[];
  totals: { ht: string; tva: string; ttc: string };
  amountDue: string;
  paymentTerms: string;
  notes: LegalNote[];
  /** The mention printed when no VAT applies, if any. */
  vatExemptionNote?: string;
}

function categoryOf(rate: string, input: InvoiceDocumentInput, issues: InputIssue[]): VatCategory {
  if (rate !== '0') {
    if (!input.seller.vatNumber) {
      issues.push({
        path: 'seller.vatNumber',
        message: `required: lines carry VAT at ${rate} %, and an invoice charging VAT must show the seller's VAT number (CGI art. 242 nonies A, EN 16931 BR-S-02)`,
      });
    }
    return 'S';
  }
  return input.seller.vatNumber ? 'E' : 'O';
}

/** Validates and computes; throws InvoiceDocumentError listing every problem with its path. */
export function prepareInvoice(data: unknown): PreparedInvoice {
  const input = parseInvoiceDocumentInput(data);
  let computed;
  try {
    computed = computeInvoiceTotals(input.lines.map((l) => ({ lineId: l.lineId, quantity: l.quantity, unitPriceHT: l.unitPriceHT, vatRate: l.vatRate })));
  } catch (error) {
    if (error instanceof MoneyError) throw new InvoiceDocumentError([{ path: error.field, message: error.message.slice(error.field.length + 2) }]);
    throw error;
  }

  const issues: InputIssue[] = [];
  const categories = new Map(computed.vatBreakdown.map((v) => [v.rate, categoryOf(v.rate, input, issues)]));
  const exemptionNeeded = [...categories.values()].some((c) => c !== 'S');
  let vatExemptionNote: string | undefined;
  if (exemptionNeeded) {
    if (categories.get('0') === 'E' && !input.vatExemptionNote) {
      issues.push({ path: 'vatExemptionNote', message: 'required for lines at 0 % from a seller with a VAT number: give the legal ground of the exemption' });
    }
    vatExemptionNote = input.vatExemptionNote ?? DEFAULT_VAT_EXEMPTION_NOTE;
  }
  if (issues.length > 0) throw new InvoiceDocumentError(issues);

  const lines = input.lines.map((line, i): PreparedLine => {
    const rate = normalizeVatRate(line.vatRate);
    return {
      ...line,
      rate,
      totalHT: computed.lines[i]?.totalHT ?? '0.00',
      unitCode: unitCode(line.unit),
      category: categories.get(rate) ?? 'S',
    };
  });
  const reference = precedingInvoiceNote(input);
  return {
    input,
    buyerKind: input.buyer.kind ?? 'PUBLIC',
    lines,
    vatBreakdown: computed.vatBreakdown.map((v) => {
      const category = categories.get(v.rate) ?? 'S';
      return category === 'S' ? { ...v, category } : { ...v, category, exemptionReason: vatExemptionNote };
    }),
    totals: computed.totals,
    amountDue: computed.amountDue,
    paymentTerms: input.documentType === 'CREDIT_NOTE' ? creditNoteTermsText(input) : paymentTermsText(input),
    notes: [...(reference ? [reference] : []), ...legalNotes(input.buyer.kind ?? 'PUBLIC')],
    vatExemptionNote,
  };
}
