/**
 * An invoice ready to be drawn and serialised: validated input, exact totals, VAT categories and mentions, computed
 * once so that the PDF and the Factur-X XML cannot disagree.
 *
 * VAT categories (EN 16931 UNCL5305), decided by domain/vat.ts from the rates, the seller's VAT number and the VAT
 * exemption his profile states:
 * - a seller stating an exemption (`seller.vatExemptionMention`) -> "E" (exempt) on every line, all at 0 % (a
 *   higher rate is refused on the line), his mention as BT-120 and printed;
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
import { exemptionMentionOf, vatCategoryOf, vatRateConflicts, type VatCategory } from '../domain/vat';

export type { VatCategory };

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

/**
 * The seller's VAT status against the lines' rates (domain/vat.ts, the rule the API applies to profiles and
 * orders): VAT charged without VAT number is refused on `seller.vatNumber`, a rate above 0 % from an exempt
 * seller on the line's rate. One issue per rate or line.
 */
function vatIssues(input: InvoiceDocumentInput): InputIssue[] {
  const issues: InputIssue[] = [];
  const reported = new Set<string>();
  for (const conflict of vatRateConflicts(input.seller, input.lines)) {
    if (conflict.field === 'vatNumber') {
      if (reported.has(conflict.rate)) continue;
      reported.add(conflict.rate);
      issues.push({
        path: 'seller.vatNumber',
        message: `required: lines carry VAT at ${conflict.rate} %, and an invoice charging VAT must show the seller's VAT number (CGI art. 242 nonies A, EN 16931 BR-S-02)`,
      });
    } else {
      issues.push({ path: `lines[${conflict.index}].vatRate`, message: `must be 0: the seller states a VAT exemption (seller.vatExemptionMention), got ${conflict.rate} %` });
    }
  }
  return issues;
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

  const issues: InputIssue[] = vatIssues(input);
  const categories = new Map(computed.vatBreakdown.map((v) => [v.rate, vatCategoryOf(v.rate, input.seller)]));
  const exemptionNeeded = [...categories.values()].some((c) => c !== 'S');
  const profileMention = exemptionMentionOf(input.seller);
  let vatExemptionNote: string | undefined;
  if (exemptionNeeded) {
    if (categories.get('0') === 'E' && !profileMention && !input.vatExemptionNote) {
      issues.push({ path: 'vatExemptionNote', message: 'required for lines at 0 % from a seller with a VAT number: give the legal ground of the exemption' });
    }
    vatExemptionNote = profileMention ?? input.vatExemptionNote ?? DEFAULT_VAT_EXEMPTION_NOTE;
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
