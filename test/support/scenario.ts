/**
 * A producer's and a buyer's day, through the public API only: profiles, an order, the delivered quantities,
 * then actions; and waits on what the API shows. Used by the workflow and end-to-end suites.
 */
import request from 'supertest';
import { frenchVatNumberOf, siretWithKey } from '../../domain/siret';
import { invoiceWorkflowId } from '../../workflows/messages';
import type { TestStack } from './stack';
import { noteWorkflow } from './histories';
import { uniqueId } from './services';

/** A SIRET with a valid Luhn check digit, unique per call. */
let siretCounter = 0;
export function makeSiret(): string {
  siretCounter += 1;
  const body = `${(Date.now() % 1e7).toString().padStart(7, '0')}${(process.pid % 100).toString().padStart(2, '0')}${(siretCounter % 10000)
    .toString()
    .padStart(4, '0')}`.slice(0, 13);
  return siretWithKey(body);
}

export const IBAN = 'FR7630006000011234567890189';

/** The French VAT number of a SIRET's company. */
export const vatNumberOf = frenchVatNumberOf;

export interface Parties {
  producerSiret: string;
  buyerSiret: string;
  producerEmail: string;
  buyerEmail: string;
}

export interface PartiesOptions {
  buyerKind?: 'PUBLIC' | 'PRIVATE';
  chorusEnabled?: boolean;
  /** Register the buyer on the Chorus sandbox (default: yes for public buyers). */
  buyerOnChorus?: boolean;
  buyerEngagementRequired?: boolean;
  /** The buyer's profile carries this service code (BT-10), and Chorus requires it. */
  buyerServiceCode?: string;
  /** Chorus requires a service code (this one exists there) but the buyer's profile has none. */
  chorusServiceOnly?: string;
  /** The producer's structure is attached to the technical account on Chorus (default true). */
  producerAttached?: boolean;
}

export function platform(stack: TestStack) {
  const auth = { Authorization: `Bearer ${stack.config.AGRILOCAL_API_KEY}` };
  const app = stack.app;
  return {
    put: (path: string, body: object) => request(app).put(`/api/v1${path}`).set(auth).send(body),
    post: (path: string, body: object = {}) => request(app).post(`/api/v1${path}`).set(auth).send(body),
    get: (path: string) => request(app).get(`/api/v1${path}`).set(auth),
  };
}

export async function setUpParties(stack: TestStack, options: PartiesOptions = {}): Promise<Parties> {
  const api = platform(stack);
  const producerSiret = makeSiret();
  const buyerSiret = makeSiret();
  const producerEmail = `producteur-${producerSiret}@ferme.test`;
  const buyerEmail = `compta-${buyerSiret}@college.test`;
  const kind = options.buyerKind ?? 'PUBLIC';
  const address = { line1: '1 route des Champs', postalCode: '24000', city: 'Périgueux' };
  // The producer's structure is known to Chorus as a supplier attached to our technical account (checked when
  // his Chorus flow opens); the public buyer as a public structure.
  await sandboxPut(stack, `/structures/${producerSiret}`, { designation: 'Ferme des Trois Chênes', type: 'SUPPLIER', attached: options.producerAttached ?? true });
  const p = await api.put(`/producers/${producerSiret}`, {
    name: 'Ferme des Trois Chênes',
    email: producerEmail,
    address,
    vatNumber: vatNumberOf(producerSiret),
    chorusEnabled: options.chorusEnabled ?? true,
    paymentMethod: { type: 'VIREMENT', iban: IBAN },
  });
  if (p.status >= 300) throw new Error(`producer: ${p.status} ${JSON.stringify(p.body)}`);
  const b = await api.put(`/buyers/${buyerSiret}`, {
    name: kind === 'PUBLIC' ? 'Collège Jean Moulin' : 'Restaurant Le Bon Goût',
    email: buyerEmail,
    kind,
    address: { line1: '2 rue de l’École', postalCode: '24100', city: 'Bergerac' },
    ...(options.buyerServiceCode ? { serviceCode: options.buyerServiceCode } : {}),
  });
  if (b.status >= 300) throw new Error(`buyer: ${b.status} ${JSON.stringify(b.body)}`);
  if (kind === 'PUBLIC' && (options.buyerOnChorus ?? true)) {
    await sandboxPut(stack, `/structures/${buyerSiret}`, {
      designation: 'Collège Jean Moulin',
      type: 'PUBLIC',
      numeroEJDoitEtreRenseigne: options.buyerEngagementRequired ?? false,
      codeServiceDoitEtreRenseigne: (options.buyerServiceCode ?? options.chorusServiceOnly) !== undefined,
      ...((options.buyerServiceCode ?? options.chorusServiceOnly)
        ? { services: [{ codeService: options.buyerServiceCode ?? options.chorusServiceOnly, libelle: 'Intendance', actif: true }] }
        : {}),
    });
  }
  return { producerSiret, buyerSiret, producerEmail, buyerEmail };
}

