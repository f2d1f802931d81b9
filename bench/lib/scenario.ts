/**
 * What the bench asks of the API: producers and buyers, then for each invoice an order, its delivered
 * quantities and the producer's decision, following one of the paths of the mix.
 */
import { randomBytes } from 'node:crypto';
import { frenchVatNumberOf, siretWithKey } from '../../domain/siret';

export const PATHS = ['chorus', 'email', 'private', 'processed', 'open'] as const;
export type InvoicePath = (typeof PATHS)[number];

export const PATH_DESCRIPTIONS: Record<InvoicePath, string> = {
  chorus: 'public buyer, sent to Chorus Pro, followed to MISE_EN_PAIEMENT',
  email: 'public buyer, sent by mail by the producer (ENVOYEE_MAIL)',
  private: 'private buyer, mailed automatically (ENVOYEE_MAIL)',
  processed: 'public buyer, marked processed by the producer (TRAITEE_MANUELLEMENT)',
  open: 'public buyer, left "à traiter": the producer has not decided yet (A_TRAITER; the soak run)',
};

/** The state each path ends in (Agrilocal status, Chorus status when it matters). */
export function expectedFinal(path: InvoicePath, lastChorusStatus: string): { status: string; chorusStatus?: string } {
  switch (path) {
    case 'chorus':
      return { status: 'DEPOSEE_CHORUS', chorusStatus: lastChorusStatus };
    case 'email':
    case 'private':
      return { status: 'ENVOYEE_MAIL' };
    case 'processed':
      return { status: 'TRAITEE_MANUELLEMENT' };
    case 'open':
      return { status: 'A_TRAITER' };
  }
}

/** Mails each path sends, by kind (once each). */
export const EXPECTED_MAILS: Record<InvoicePath, string[]> = {
  chorus: ['PRODUCER_INVOICE_READY', 'PRODUCER_PAYMENT_ISSUED'],
  email: ['PRODUCER_INVOICE_READY', 'INVOICE_TO_BUYER'],
  private: ['INVOICE_TO_BUYER'],
  processed: ['PRODUCER_INVOICE_READY'],
  open: ['PRODUCER_INVOICE_READY'],
};

/** Statuses after which an invoice will not move without a producer: reached = the invoice is settled. */
export function isSettled(status: string, chorusStatus: string | null, lastChorusStatus: string): boolean {
  if (status === 'DEPOSEE_CHORUS') return chorusStatus === lastChorusStatus || chorusStatus === 'REJETEE' || chorusStatus === 'A_RECYCLER' || chorusStatus === 'SUSPENDUE';
  return ['ENVOYEE_MAIL', 'ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE', 'ENVOYEE_MAIL_ECHEC_CHORUS', 'TRAITEE_MANUELLEMENT', 'REJETEE_CHORUS', 'ARCHIVEE', 'ANNULEE'].includes(status);
}

/** `chorus=70,email=10,private=10,processed=10` (weights, any scale) to the path of each of `count` invoices. */
export function parseMix(spec: string): Record<InvoicePath, number> {
  const weights: Record<InvoicePath, number> = { chorus: 0, email: 0, private: 0, processed: 0, open: 0 };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z-]+)\s*[=:]\s*(\d+(?:\.\d+)?)$/i.exec(part);
    const name = m?.[1]?.toLowerCase().replace('public-chorus', 'chorus').replace('mark-processed', 'processed');
    if (!m || !name || !(PATHS as readonly string[]).includes(name)) {
      throw new Error(`"${part}" is not a path weight; write e.g. chorus=70,email=10,private=10,processed=10 (paths: ${PATHS.join(', ')})`);
    }
    weights[name as InvoicePath] = Number(m[2]);
  }
  if (Object.values(weights).every((w) => w === 0)) throw new Error('the mix gives no weight to any path');
  return weights;
}

/** The mix as parseMix reads it, paths without weight left out: `chorus=70,email=10,…`. */
export function mixText(mix: Record<InvoicePath, number>): string {
  return PATHS.filter((p) => mix[p] > 0)
    .map((p) => `${p}=${mix[p]}`)
    .join(',');
}

/** A small seeded PRNG (mulberry32): the same seed gives the same mix order and fault times. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exactly round(weight share × count) invoices per path (largest remainder), in a shuffled order. */
export function assignPaths(count: number, weights: Record<InvoicePath, number>, random: () => number): InvoicePath[] {
  const total = Object.values(weights).reduce((a, b) => a + b, 0);
  const exact = PATHS.map((p) => ({ p, x: (weights[p] / total) * count }));
  const counts = new Map(exact.map(({ p, x }) => [p, Math.floor(x)]));
  let missing = count - [...counts.values()].reduce((a, b) => a + b, 0);
  for (const { p } of [...exact].sort((a, b) => (b.x % 1) - (a.x % 1))) {
    if (missing <= 0) break;
    counts.set(p, (counts.get(p) ?? 0) + 1);
    missing -= 1;
  }
  const list = PATHS.flatMap((p) => Array.from({ length: counts.get(p) ?? 0 }, () => p));
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

/** A valid SIRET (Luhn) from a run prefix (8 digits) and an index. */
export function siretFor(prefix: string, index: number): string {
  const body = `${prefix}${index.toString().padStart(5, '0')}`.slice(0, 13);
  return siretWithKey(body);
}

/** French VAT number of the company of a SIRET. */
export const vatNumberOf = frenchVatNumberOf;

/** 8 random digits not starting with 0: keeps runs apart in one database. */
export function runPrefix(): string {
  const n = randomBytes(4).readUInt32BE(0) % 90_000_000;
  return String(10_000_000 + n);
}

export const ORDER_LINES = [
  { lineId: 'L1', label: 'Carottes des sables', unit: 'kg', unitPriceHT: '2.35', vatRate: '5.5', orderedQuantity: '12.5' },
  { lineId: 'L2', label: 'Yaourts fermiers nature', unit: 'pièce', unitPriceHT: '0.65', vatRate: '5.5', orderedQuantity: '120' },
  { lineId: 'L3', label: 'Jus de pomme 1 L', unit: 'bouteille', unitPriceHT: '2.80', vatRate: '20', orderedQuantity: '24' },
];
export const DELIVERED = [
  { lineId: 'L1', deliveredQuantity: '12.25' },
  { lineId: 'L2', deliveredQuantity: '118' },
  { lineId: 'L3', deliveredQuantity: '24' },
];
export const ADDRESS = { line1: '1 route des Champs', postalCode: '24000', city: 'Périgueux' };
export const IBAN = 'FR7630006000011234567890189';
