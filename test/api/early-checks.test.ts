/**
 * Early data checks, over the real stack: what would make an illegal invoice (or one Chorus Pro refuses) is refused
 * at PUT /producers and POST /orders, naming the field, instead of at quantity validation. And a producer who
 * states a VAT exemption is invoiced exempt (category E, his mention as BT-120).
 */
import { XMLParser } from 'fast-xml-parser';
import { createApp } from '../../api/app';
import { extractFacturXml } from '../../chorus-sandbox/facturx';
import { Buyer, Invoice } from '../../db/entities';
import { FRANCHISE_EN_BASE_MENTION } from '../../domain/vat';
import { startTestStack, type TestStack } from '../support/stack';
import { uniqueId } from '../support/services';
import { waitForInvoice } from '../support/scenario';
import { buyerProfile, newSiret, orderBody, producerProfile } from './fixtures';
import { callers, expectError, type Callers } from './support';
import { pdfWhenReady } from '../support/wait';

let stack: TestStack;
let as: Callers;

beforeAll(async () => {
  stack = await startTestStack();
  as = callers(createApp({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, options: { rateLimit: false } }), stack.config);
});
afterAll(async () => {
  await stack?.teardown();
});

/** A producer (Chorus flow closed: no attachment asked) with this VAT status, and a public buyer. */
async function parties(vat: { vatNumber?: string | null; vatExemptionMention?: string | null }) {
  const producerSiret = newSiret();
  const buyerSiret = newSiret();
  const producer = await as.platform.put(`/producers/${producerSiret}`, producerProfile({ chorusEnabled: false, ...vat }));
  expect(producer.status).toBe(201);
  expect((await as.platform.put(`/buyers/${buyerSiret}`, buyerProfile())).status).toBe(201);
  return { producerSiret, buyerSiret };
}

const line = (lineId: string, vatRate: string) => ({ lineId, label: 'Miel de châtaignier 500 g', unit: 'pot', unitPriceHT: '6.50', vatRate, orderedQuantity: '12' });
const rowsOf = (orderId: string) => stack.db.orm.em.fork().count(Invoice, { orderId });

describe('POST /orders refuses VAT the producer may not charge', () => {
  it('When a producer without VAT number nor exemption sends lines with VAT, then 422 INVOICE_DATA_INVALID names each line rate, and nothing is stored', async () => {
    const p = await parties({ vatNumber: null });
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret, { lines: [line('L1', '5.5'), line('L2', '0'), line('L3', '20')] });
    const error = expectError(await as.platform.post('/orders', body), 422, 'INVOICE_DATA_INVALID', /n’a pas de numéro de TVA/);
    expect(error.details.map((d) => d.path)).toEqual(['lines.0.vatRate', 'lines.2.vatRate']);
    expect(error.details[0]?.message).toMatch(/TVA à 5\.5 %.*numéro de TVA du vendeur/);
    expect(await rowsOf(body.orderId)).toBe(0);
  });

  it('When a producer stating a VAT exemption sends a line with VAT, then 422 names that line rate and quotes his mention', async () => {
    const p = await parties({ vatNumber: null, vatExemptionMention: FRANCHISE_EN_BASE_MENTION });
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret, { lines: [line('L1', '0'), line('L2', '10')] });
    const error = expectError(await as.platform.post('/orders', body), 422, 'INVOICE_DATA_INVALID', /exonéré de TVA/);
    expect(error.details).toEqual([{ path: 'lines.1.vatRate', message: expect.stringContaining(FRANCHISE_EN_BASE_MENTION) as string }]);
    expect(await rowsOf(body.orderId)).toBe(0);
  });

  it('When the same lines come from a producer with a VAT number, then the order is taken (the refusal is about the profile)', async () => {
    const p = await parties({});
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret, { lines: [line('L1', '5.5'), line('L2', '20')] });
    expect((await as.platform.post('/orders', body)).status).toBe(201);
  });
});

describe('POST /orders refuses a public buyer Chorus Pro would refuse', () => {
  it('When a public buyer profile stored before the Chorus limit has a 155-character name, then 422 names buyerSiret with the limit; a private one passes', async () => {
    const p = await parties({});
    const longName = `Établissement public local d’enseignement ${'— service de restauration collective '.repeat(4)}`.slice(0, 155);
    expect(Array.from(longName)).toHaveLength(155);
    // PUT /buyers refuses such a name now: the row is written as an older version of the API did.
    const em = stack.db.orm.em.fork();
    await em.nativeUpdate(Buyer, { siret: p.buyerSiret }, { name: longName });
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret);
    const error = expectError(await as.platform.post('/orders', body), 422, 'INVOICE_DATA_INVALID', /155 caractères, Chorus Pro en accepte 99/);
    expect(error.details.map((d) => d.path)).toEqual(['buyerSiret']);
    expect(await rowsOf(body.orderId)).toBe(0);

    await em.nativeUpdate(Buyer, { siret: p.buyerSiret }, { kind: 'PRIVATE' });
    expect((await as.platform.post('/orders', body)).status).toBe(201);
  });

  it('When the buyer SIRET has a wrong check digit, then the order is refused on buyerSiret before any profile is read (400)', async () => {
    const p = await parties({});
    const wrongKey = `${p.buyerSiret.slice(0, 13)}${(Number(p.buyerSiret[13]) + 1) % 10}`;
    const error = expectError(await as.platform.post('/orders', orderBody(uniqueId('CMD'), p.producerSiret, wrongKey)), 400, 'VALIDATION_ERROR');
    expect(error.details.map((d) => d.path)).toEqual(['buyerSiret']);
  });

  it('When an engagement or service code is longer than Chorus takes (50, 100), then 400 names it', async () => {
    const p = await parties({});
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret, { engagementCode: 'E'.repeat(51), serviceCode: 'S'.repeat(101) });
    const error = expectError(await as.platform.post('/orders', body), 400, 'VALIDATION_ERROR');
    expect(error.details).toEqual([
      { path: 'engagementCode', message: 'must be at most 50 characters' },
      { path: 'serviceCode', message: 'must be at most 100 characters' },
    ]);
  });
});

