/**
 * Limits Chorus Pro applies to what we deposit, checked before we deposit: a limit that cannot be met is a
 * clear refusal naming the field where it is typed (buyer profile, attachment), never a rejected flow.
 *
 * - buyer name: 99 characters in the Factur-X (the Factur-X "CHORUSPRO" specification note);
 * - attachment name (`pieceJointeNom`): 50 characters, extension included (HTTP 400 beyond);
 * - invoice number (BT-1): 20 characters;
 * - engagement (commitment) number (BT-13): 50 characters; service code (BT-10): 100 characters;
 * - one file (flow or attachment): 10 MB.
 */
export const CHORUS_LIMITS = {
  buyerNameChars: 99,
  attachmentNameChars: 50,
  invoiceNumberChars: 20,
  engagementCodeChars: 50,
  serviceCodeChars: 100,
  fileBytes: 10 * 1024 * 1024,
} as const;

/** Characters as a person counts them (a character outside the basic plane is one). */
export const charCount = (text: string): number => Array.from(text).length;

/** A public buyer's name longer than the Factur-X of Chorus Pro takes. */
export const exceedsChorusBuyerName = (name: string): boolean => charCount(name) > CHORUS_LIMITS.buyerNameChars;

/**
 * The attachment's name as Chorus will take it: at most 50 characters, the extension kept, the base cut (a
 * producer's "bon de livraison signé par l'intendance du collège.pdf" must not fail the completion).
 */
export function chorusAttachmentName(filename: string): string {
  const max = CHORUS_LIMITS.attachmentNameChars;
  const chars = Array.from(filename);
  if (chars.length <= max) return filename;
  const dot = filename.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(filename.slice(dot)) : [];
  if (extension.length >= max) return chars.slice(0, max).join('');
  const base = Array.from(dot > 0 ? filename.slice(0, dot) : filename);
  return base.slice(0, max - extension.length).join('').trimEnd() + extension.join('');
}
