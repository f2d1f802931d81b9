/**
 * Invoice inputs covering what producers send: one line, many lines at mixed rates, kilos with grams, Chorus codes,
 * cheque, long accented names, a seller not subject to VAT, a private buyer. SIRET and VAT numbers have valid keys.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { InvoiceDocumentInput, InvoiceDocumentLine } from '../../../documents/input';

/** The shipped credit note example (documents/examples/credit-note.json, rendered beside it as credit-note.pdf). */
export const CREDIT_NOTE_EXAMPLE = path.resolve(__dirname, '../../../documents/examples/credit-note');

export const SELLER = {
  name: 'GAEC des Prés Fleuris',
  siret: '81234567600017',
  vatNumber: 'FR19812345676',
  email: 'contact@gaec-pres-fleuris.example.fr',
  address: { line1: 'Lieu-dit Les Granges', line2: 'Route de Vic', postalCode: '15000', city: 'Aurillac' },
};

export const BUYER = {
  name: 'Collège Jean Monnet',
  siret: '21150014500019',
  kind: 'PUBLIC' as const,
  address: { line1: '12 avenue de la République', postalCode: '15000', city: 'Aurillac', country: 'FR' },
};

export function baseInput(overrides: Partial<InvoiceDocumentInput> = {}): InvoiceDocumentInput {
  return {
    number: 'AGL-2026-000001',
    issueDate: '2026-03-02',
    deliveryDate: '2026-02-27',
    dueDate: '2026-04-01',
    paymentTermsDays: 30,
    orderId: 'AGL-CMD-2026-0001',
    seller: SELLER,
    buyer: BUYER,
    lines: [{ lineId: '1', label: 'Pommes Golden', unit: 'kg', quantity: '10', unitPriceHT: '2.50', vatRate: '5.5' }],
    paymentMethod: { type: 'VIREMENT', iban: 'FR7630006000011234567890189' },
    ...overrides,
  };
}

const PRODUCTS: [string, string, string, string][] = [
  ['Carottes des sables', 'kg', '1.35', '5.5'],
  ['Yaourt fermier à la vanille 125 g', 'pièce', '0.425', '5.5'],
  ['Steak haché de bœuf charolais 15 % MG', 'kg', '14.90', '5.5'],
  ['Jus de pomme pétillant 75 cl', 'bouteille', '3.20', '5.5'],
  ['Bière artisanale blonde 33 cl', 'bouteille', '2.10', '20'],
  ['Panier de légumes (plateau-repas, préparé)', 'colis', '18.00', '10'],
  ['Œufs plein air calibre moyen', 'douzaine', '3.90', '5.5'],
  ['Fleurs comestibles — bouquet', 'botte', '2.75', '10'],
  ['Miel de châtaignier 500 g', 'pot', '7.80', '5.5'],
  ['Presse spécialisée agricole (abonnement)', 'unité', '4.50', '2.1'],
];

function manyLines(count: number): InvoiceDocumentLine[] {
  return Array.from({ length: count }, (_, i) => {
    const [label, unit, price, rate] = PRODUCTS[i % PRODUCTS.length]!;
    const quantity = unit === 'kg' ? `${(i % 9) + 1}.${String((i * 37) % 1000).padStart(3, '0')}` : String((i % 12) + 1);
    return { lineId: String(i + 1), label: `${label} (lot ${i + 1})`, unit, quantity, unitPriceHT: price, vatRate: rate };
  });
}

export interface InvoiceCase {
  name: string;
  input: InvoiceDocumentInput;
}