describe('PUT /producers: the VAT exemption', () => {
  it('When the profile states a VAT exemption, then it is stored and answered; an empty or too long mention is refused on vatExemptionMention', async () => {
    const siret = newSiret();
    const put = await as.platform.put(`/producers/${siret}`, producerProfile({ chorusEnabled: false, vatNumber: null, vatExemptionMention: ` ${FRANCHISE_EN_BASE_MENTION} ` }));
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ vatNumber: null, vatExemptionMention: FRANCHISE_EN_BASE_MENTION });
    expect((await as.platform.get(`/producers/${siret}`)).body).toMatchObject({ vatExemptionMention: FRANCHISE_EN_BASE_MENTION });
    for (const bad of ['', 'x'.repeat(201), 'ligne 1\nligne 2']) {
      const error = expectError(await as.platform.put(`/producers/${siret}`, producerProfile({ chorusEnabled: false, vatExemptionMention: bad })), 400, 'VALIDATION_ERROR');
      expect(error.details.map((d) => d.path)).toEqual(['vatExemptionMention']);
    }
    const cleared = await as.platform.put(`/producers/${siret}`, producerProfile({ chorusEnabled: false }));
    expect(cleared.body).toMatchObject({ vatExemptionMention: null });
  });

  it('When an order with VAT waits for its quantities, then removing the VAT number or stating an exemption is refused (422) naming the field, and the profile stays', async () => {
    const p = await parties({});
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret);
    expect((await as.platform.post('/orders', body)).status).toBe(201);
    const kept = producerProfile({ chorusEnabled: false });

    const noNumber = expectError(await as.platform.put(`/producers/${p.producerSiret}`, { ...kept, vatNumber: null }), 422, 'INVOICE_DATA_INVALID', new RegExp(body.orderId));
    expect(noNumber.details).toEqual([{ path: 'vatNumber', message: expect.stringMatching(/sans numéro de TVA.*5\.5 %/) as string }]);
    const exempt = expectError(await as.platform.put(`/producers/${p.producerSiret}`, { ...kept, vatExemptionMention: FRANCHISE_EN_BASE_MENTION }), 422, 'INVOICE_DATA_INVALID');
    expect(exempt.details.map((d) => d.path)).toEqual(['vatExemptionMention']);
    expect((await as.platform.get(`/producers/${p.producerSiret}`)).body).toMatchObject({ vatNumber: kept.vatNumber, vatExemptionMention: null });

    // Once the order is cancelled, nothing waits: the profile may change.
    expect((await as.platform.post(`/orders/${body.orderId}/cancel`, {})).status).toBe(200);
    expect((await as.platform.put(`/producers/${p.producerSiret}`, { ...kept, vatNumber: null })).status).toBe(200);
  });
});

describe('An exempt producer is invoiced', () => {
  const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => name === 'ram:ApplicableTradeTax' });

  it('When a producer stating the franchise en base delivers lines at 0 %, then the invoice is made: Factur-X category E with his mention (BT-120), no VAT', async () => {
    const p = await parties({ vatNumber: null, vatExemptionMention: FRANCHISE_EN_BASE_MENTION });
    const body = orderBody(uniqueId('CMD'), p.producerSiret, p.buyerSiret, { lines: [line('L1', '0'), line('L2', '0')] });
    const created = await as.platform.post('/orders', body);
    expect(created.status).toBe(201);
    const invoiceId = (created.body as { invoiceId: string }).invoiceId;
    const validated = await as.platform.post(`/orders/${body.orderId}/quantity-validation`, {
      validatedBy: 'BUYER',
      lines: [
        { lineId: 'L1', deliveredQuantity: '12' },
        { lineId: 'L2', deliveredQuantity: '10' },
      ],
    });
    expect(validated.status).toBe(200);
    const invoice = await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' });
    expect(invoice.totals).toEqual({ ht: '143.00', tva: '0.00', ttc: '143.00' });

    const pdf = await pdfWhenReady(() => as.platform.get(`/invoices/${invoiceId}/pdf`).buffer(true));
    expect(pdf.status).toBe(200);
    const cii = xmlParser.parse(await extractFacturXml(pdf.body as Buffer)) as Record<string, Record<string, Record<string, Record<string, unknown>>>>;
    const transaction = cii['rsm:CrossIndustryInvoice']!['rsm:SupplyChainTradeTransaction']!;
    const [tax] = transaction['ram:ApplicableHeaderTradeSettlement']!['ram:ApplicableTradeTax'] as Record<string, unknown>[];
    expect(tax).toMatchObject({ 'ram:CategoryCode': 'E', 'ram:CalculatedAmount': '0.00', 'ram:ExemptionReason': FRANCHISE_EN_BASE_MENTION });
    const seller = transaction['ram:ApplicableHeaderTradeAgreement']!['ram:SellerTradeParty'] as Record<string, unknown>;
    expect(seller['ram:SpecifiedTaxRegistration']).toEqual({ 'ram:ID': { '#text': p.producerSiret.slice(0, 9), '@schemeID': 'FC' } });
  });
});
