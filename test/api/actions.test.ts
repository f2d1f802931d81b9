/**
 * Actions through the API on the real workflow (worker, Chorus sandbox, SMTP sink): quantity validation,
 * cancellation, send / mark-processed / archive / recycle / complete, each refusal with its contract code,
 * and the idempotency of a retried action.
 */
import { InvoiceAttachment } from '../../db/entities';
import { startTestStack, type TestStack } from '../support/stack';
import request from 'supertest';
import { Client, Connection } from '@temporalio/client';
import { createApp } from '../../api/app';
import { uniqueId } from '../support/services';
import { ORDER_LINES, createOrder, sandboxControl, setUpParties, validateQuantities, waitForInvoice, type Parties } from '../support/scenario';
import { callers, expectError, type Callers, type InvoiceBody } from './support';
import { newSiret, buyerProfile } from './fixtures';
import Decimal from 'decimal.js';
import { pdfWhenReady } from '../support/wait';

let stack: TestStack;
let as: Callers;

beforeAll(async () => {
  stack = await startTestStack({ sandbox: { flowProcessingDelayMs: 50 } });
  as = callers(stack.app, stack.config);
});
afterAll(async () => {
  await stack?.teardown();
});

const PDF_BASE64 = Buffer.from('%PDF-1.4\n% bon de livraison signé\n%%EOF\n').toString('base64');

async function invoicedOrder(parties: Parties, options: Parameters<typeof createOrder>[2] = {}) {
  const { orderId, invoiceId } = await createOrder(stack, parties, options);
  const res = await validateQuantities(stack, orderId);
  if (res.status !== 200) throw new Error(`validation: ${res.status} ${JSON.stringify(res.body)}`);
  return { orderId, invoiceId, invoice: res.body as InvoiceBody };
}

/** Sends to Chorus and waits until Chorus has integrated it. */
async function depositedInvoice(parties: Parties) {
  const { invoiceId } = await invoicedOrder(parties);
  const sent = await as.platform.post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
  expect(sent.status).toBe(200);
  const invoice = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'DEPOSEE' });
  return { invoiceId, cpp: invoice.chorus.identifiantFactureCPP! };
}

async function buyerMoves(cpp: string, ...statuts: string[]) {
  for (const statut of statuts) await sandboxControl(stack, 'POST', `/invoices/${cpp}/status`, { statut });
}

