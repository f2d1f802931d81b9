/**
 * The French legal mentions of an invoice (code de commerce L441-9 / L441-10, code de la commande publique
 * R2192-31 / D2192-35, CGI art. 242 nonies A). One source for the printed PDF and the XML notes, so both say the same.
 */
import { NBSP } from '../domain/format';
import { formatDate, formatIban } from './format';
import type { InvoiceDocumentInput } from './input';

/** Subject codes of the XML notes (UNTDID 4451), as French rules expect them (BR-FR-05). */
/** AAI: general information (the reference to the cancelled or replaced invoice). */
export type NoteSubject = 'PMD' | 'PMT' | 'AAB' | 'AAI';

export interface LegalNote {
  subject: NoteSubject;
  text: string;
}

export const DEFAULT_VAT_EXEMPTION_NOTE = 'TVA non applicable, art. 293 B du CGI';

/** BT-20 (payment terms). */
export function paymentTermsText(input: Pick<InvoiceDocumentInput, 'paymentTermsDays' | 'dueDate'>): string {
  const delay = input.paymentTermsDays === 0 ? 'à réception' : `à ${input.paymentTermsDays} jours`;
  return `Paiement ${delay}, date d'échéance le ${formatDate(input.dueDate)}.`;
}

/** The title printed on the document: "Facture" or "Avoir". */
export function documentTitle(input: Pick<InvoiceDocumentInput, 'documentType'>): 'Facture' | 'Avoir' {
  return input.documentType === 'CREDIT_NOTE' ? 'Avoir' : 'Facture';
}

/**
 * The reference to the preceding invoice, printed and sent as a note: a credit note "refers to the initial invoice
 * specifically and unambiguously" (CGI art. 289, I-1, c; BOI-TVA-DECLA-30-20-20-10), a replacement invoice says
 * "annule et remplace".
 */
export function precedingInvoiceNote(input: Pick<InvoiceDocumentInput, 'documentType' | 'precedingInvoice'>): LegalNote | undefined {
  const preceding = input.precedingInvoice;
  if (!preceding) return undefined;
  const ref = `la facture n° ${preceding.number} du ${formatDate(preceding.issueDate)}`;
  return {
    subject: 'AAI',
    text:
      input.documentType === 'CREDIT_NOTE'
        ? `Avoir annulant en totalité ${ref} : mêmes lignes, mêmes taux et montants de TVA.`
        : `Annule et remplace ${ref}, annulée par avoir.`,
  };
}

/** BT-20 of a credit note: nothing is to be paid; the buyer deducts it, or the seller refunds what was paid. */
export function creditNoteTermsText(input: Pick<InvoiceDocumentInput, 'precedingInvoice'>): string {
  const number = input.precedingInvoice?.number ?? '';
  return `Avoir à déduire de la facture n° ${number} : aucun paiement n'est dû à ce titre ; un montant déjà réglé est remboursé par le vendeur.`;
}

/**
 * Late-payment penalties, recovery indemnity, and discount. A public buyer owes "intérêts moratoires" at the ECB rate
 * + 8 points (commande publique); a private one the commercial-code rate, ECB + 10 points.
 */
export function legalNotes(buyerKind: 'PUBLIC' | 'PRIVATE'): LegalNote[] {
  const publicBuyer = buyerKind === 'PUBLIC';
  return [
    {
      subject: 'PMD',
      text: publicBuyer
        ? "Pénalités de retard : en cas de retard de paiement, intérêts moratoires au taux d'intérêt de la Banque centrale européenne à ses opérations principales de refinancement les plus récentes, majoré de 8 points (art. R2192-31 du code de la commande publique)."
        : 'Pénalités de retard : en cas de retard de paiement, pénalités au taux directeur de la Banque centrale européenne majoré de 10 points (art. L441-10 du code de commerce).',
    },
    {
      subject: 'PMT',
      text: publicBuyer
        ? `Indemnité forfaitaire pour frais de recouvrement de 40${NBSP}€ due en cas de retard de paiement (art. D2192-35 du code de la commande publique).`
        : `Indemnité forfaitaire pour frais de recouvrement de 40${NBSP}€ due en cas de retard de paiement (art. L441-10 et D441-5 du code de commerce).`,
    },
    { subject: 'AAB', text: "Escompte : aucun escompte n'est accordé pour paiement anticipé." },
  ];
}

/** How to pay, as printed: IBAN/BIC for a transfer, payee and address for a cheque. */
export function paymentMeansText(input: Pick<InvoiceDocumentInput, 'paymentMethod' | 'seller'>): string[] {
  const method = input.paymentMethod;
  if (method.type === 'VIREMENT') {
    return [
      'Mode de paiement : virement bancaire',
      `IBAN : ${formatIban(method.iban)}`,
      ...(method.bic ? [`BIC : ${method.bic}`] : []),
      `Titulaire du compte : ${input.seller.name}`,
    ];
  }
  const a = input.seller.address;
  return [
    'Mode de paiement : chèque',
    `Chèque à l'ordre de ${input.seller.name}, à adresser à : ${[a.line1, a.line2, `${a.postalCode} ${a.city}`].filter(Boolean).join(', ')}`,
  ];
}

/** Goods only: Agrilocal producers deliver products, never services (mention of the 2026 French reform). */
export const OPERATION_CATEGORY_TEXT = "Nature de l'opération : livraison de biens.";