export const INVOICE_CASES: InvoiceCase[] = [
  { name: 'one-line', input: baseInput() },
  {
    name: 'multi-rate-many-lines',
    input: baseInput({ number: 'AGL-2026-000002', lines: manyLines(48), paymentMethod: { type: 'VIREMENT', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' } }),
  },
  {
    name: 'decimal-quantities-kg',
    input: baseInput({
      number: 'AGL-2026-000003',
      lines: [
        { lineId: '1', label: 'Pommes de terre Agata', unit: 'kg', quantity: '12.350', unitPriceHT: '1.20', vatRate: '5.5' },
        { lineId: '2', label: 'Comté 18 mois', unit: 'kg', quantity: '0.125', unitPriceHT: '24.4575', vatRate: '5.5' },
        { lineId: '3', label: 'Beurre doux', unit: 'g', quantity: '750', unitPriceHT: '0.0112', vatRate: '5.5' },
        { lineId: '4', label: 'Farine de sarrasin', unit: 'kg', quantity: '2.005', unitPriceHT: '3.333', vatRate: '5.5' },
      ],
    }),
  },
  {
    name: 'service-and-engagement-codes',
    input: baseInput({
      number: 'AGL-2026-000004',
      serviceCode: 'RESTAURATION',
      engagementCode: 'EJ-2026-000731',
      marketNumber: 'MAPA-2025-14',
      buyer: { ...BUYER, vatNumber: 'FR70211500145' },
      lines: [
        { lineId: 'L1', label: 'Pommes Golden', unit: 'kg', quantity: '12.350', unitPriceHT: '2.40', vatRate: '5.5' },
        { lineId: 'L2', label: 'Jus de pomme 1 L', unit: 'bouteille', quantity: '24', unitPriceHT: '2.90', vatRate: '5.5' },
        { lineId: 'L3', label: 'Panier garni', unit: 'colis', quantity: '1', unitPriceHT: '15', vatRate: '20' },
      ],
      paymentMethod: { type: 'VIREMENT', iban: 'FR7630006000011234567890189', bic: 'AGRIFRPP' },
    }),
  },
  {
    name: 'cheque',
    input: baseInput({
      number: 'AGL-2026-000005',
      paymentMethod: { type: 'CHEQUE' },
      lines: [
        { lineId: '1', label: 'Lait cru entier', unit: 'litre', quantity: '40', unitPriceHT: '1.15', vatRate: '5.5' },
        { lineId: '2', label: 'Crème fraîche épaisse', unit: 'pot', quantity: '6', unitPriceHT: '3.60', vatRate: '5.5' },
      ],
    }),
  },
  {
    name: 'long-names-accents',
    input: baseInput({
      number: 'AGL-2026-000006',
      seller: {
        ...SELLER,
        name: "Société Coopérative d'Intérêt Collectif « Les Maraîchers Réunis de la Haute-Vallée de l'Ariège et du Pays d'Olmes » — Œuvre & Cœur",
        address: { line1: "Hameau de Sainte-Marie-aux-Chênes, chemin de l'Égalité prolongé", line2: 'Bâtiment Ç, 3ᵉ étage — Boîte postale 12', postalCode: '09300', city: 'Lavelanet-en-Ariège-Pyrénées' },
      },
      buyer: {
        ...BUYER,
        name: "Établissement Public Local d'Enseignement — Lycée Polyvalent Hôtelier « François-Rabelais » de Saint-Étienne-du-Rouvray, Service de Restauration Collective",
        address: { line1: "Allée des Érables, Zone d'Activités Économiques du Château-d'Eau", postalCode: '76800', city: 'Saint-Étienne-du-Rouvray' },
      },
      lines: [
        { lineId: '1', label: "Pêches plates « Platerina » de l'Ardèche, catégorie Extra, calibre A, cueillies à maturité — récolte 2026, agriculture biologique certifiée (FR-BIO-01), conditionnées en plateaux alvéolés de 2,5 kg", unit: 'plateau', quantity: '8', unitPriceHT: '11.90', vatRate: '5.5' },
        { lineId: '2', label: 'Œufs frais — « Poules élevées en plein air » Ø moyen', unit: 'douzaine', quantity: '30', unitPriceHT: '3.85', vatRate: '5.5' },
      ],
    }),
  },
  {
    name: 'seller-not-subject-to-vat',
    input: baseInput({
      number: 'AGL-2026-000007',
      seller: { ...SELLER, vatNumber: null },
      lines: [
        { lineId: '1', label: 'Fromage de chèvre frais', unit: 'pièce', quantity: '40', unitPriceHT: '1.80', vatRate: '0' },
        { lineId: '2', label: 'Tomme de chèvre', unit: 'kg', quantity: '2.400', unitPriceHT: '19.50', vatRate: '0' },
      ],
    }),
  },
  {
    // Franchise en base stated in the producer's profile: no VAT number, lines at 0 %, category E with his mention.
    name: 'exempt-seller',
    input: baseInput({
      number: 'AGL-2026-000011',
      seller: { ...SELLER, vatNumber: null, vatExemptionMention: 'TVA non applicable, art. 293 B du CGI' },
      lines: [
        { lineId: '1', label: 'Miel de printemps 500 g', unit: 'pot', quantity: '24', unitPriceHT: '6.50', vatRate: '0' },
        { lineId: '2', label: 'Pain d’épices au miel', unit: 'pièce', quantity: '10', unitPriceHT: '4.20', vatRate: '0' },
      ],
    }),
  },
  {
    name: 'private-buyer',
    input: baseInput({
      number: 'AGL-2026-000008',
      buyer: { ...BUYER, name: 'SARL Cantine du Marché', siret: '53912345500013', kind: 'PRIVATE', vatNumber: 'FR40539123455' },
      lines: [
        { lineId: '1', label: 'Salade batavia', unit: 'pièce', quantity: '25', unitPriceHT: '0.95', vatRate: '5.5' },
        { lineId: '2', label: 'Radis rose', unit: 'botte', quantity: '12', unitPriceHT: '1.10', vatRate: '5.5' },
      ],
    }),
  },
  {
    // The avoir cancelling 'multi-rate-many-lines' would be too long to read; it cancels 'one-line' (AGL-2026-000001).
    name: 'credit-note',
    input: baseInput({
      documentType: 'CREDIT_NOTE',
      number: 'AGL-2026-000009',
      issueDate: '2026-03-12',
      dueDate: '2026-03-12',
      precedingInvoice: { number: 'AGL-2026-000001', issueDate: '2026-03-02' },
    }),
  },
  {
    name: 'replacement-invoice',
    input: baseInput({
      number: 'AGL-2026-000010',
      issueDate: '2026-03-12',
      dueDate: '2026-04-11',
      precedingInvoice: { number: 'AGL-2026-000001', issueDate: '2026-03-02' },
      lines: [{ lineId: '1', label: 'Pommes Golden', unit: 'kg', quantity: '9.5', unitPriceHT: '2.50', vatRate: '5.5' }],
    }),
  },
  { name: 'example-credit-note', input: JSON.parse(fs.readFileSync(`${CREDIT_NOTE_EXAMPLE}.json`, 'utf8')) as InvoiceDocumentInput },
];
