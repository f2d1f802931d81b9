/** Valid test data for the API suites: SIRETs with their Luhn key, profiles, orders. */
import { randomInt } from 'node:crypto';

/** Luhn key digit making `body` (13 digits) a valid SIRET. */
export function luhnComplete(body: string): string {
  for (let d = 0; d <= 9; d += 1) {
    const candidate = `${body}${d}`;
    let sum = 0;
    for (let i = 0; i < candidate.length; i += 1) {
      let n = Number(candidate[candidate.length - 1 - i]);
      if (i % 2 === 1) {
        n *= 2;
        if (n > 9) n -= 9;
      }
      sum += n;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error('unreachable');
}

/** A random valid SIRET (never La Poste's SIREN, which has its own rule). */
export function newSiret(): string {
  const body = `${randomInt(1, 9)}${String(randomInt(0, 1e9)).padStart(9, '0')}`.slice(0, 9) + String(randomInt(0, 10_000)).padStart(4, '0');
  const siret = luhnComplete(body);
  return siret.startsWith('356000000') ? newSiret() : siret;
}

export const IBAN = 'FR7630006000011234567890189';

export const producerProfile = (overrides: Record<string, unknown> = {}) => ({
  name: 'GAEC de la Ferme des Prés',
  email: 'compta@ferme-des-pres.fr',
  address: { line1: '12 chemin des Prés', postalCode: '24000', city: 'Périgueux' },
  vatNumber: 'FR40303265045',
  chorusEnabled: true,
  paymentMethod: { type: 'VIREMENT', iban: IBAN, bic: 'AGRIFRPP' },
  ...overrides,
});

export const buyerProfile = (overrides: Record<string, unknown> = {}) => ({
  name: 'Collège Jean Moulin',
  email: 'intendance@college-jean-moulin.fr',
  kind: 'PUBLIC',
  address: { line1: '1 rue de l’École', postalCode: '24100', city: 'Bergerac' },
  serviceCode: 'RESTAURATION',
  ...overrides,
});

export const orderBody = (orderId: string, producerSiret: string, buyerSiret: string, overrides: Record<string, unknown> = {}) => ({
  orderId,
  producerSiret,
  buyerSiret,
  deliveryDate: '2026-03-02',
  lines: [
    { lineId: 'L1', label: 'Pommes de terre Charlotte', unit: 'kg', unitPriceHT: '1.8500', vatRate: '5.5', orderedQuantity: '40' },
    { lineId: 'L2', label: 'Yaourts fermiers nature', unit: 'pièce', unitPriceHT: '0.45', vatRate: '5.5', orderedQuantity: '120' },
  ],
  ...overrides,
});