describe('Quantity validation and cancellation', () => {
  it('When the quantities are validated, then 200 with the invoice: number, totals, PDF, actions and ordered history', async () => {
    const parties = await setUpParties(stack);
    const { invoiceId, invoice } = await invoicedOrder(parties);
    expect(invoice.status).toBe('A_TRAITER');
    expect(invoice.number).toMatch(/\S/);
    expect(invoice.actions).toEqual(['SEND_CHORUS', 'SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE']);
    expect(invoice.lines.map((l) => l.deliveredQuantity)).toEqual(['12.25', '118', '24']);
    // Totals with three lines: HT is the sum of the line totals, TTC = HT + TVA.
    const lineSum = invoice.lines.reduce((sum, l) => sum.add(l.totalHT!), new Decimal(0));
    expect(new Decimal(invoice.totals.ht!).eq(lineSum)).toBe(true);
    expect(new Decimal(invoice.totals.ht!).add(invoice.totals.tva!).eq(invoice.totals.ttc!)).toBe(true);
    expect(invoice.history.map((h) => h.status)).toEqual(['EN_ATTENTE_VALIDATION', 'A_TRAITER']);

    const pdf = await pdfWhenReady(() => as.platform.get(`/invoices/${invoiceId}/pdf`).buffer(true));
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toMatch(/^attachment; filename="?[^"]+\.pdf"?$/);
    expect((pdf.body as Buffer).subarray(0, 5).toString()).toBe('%PDF-');
    const owner = await as.producer(parties.producerSiret);
    expect((await owner.get(`/invoices/${invoiceId}/pdf`)).status).toBe(200);
  });

  it('When the quantities are validated twice, then 409 INVALID_STATE gives the current status and allowed actions', async () => {
    const parties = await setUpParties(stack);
    const { orderId } = await invoicedOrder(parties);
    const error = expectError(await validateQuantities(stack, orderId), 409, 'INVALID_STATE', /Statut actuel : A_TRAITER ; actions possibles : SEND_CHORUS, SEND_EMAIL, MARK_PROCESSED, ARCHIVE\./);
    expect(error).toMatchObject({ status: 'A_TRAITER', allowedActions: ['SEND_CHORUS', 'SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE'] });
    // Cancelling once invoiced is no longer refused: a credit note cancels the invoice (test/workflow/credit-notes.test.ts).
    const late = await as.platform.post(`/orders/${orderId}/cancel`, { reason: 'trop tard' });
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ documentType: 'CREDIT_NOTE', orderId });
  });

  it('When the workflow start was cut short after the order was stored, then the quantity validation starts it and is applied', async () => {
    const parties = await setUpParties(stack);
    // Temporal unreachable at order time: the row is stored, the start fails (503), and the platform never retries.
    const deadTemporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:9' }) });
    try {
      const cutShort = createApp({ config: stack.config, orm: stack.db.orm, temporalClient: deadTemporal, options: { rpcTimeoutMs: 500 } });
      const orderId = uniqueId('CMD');
      const order = await request(cutShort)
        .post('/api/v1/orders')
        .set('Authorization', `Bearer ${stack.config.AGRILOCAL_API_KEY}`)
        .send({ orderId, producerSiret: parties.producerSiret, buyerSiret: parties.buyerSiret, deliveryDate: '2026-11-20', lines: ORDER_LINES });
      expectError(order, 503, 'UNAVAILABLE');
      const res = await validateQuantities(stack, orderId);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ orderId, status: 'A_TRAITER' });
    } finally {
      await deadTemporal.connection.close();
    }
  });

  it('When delivered lines do not match the order, then 422 INCONSISTENT_DATA names the unknown and the missing lines', async () => {
    const parties = await setUpParties(stack);
    const { orderId } = await createOrder(stack, parties);
    const res = await as.platform.post(`/orders/${orderId}/quantity-validation`, {
      validatedBy: 'BUYER',
      lines: [
        { lineId: 'L1', deliveredQuantity: '12' },
        { lineId: 'L9', deliveredQuantity: '1' },
      ],
    });
    const error = expectError(res, 422, 'INCONSISTENT_DATA');
    expect(error.details).toEqual([
      { path: 'lines.1.lineId', message: expect.stringMatching(/no line "L9"/) as string },
      { path: 'lines', message: 'missing the delivered quantity of line(s) L2, L3' },
    ]);
  });

  it('When an order is cancelled before invoicing, then 200 ANNULEE, and any later action is refused as closed', async () => {
    const parties = await setUpParties(stack);
    const { orderId, invoiceId } = await createOrder(stack, parties);
    expectError(await as.platform.post(`/invoices/${invoiceId}/archive`, {}), 409, 'INVALID_STATE', /EN_ATTENTE_VALIDATION ; actions possibles : aucune/);
    const cancelled = await as.platform.post(`/orders/${orderId}/cancel`, { reason: 'Livraison annulée par le collège' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'ANNULEE', actions: [] });
    await new Promise((r) => setTimeout(r, 300)); // the workflow ends right after answering
    const error = expectError(await validateQuantities(stack, orderId), 409, 'INVALID_STATE', /Statut actuel : ANNULEE/);
    expect(error.allowedActions).toEqual([]);
  });
});