async function sandboxPut(stack: TestStack, path: string, body: object): Promise<void> {
  const res = await fetch(`${stack.sandbox.url}/sandbox/v1${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`sandbox PUT ${path}: ${res.status} ${await res.text()}`);
}

export async function sandboxControl(stack: TestStack, method: string, path: string, body?: object): Promise<unknown> {
  const res = await fetch(`${stack.sandbox.url}/sandbox/v1${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${text}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export interface OrderOptions {
  engagementCodeRequired?: boolean;
  engagementCode?: string;
  serviceCode?: string;
  marketNumber?: string;
}

export const ORDER_LINES = [
  { lineId: 'L1', label: 'Carottes des sables', unit: 'kg', unitPriceHT: '2.35', vatRate: '5.5', orderedQuantity: '12.5' },
  { lineId: 'L2', label: 'Yaourts fermiers nature', unit: 'pièce', unitPriceHT: '0.65', vatRate: '5.5', orderedQuantity: '120' },
  { lineId: 'L3', label: 'Jus de pomme 1 L', unit: 'bouteille', unitPriceHT: '2.80', vatRate: '20', orderedQuantity: '24' },
];

export async function createOrder(stack: TestStack, parties: Parties, options: OrderOptions = {}): Promise<{ orderId: string; invoiceId: string }> {
  const orderId = uniqueId('CMD');
  const res = await platform(stack).post('/orders', {
    orderId,
    producerSiret: parties.producerSiret,
    buyerSiret: parties.buyerSiret,
    deliveryDate: '2026-11-20',
    lines: ORDER_LINES,
    ...options,
  });
  if (res.status !== 201) throw new Error(`order: ${res.status} ${JSON.stringify(res.body)}`);
  noteWorkflow(invoiceWorkflowId(orderId));
  return { orderId, invoiceId: (res.body as { invoiceId: string }).invoiceId };
}

export async function validateQuantities(stack: TestStack, orderId: string, validatedBy: 'PRODUCER' | 'BUYER' = 'PRODUCER') {
  return platform(stack).post(`/orders/${orderId}/quantity-validation`, {
    validatedBy,
    lines: [
      { lineId: 'L1', deliveredQuantity: '12.25' },
      { lineId: 'L2', deliveredQuantity: '118' },
      { lineId: 'L3', deliveredQuantity: '24' },
    ],
  });
}

export interface InvoiceView {
  invoiceId: string;
  number: string | null;
  status: string;
  chorusStatus: string | null;
  actions: string[];
  totals: { ht: string; tva: string; ttc: string };
  chorus: { numeroFluxDepot: string | null; identifiantFactureCPP: string | null };
  history: { at: string; status: string; chorusStatus: string | null; detail: string | null }[];
}

export async function getInvoice(stack: TestStack, invoiceId: string): Promise<InvoiceView> {
  const res = await platform(stack).get(`/invoices/${invoiceId}`);
  if (res.status !== 200) throw new Error(`invoice: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as InvoiceView;
}

/** Polls the API until the invoice matches (status and optionally Chorus status), or fails with what it saw. */
export async function waitForInvoice(
  stack: TestStack,
  invoiceId: string,
  match: { status: string; chorusStatus?: string },
  timeoutMs = 30_000,
): Promise<InvoiceView> {
  const deadline = Date.now() + timeoutMs;
  let last: InvoiceView | undefined;
  for (;;) {
    last = await getInvoice(stack, invoiceId);
    if (last.status === match.status && (match.chorusStatus === undefined || last.chorusStatus === match.chorusStatus)) return last;
    if (Date.now() > deadline) {
      throw new Error(`invoice ${invoiceId} never reached ${JSON.stringify(match)}; last: ${last.status}/${last.chorusStatus}\n` +
        last.history.map((h) => `  ${h.status} ${h.chorusStatus ?? ''} ${h.detail ?? ''}`).join('\n'));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
