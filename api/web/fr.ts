/**
 * What the producer reads when a form is refused, in French, next to the field. The rules and the refusals are
 * the use cases' (schemas.ts, domain/, the workflow); this only words the field checks of schemas.ts, whose
 * messages are written in English for the JSON API. Refusals that are already French (the workflow's, Chorus
 * attachment) are shown as they are.
 */
import type { ApiError } from '../errors';

/** The field of the page a refusal's detail belongs to ("paymentMethod.iban" -> "iban"). */
export function fieldOf(path: string): string {
  if (path.startsWith('attachments')) return 'attachments';
  if (path === 'body.chorusEnabled') return 'chorusEnabled';
  if (path === 'paymentMethod' || path === 'paymentMethod.type') return 'paymentType';
  return path.replace(/^paymentMethod\./, '');
}

const FIELD_TEXT: Record<string, (detail: { message: string }, error: ApiError) => string> = {
  buyerSiret: (_d, e) =>
    e.code === 'UNKNOWN_BUYER'
      ? 'Aucun acheteur Agrilocal n’a ce SIRET.'
      : e.code === 'BUYER_NOT_PUBLIC'
        ? 'Cet acheteur n’est pas un acheteur public : une facture Chorus Pro ne peut être renvoyée qu’à une structure publique.'
        : 'Le SIRET doit faire 14 chiffres, avec une clé valide.',
  serviceCode: () => 'Le code service doit faire de 1 à 100 caractères, sur une ligne.',
  engagementCode: () => 'Le code d’engagement doit faire de 1 à 50 caractères, sur une ligne.',
  attachments: (d) =>
    /at most \d+ files/.test(d.message)
      ? '10 fichiers au plus.'
      : /decode to at most|must not be empty/.test(d.message)
        ? 'Chaque fichier doit peser 10 Mo au plus, et ne pas être vide.'
        : /extension|file name|50 characters/.test(d.message)
          ? 'Nom de fichier refusé : 50 caractères au plus, extension comprise (.pdf, .jpg, .png…), sans caractère spécial.'
          : /Invalid option|expected one of/i.test(d.message)
            ? 'Type de fichier non accepté : joignez des PDF ou des images.'
            : 'Joignez au moins une pièce justificative, ou écrivez un commentaire.',
  comment: () => 'Le commentaire doit faire 2 000 caractères au plus.',
  iban: (d) => (d.message === 'required' ? 'Indiquez votre IBAN pour être payé par virement.' : 'IBAN invalide : vérifiez sa clé et sa longueur.'),
  bic: () => 'BIC invalide : 8 ou 11 lettres et chiffres.',
  // INVOICE_DATA_INVALID: the profile would make a waiting order's invoice illegal; its detail is already French.
  vatNumber: (d, e) => (e.code === 'INVOICE_DATA_INVALID' ? d.message : 'Numéro de TVA invalide : FR, la clé (2 caractères) puis le SIREN, par exemple FR40303265045.'),
  vatExemptionMention: (d, e) =>
    e.code === 'INVOICE_DATA_INVALID' ? d.message : 'La mention d’exonération doit faire de 1 à 200 caractères, sur une ligne, par exemple « TVA non applicable, art. 293 B du CGI ».',
  paymentType: () => 'Choisissez le virement ou le chèque.',
  '(body)': () => 'Renseignez au moins un champ : le nouveau SIRET, le code service ou le code d’engagement.',
};

/** A refusal of the fields themselves (400), or of fields that do not go together (422 INCONSISTENT_DATA). */
const isFieldError = (error: ApiError): boolean => error.code === 'VALIDATION_ERROR' || error.code === 'INCONSISTENT_DATA';

/** Each refused field with its French message; the first one wins when a field has several. */
export function frenchFieldErrors(error: ApiError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const detail of error.details) {
    const field = fieldOf(detail.path);
    if (out[field]) continue;
    const word = FIELD_TEXT[field];
    out[field] = word ? word(detail, error) : isFieldError(error) ? 'Ce champ n’est pas valide.' : error.message;
  }
  if (error.code === 'ENGAGEMENT_CODE_REQUIRED') out.engagementCode = error.message;
  return out;
}

/** The sentence shown for a refused action: the refusal's own (French) text, without the codes meant for programs. */
export function frenchMessage(error: ApiError): string {
  if (isFieldError(error)) return 'Certains champs ne sont pas valides : corrigez-les ci-dessous.';
  if (error.code === 'UNKNOWN_BUYER' || error.code === 'BUYER_NOT_PUBLIC') return 'Le nouvel acheteur est refusé : voir ci-dessous.';
  // INVALID_STATE answers end with the status and action codes for API clients; the page shows the status itself.
  return error.message.replace(/ Statut actuel : .*$/, '');
}