describe('Sending, marking processed, archiving', () => {
  it("When Chorus is not enabled in the producer's profile, then send CHORUS is 422 CHORUS_NOT_ENABLED", async () => {
    const parties = await setUpParties(stack, { chorusEnabled: false });
    const { invoiceId } = await invoicedOrder(parties);
    expectError(await as.platform.post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' }), 422, 'CHORUS_NOT_ENABLED');
    expect((await as.platform.get(`/invoices/${invoiceId}`)).body).toMatchObject({ status: 'A_TRAITER' });
  });

  it('When the buyer requires an engagement code and none is given, then 422 ENGAGEMENT_CODE_REQUIRED; with one, 200', async () => {
    const parties = await setUpParties(stack);
    const { invoiceId } = await invoicedOrder(parties, { engagementCodeRequired: true });
    expectError(await as.platform.post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' }), 422, 'ENGAGEMENT_CODE_REQUIRED');
    const sent = await as.platform.post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS', engagementCode: 'EJ-2026-0042' });
    expect(sent.status).toBe(200);
    expect((sent.body as InvoiceBody).engagementCode).toBe('EJ-2026-0042');
    expect(['EN_ATTENTE_TRAITEMENT', 'DEPOSEE_CHORUS']).toContain((sent.body as InvoiceBody).status);
  });

  it('When the producer sends it by e-mail with his token, then ENVOYEE_MAIL; archive then ARCHIVEE; archive again 409', async () => {
    const parties = await setUpParties(stack);
    const { invoiceId } = await invoicedOrder(parties);
    const producer = await as.producer(parties.producerSiret);
    const sent = await producer.post(`/invoices/${invoiceId}/send`, { channel: 'EMAIL' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ status: 'ENVOYEE_MAIL', actions: ['ARCHIVE'] });
    await stack.smtp.waitFor((m) => JSON.stringify(m.to).includes(parties.buyerEmail));
    const archived = await producer.post(`/invoices/${invoiceId}/archive`);
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ status: 'ARCHIVEE', actions: [] });
    expectError(await producer.post(`/invoices/${invoiceId}/archive`, {}), 409, 'INVALID_STATE', /ARCHIVEE/);
    const traitees = await producer.get('/invoices?view=traitees');
    expect((traitees.body as { items: InvoiceBody[] }).items.map((i) => i.invoiceId)).toContain(invoiceId);
  });

  it('When the producer deposited it on the portal himself, then mark-processed gives TRAITEE_MANUELLEMENT', async () => {
    const parties = await setUpParties(stack);
    const { invoiceId } = await invoicedOrder(parties);
    const res = await as.platform.post(`/invoices/${invoiceId}/mark-processed`, {});
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'TRAITEE_MANUELLEMENT', actions: ['ARCHIVE'] });
    expectError(await as.platform.post(`/invoices/${invoiceId}/mark-processed`, { force: true }), 400, 'VALIDATION_ERROR');
  });

  it('When an action is retried with the same Idempotency-Key, then the first result comes back and it happens once', async () => {
    const parties = await setUpParties(stack);
    const { invoiceId } = await invoicedOrder(parties);
    const key = `send-${invoiceId}`;
    const first = await as.platform.post(`/invoices/${invoiceId}/send`, { channel: 'EMAIL' }).set('Idempotency-Key', key);
    const retry = await as.platform.post(`/invoices/${invoiceId}/send`, { channel: 'EMAIL' }).set('Idempotency-Key', key);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ status: 'ENVOYEE_MAIL' });
    expect((retry.body as InvoiceBody).history.filter((h) => h.status === 'ENVOYEE_MAIL')).toHaveLength(1);
    // Without the key, a second send is a new action, refused in this state.
    expectError(await as.platform.post(`/invoices/${invoiceId}/send`, { channel: 'EMAIL' }), 409, 'INVALID_STATE');
    expectError(await as.platform.post(`/invoices/${invoiceId}/archive`, {}).set('Idempotency-Key', 'bad key!'), 400, 'VALIDATION_ERROR', /Idempotency-Key/);
  });
});

