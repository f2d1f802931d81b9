/**
 * Units as producers write them -> UN/ECE Recommendation 20 codes (BT-130), with Rec 21 packaging codes (X...) that
 * the EN 16931 code list also admits. The printed invoice keeps the producer's own word; only the XML needs a code.
 */
import type { Invoice } from '@e-invoice-eu/core';

export type UnitCode = NonNullable<Invoice['ubl:Invoice']['cac:InvoiceLine'][number]['cbc:InvoicedQuantity@unitCode']>;

/** "C62" is "one" (a unit): the honest code when we do not recognise the word. */
export const DEFAULT_UNIT_CODE: UnitCode = 'C62';

const CODES: Record<string, UnitCode> = {
  kg: 'KGM', kgs: 'KGM', kilo: 'KGM', kilogramme: 'KGM',
  g: 'GRM', gr: 'GRM', gramme: 'GRM',
  t: 'TNE', tonne: 'TNE',
  q: 'DTN', quintal: 'DTN',
  l: 'LTR', litre: 'LTR', liter: 'LTR',
  cl: 'CLT', centilitre: 'CLT',
  ml: 'MLT', millilitre: 'MLT',
  piece: 'H87', pce: 'H87', pc: 'H87', unite: 'H87', u: 'H87', unit: 'H87', tete: 'H87',
  douzaine: 'DZN', dz: 'DZN',
  botte: 'XBH', bouquet: 'XBH',
  barquette: 'XPU', plateau: 'XPU',
  caisse: 'XCS', cagette: 'XCS',
  colis: 'XPK', paquet: 'XPK',
  sac: 'XSA',
  bouteille: 'XBO',
  pot: 'XPT',
  bocal: 'XJR',
  carton: 'XCT',
  filet: 'XNT',
  boite: 'XBX',
  seau: 'XBJ',
  plaque: 'XTY',
  ballot: 'XBE',
};

function normalise(unit: string): string {
  return unit
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .trim()
    .replace(/\.$/, '');
}

export function unitCode(unit: string): UnitCode {
  const key = normalise(unit);
  // Plurals: "pièces", "bottes", "litres".
  return CODES[key] ?? (key.length > 2 && key.endsWith('s') ? CODES[key.slice(0, -1)] : undefined) ?? DEFAULT_UNIT_CODE;
}
