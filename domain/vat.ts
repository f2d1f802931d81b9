/**
 * Whether a seller may charge the VAT rates of his lines, and under which VAT category (EN 16931 UNCL5305) each
 * rate goes: one rule for the API (producer profile, order: refused at once, where the platform can fix it) and
 * the invoice documents (documents/invoice-model.ts). Pure, no Node builtins.
 *
 * - A seller who states a VAT exemption in his profile (`vatExemptionMention`, the legal mention printed on his
 *   invoices, e.g. "TVA non applicable, art. 293 B du CGI" for the franchise en base) charges no VAT: every line
 *   is at 0 %, category E (exempt), the mention is the exemption reason (BT-120).
 * - Any other seller charging VAT (a rate above 0) needs his VAT number on the invoice (CGI art. 242 nonies A,
 *   EN 16931 BR-S-02): without one the line is refused, never invoiced with a "TVA non applicable" mention.
 * - At 0 % without a stated exemption: category O (not subject to VAT) without a VAT number, E with one (the
 *   document then needs its own legal ground, `vatExemptionNote`).
 */
import { MoneyError, normalizeVatRate } from './money';

/** The producer's VAT status as his profile states it. */
export interface SellerVatProfile {
  vatNumber?: string | null;
  /** The legal mention of his VAT exemption; null or absent when he charges VAT. */
  vatExemptionMention?: string | null;
}

/** The longest exemption mention taken (printed in the VAT box of the PDF, sent as BT-120). */
export const VAT_EXEMPTION_MENTION_MAX_CHARS = 200;

/** The legal mention of the franchise en base, the most common exemption of a small producer. */
export const FRANCHISE_EN_BASE_MENTION = 'TVA non applicable, art. 293 B du CGI';

export type VatCategory = 'S' | 'E' | 'O';

/** What is wrong with one line's VAT rate for this seller. */
export interface VatRateConflict {
  /** Index of the line in the list given. */
  index: number;
  /** The rate as canonically written ("20", "5.5"). */
  rate: string;
  /**
   * The profile field that makes the rate illegal: `vatExemptionMention` (an exempt seller charges no VAT) or
   * `vatNumber` (VAT charged without the seller's VAT number).
   */
  field: 'vatExemptionMention' | 'vatNumber';
  /** Why, in French (producers read it). */
  message: string;
}

const isExempt = (seller: SellerVatProfile): boolean => typeof seller.vatExemptionMention === 'string' && seller.vatExemptionMention.trim() !== '';

/** The canonical rate, or undefined when it is not a rate at all (reported by the rate's own check). */
function canonicalRate(value: string): string | undefined {
  try {
    return normalizeVatRate(value);
  } catch (error) {
    if (error instanceof MoneyError) return undefined;
    throw error;
  }
}

/** The VAT category of a (canonical) rate for this seller; call after `vatRateConflicts` found none. */
export function vatCategoryOf(rate: string, seller: SellerVatProfile): VatCategory {
  if (rate !== '0') return 'S';
  if (isExempt(seller)) return 'E';
  return seller.vatNumber ? 'E' : 'O';
}

/** The exemption reason (BT-120) the seller's profile gives, if he is exempt. */
export function exemptionMentionOf(seller: SellerVatProfile): string | undefined {
  return isExempt(seller) ? seller.vatExemptionMention?.trim() : undefined;
}

/** Every line whose VAT rate this seller may not invoice, with the profile field at fault; empty when all may. */
export function vatRateConflicts(seller: SellerVatProfile, lines: readonly { vatRate: string }[]): VatRateConflict[] {
  const conflicts: VatRateConflict[] = [];
  lines.forEach((line, index) => {
    const rate = canonicalRate(line.vatRate);
    if (rate === undefined || rate === '0') return;
    if (isExempt(seller)) {
      conflicts.push({
        index,
        rate,
        field: 'vatExemptionMention',
        message: `TVA à ${rate} % sur cette ligne, alors que le producteur est exonéré de TVA (« ${seller.vatExemptionMention?.trim() ?? ''} ») : ses lignes sont à 0 %.`,
      });
    } else if (!seller.vatNumber) {
      conflicts.push({
        index,
        rate,
        field: 'vatNumber',
        message:
          `TVA à ${rate} % sur cette ligne, mais le profil du producteur n’a pas de numéro de TVA : une facture qui porte de la TVA doit indiquer ` +
          'le numéro de TVA du vendeur (art. 242 nonies A de l’annexe II du CGI). Ajoutez son numéro de TVA à son profil, ou, s’il est exonéré, ' +
          'sa mention d’exonération (par exemple « TVA non applicable, art. 293 B du CGI ») avec des lignes à 0 %.',
      });
    }
  });
  return conflicts;
}