describe('Chorus lifecycle actions', () => {
  it('When Chorus suspends the invoice, then complete stores the files and the invoice becomes COMPLETEE', async () => {
    const parties = await setUpParties(stack);
    const { invoiceId, cpp } = await depositedInvoice(parties);
    const em = () => stack.db.orm.em.fork();
    const attachment = { filename: 'bon-de-livraison.pdf', contentType: 'application/pdf', contentBase64: PDF_BASE64 };

    // Not suspended yet: refused before anything is stored.
    expectError(await as.platform.post(`/invoices/${invoiceId}/complete`, { attachments: [attachment] }), 409, 'INVALID_STATE', /^La facture ne peut pas être complétée maintenant : la facture est « .* » \(Chorus : DEPOSEE\)\. Statut actuel : DEPOSEE_CHORUS/);
    expectError(await as.platform.post(`/invoices/${invoiceId}/recycle`, { engagementCode: 'EJ-1' }), 409, 'INVALID_STATE', /DEPOSEE_CHORUS \(Chorus : DEPOSEE\) ; actions possibles : aucune/);
    expect(await em().count(InvoiceAttachment, { invoiceId })).toBe(0);

    await buyerMoves(cpp, 'MISE_A_DISPOSITION', 'SUSPENDUE');
    const suspended = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'SUSPENDUE' });
    expect(suspended.actions).toEqual(['COMPLETE']);

    const producer = await as.producer(parties.producerSiret);
    const res = await producer.post(`/invoices/${invoiceId}/complete`, { comment: 'Bon de livraison signé joint.', attachments: [attachment] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'DEPOSEE_CHORUS', chorusStatus: 'COMPLETEE' });
    const stored = await em().find(InvoiceAttachment, { invoiceId });
    expect(stored.map((a) => [a.filename, a.contentType, Buffer.from(a.content).toString('base64')])).toEqual([['bon-de-livraison.pdf', 'application/pdf', PDF_BASE64]]);
  });

  it('When Chorus asks to recycle, then an unknown or private buyer is 422 and a new engagement code recycles it', async () => {
    const parties = await setUpParties(stack);
    const { invoiceId, cpp } = await depositedInvoice(parties);
    await buyerMoves(cpp, 'MISE_A_DISPOSITION', 'A_RECYCLER');
    const toRecycle = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'A_RECYCLER' });
    expect(toRecycle.actions).toEqual(['RECYCLE']);

    expectError(await as.platform.post(`/invoices/${invoiceId}/recycle`, { buyerSiret: newSiret() }), 422, 'UNKNOWN_BUYER');
    const privateBuyer = newSiret();
    await as.platform.put(`/buyers/${privateBuyer}`, buyerProfile({ kind: 'PRIVATE' }));
    expectError(await as.platform.post(`/invoices/${invoiceId}/recycle`, { buyerSiret: privateBuyer }), 422, 'BUYER_NOT_PUBLIC');
    expectError(await as.platform.post(`/invoices/${invoiceId}/recycle`, {}), 400, 'VALIDATION_ERROR', /at least one of/);

    const recycled = await as.platform.post(`/invoices/${invoiceId}/recycle`, { engagementCode: 'EJ-2026-0099' });
    expect(recycled.status).toBe(200);
    expect(recycled.body).toMatchObject({ status: 'DEPOSEE_CHORUS', chorusStatus: 'DEPOSEE', engagementCode: 'EJ-2026-0099' });
  });

  it('When Chorus issues the payment, then the invoice shows MISE_EN_PAIEMENT, is found by that filter and can be archived', async () => {
    const parties = await setUpParties(stack);
    const { invoiceId, cpp } = await depositedInvoice(parties);
    await buyerMoves(cpp, 'MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MISE_EN_PAIEMENT');
    const paid = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    expect(paid.actions).toEqual(['ARCHIVE']);
    expect(paid.chorus.numeroFluxDepot).toMatch(/^CPP/);
    expect(paid.history.map((h) => h.chorusStatus)).toEqual(expect.arrayContaining(['DEPOSEE', 'MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MISE_EN_PAIEMENT']));
    const listed = await as.platform.get(`/invoices?producerSiret=${parties.producerSiret}&chorusStatus=MISE_EN_PAIEMENT&view=traitees`);
    expect((listed.body as { items: InvoiceBody[] }).items.map((i) => i.invoiceId)).toEqual([invoiceId]);
    const archived = await as.platform.post(`/invoices/${invoiceId}/archive`, {});
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ status: 'ARCHIVEE', chorusStatus: 'MISE_EN_PAIEMENT' });
  });
});
