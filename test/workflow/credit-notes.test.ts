/**
 * Credit notes (avoirs) and replacement invoices, end to end: HTTP API → Temporal (real dev server) → activities →
 * PostgreSQL, the Chorus sandbox over HTTP, the SMTP sink. The producer cancels an issued invoice by a credit note
 * and issues its replacement with what changes; the credit note travels like an invoice.
 */
import { replayNotedWorkflows, noteWorkflow } from '../support/histories';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, getInvoice, platform, sandboxControl, setUpParties, validateQuantities, waitForInvoice, type InvoiceView } from '../support/scenario';
import { pdfWhenReady } from '../support/wait';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ sandbox: { flowProcessingDelayMs: 50 } });
});
afterAll(async () => {
  await stack?.teardown();
});

interface Link {
  invoiceId: string;
  number: string | null;
}
type DocumentView = InvoiceView & { documentType: string; cancels: Link | null; cancelledBy: Link | null; replaces: Link | null; replacedBy: Link | null; lines: { lineId: string; deliveredQuantity: string | null }[] };
interface SandboxInvoice {
  identifiantFactureCPP: number;
  numeroFacture: string;
  statut: string;
  typeFacture: string;
  depositCount: number;
}

async function sandboxInvoices(siretFournisseur: string, number: string): Promise<SandboxInvoice[]> {
  const body = (await sandboxControl(stack, 'GET', `/invoices?numeroFacture=${encodeURIComponent(number)}&siretFournisseur=${siretFournisseur}`)) as { invoices: SandboxInvoice[] };
  return body.invoices;
}
const moveOnChorus = (cpp: string, statut: string) => sandboxControl(stack, 'POST', `/invoices/${cpp}/status`, { statut });
const mailsTo = (address: string) => stack.smtp.messages.filter((m) => (m.to && 'text' in m.to ? m.to.text : '').includes(address));
const view = async (invoiceId: string) => (await getInvoice(stack, invoiceId)) as DocumentView;
/** The credit note's and the replacement's workflows (the order's first invoice is noted by createOrder). */
const noteDocuments = (orderId: string, replaced: boolean) => {
  noteWorkflow(`credit-note-${orderId}-1`);
  if (replaced) noteWorkflow(`invoice-${orderId}-2`);
};

async function invoiceReady(options: Parameters<typeof setUpParties>[1] = {}) {
  const parties = await setUpParties(stack, options);
  const { orderId, invoiceId } = await createOrder(stack, parties);
  expect((await validateQuantities(stack, orderId)).status).toBe(200);
  return { parties, orderId, invoiceId };
}

async function depositAndReject(invoiceId: string) {
  expect((await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
  const deposited = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
  await moveOnChorus(deposited.chorus.identifiantFactureCPP!, 'MISE_A_DISPOSITION');
  await moveOnChorus(deposited.chorus.identifiantFactureCPP!, 'REJETEE');
  return waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'REJETEE' });
}

const reissue = (invoiceId: string, body: object, key: string) => platform(stack).post(`/invoices/${invoiceId}/reissue`, body).set('Idempotency-Key', key);
const sequenceOf = (number: string | null) => Number(number?.slice(-6));

describe('credit notes and replacement invoices', () => {
  it('When the buyer rejects on Chorus and the producer reissues with a corrected quantity, then the credit note is deposited once and integrated, and the replacement is deposited and paid', async () => {
    const { parties, orderId, invoiceId } = await invoiceReady();
    const rejected = await depositAndReject(invoiceId);
    noteDocuments(orderId, true);

    const res = await reissue(invoiceId, { lines: [{ lineId: 'L1', deliveredQuantity: '10' }], reason: 'Quantité de carottes corrigée' }, `reissue-${orderId}`);
    expect(res.status).toBe(200);
    const original = res.body as DocumentView;
    expect(original.status).toBe('ANNULEE_PAR_AVOIR');
    expect(original.actions).toEqual([]);
    expect(original.cancelledBy?.number).toMatch(/^AGL-\d{4}-\d{6}$/);
    expect(original.replacedBy?.number).toMatch(/^AGL-\d{4}-\d{6}$/);
    expect(original.history.at(-1)!.detail).toBe(
      `Annulée par l'avoir ${original.cancelledBy!.number} ; remplacée par la facture ${original.replacedBy!.number} (motif : Quantité de carottes corrigée)`,
    );
    // Same gapless series: the credit note, then the replacement, right after the original.
    expect(sequenceOf(original.cancelledBy!.number)).toBe(sequenceOf(rejected.number) + 1);
    expect(sequenceOf(original.replacedBy!.number)).toBe(sequenceOf(rejected.number) + 2);

    const creditNote = await waitForInvoice(stack, original.cancelledBy!.invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'DEPOSEE' });
    expect((creditNote as DocumentView).documentType).toBe('CREDIT_NOTE');
    expect((creditNote as DocumentView).cancels).toEqual({ invoiceId, number: rejected.number });
    expect(creditNote.totals).toEqual(rejected.totals);
    expect(creditNote.actions).toEqual([]);
    const onChorus = await sandboxInvoices(parties.producerSiret, creditNote.number!);
    expect(onChorus).toMatchObject([{ typeFacture: 'AVOIR', depositCount: 1 }]);

    const replacement = (await waitForInvoice(stack, original.replacedBy!.invoiceId, { status: 'A_TRAITER' })) as DocumentView;
    expect(replacement.documentType).toBe('INVOICE');
    expect(replacement.replaces).toEqual({ invoiceId, number: rejected.number });
    expect(replacement.lines.find((l) => l.lineId === 'L1')?.deliveredQuantity).toBe('10');
    // 10 kg × 2.35 = 23.50 instead of 28.79: HT 167.40, TVA 5.5 % of 100.20 = 5.51 + 13.44.
    expect(replacement.totals).toEqual({ ht: '167.40', tva: '18.95', ttc: '186.35' });
    expect(replacement.actions).toEqual(['SEND_CHORUS', 'SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE']);
    await stack.smtp.waitFor((m) => mailsTo(parties.producerEmail).includes(m) && (m.subject ?? '').includes(replacement.number!));

    expect((await platform(stack).post(`/invoices/${replacement.invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
    const deposited = await waitForInvoice(stack, replacement.invoiceId, { status: 'DEPOSEE_CHORUS' });
    await moveOnChorus(deposited.chorus.identifiantFactureCPP!, 'MISE_A_DISPOSITION');
    await moveOnChorus(deposited.chorus.identifiantFactureCPP!, 'MISE_EN_PAIEMENT');
    await waitForInvoice(stack, replacement.invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    expect(await sandboxInvoices(parties.producerSiret, replacement.number!)).toMatchObject([{ typeFacture: 'FACTURE', depositCount: 1, statut: 'MISE_EN_PAIEMENT' }]);

    // The list shows the chain.
    const list = await platform(stack).get(`/invoices?producerSiret=${parties.producerSiret}`);
    const items = (list.body as { items: DocumentView[] }).items;
    expect(items.map((i) => [i.documentType, i.number]).sort()).toEqual(
      [['CREDIT_NOTE', creditNote.number], ['INVOICE', rejected.number], ['INVOICE', replacement.number]].sort(),
    );
    const credit = await platform(stack).get(`/invoices?producerSiret=${parties.producerSiret}&documentType=CREDIT_NOTE`);
    expect((credit.body as { items: DocumentView[] }).items.map((i) => i.number)).toEqual([creditNote.number]);
  });

  it('When Chorus rejected the flow, then the reissue mails the credit note (the invoice never reached Chorus) and the replacement goes the usual way', async () => {
    const { parties, orderId, invoiceId } = await invoiceReady({ chorusServiceOnly: 'SERV-INTENDANCE' });
    expect((await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'REJETEE_CHORUS' });
    noteDocuments(orderId, true);

    const res = await reissue(invoiceId, { serviceCode: 'SERV-INTENDANCE', reason: 'Code service manquant' }, `reissue-${orderId}`);
    expect(res.status).toBe(200);
    const original = res.body as DocumentView;
    const creditNote = await waitForInvoice(stack, original.cancelledBy!.invoiceId, { status: 'ENVOYEE_MAIL' });
    const mail = await stack.smtp.waitFor((m) => mailsTo(parties.buyerEmail).includes(m) && (m.subject ?? '').startsWith(`Avoir ${creditNote.number}`));
    expect(mail.text).toContain(`annule en totalité la facture n° ${(await view(invoiceId)).number}`);
    expect(mail.attachments[0]!.filename).toBe(`avoir-${creditNote.number}.pdf`);
    expect(await sandboxInvoices(parties.producerSiret, creditNote.number!)).toEqual([]);

    const replacement = await waitForInvoice(stack, original.replacedBy!.invoiceId, { status: 'A_TRAITER' });
    expect((await platform(stack).post(`/invoices/${replacement.invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
    await waitForInvoice(stack, replacement.invoiceId, { status: 'DEPOSEE_CHORUS' });
  });

  it('When the invoice went by mail (private buyer), then the credit note and the replacement go by mail', async () => {
    const { parties, orderId, invoiceId } = await invoiceReady({ buyerKind: 'PRIVATE' });
    await waitForInvoice(stack, invoiceId, { status: 'ENVOYEE_MAIL' });
    noteDocuments(orderId, true);
    const res = await reissue(invoiceId, { lines: [{ lineId: 'L2', unitPriceHT: '0.60' }], reason: 'Prix des yaourts' }, `reissue-${orderId}`);
    expect(res.status).toBe(200);
    const original = res.body as DocumentView;
    const creditNote = await waitForInvoice(stack, original.cancelledBy!.invoiceId, { status: 'ENVOYEE_MAIL' });
    const replacement = await waitForInvoice(stack, original.replacedBy!.invoiceId, { status: 'ENVOYEE_MAIL' });
    await stack.smtp.waitFor((m) => mailsTo(parties.buyerEmail).includes(m) && (m.subject ?? '').startsWith(`Avoir ${creditNote.number}`));
    await stack.smtp.waitFor((m) => mailsTo(parties.buyerEmail).includes(m) && (m.subject ?? '').startsWith(`Facture ${replacement.number}`));
    const pdf = await pdfWhenReady(() => platform(stack).get(`/invoices/${creditNote.invoiceId}/pdf`));
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-disposition']).toContain(`avoir-${creditNote.number}.pdf`);
  });

  it('When the order is cancelled after invoicing, then the answer is a credit note cancelling its invoice, and no replacement', async () => {
    const { parties, orderId, invoiceId } = await invoiceReady();
    await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' });
    noteDocuments(orderId, false);
    const res = await platform(stack).post(`/orders/${orderId}/cancel`, { reason: 'Livraison refusée' }).set('Idempotency-Key', `cancel-${orderId}`);
    expect(res.status).toBe(200);
    const creditNote = res.body as DocumentView;
    expect(creditNote.documentType).toBe('CREDIT_NOTE');
    expect(creditNote.cancels?.invoiceId).toBe(invoiceId);
    const original = await view(invoiceId);
    expect(original).toMatchObject({ status: 'ANNULEE_PAR_AVOIR', replacedBy: null, cancelledBy: { invoiceId: creditNote.invoiceId } });
    expect(original.history.at(-1)!.detail).toBe(`Annulée par l'avoir ${creditNote.number} (motif : Livraison refusée)`);
    // Never deposited on Chorus: the public buyer gets the credit note by mail.
    await waitForInvoice(stack, creditNote.invoiceId, { status: 'ENVOYEE_MAIL' });
    await stack.smtp.waitFor((m) => mailsTo(parties.buyerEmail).includes(m) && (m.subject ?? '').startsWith(`Avoir ${creditNote.number}`));
    // The same request again answers the same credit note; another one is refused.
    const retry = await platform(stack).post(`/orders/${orderId}/cancel`, { reason: 'Livraison refusée' }).set('Idempotency-Key', `cancel-${orderId}`);
    expect(retry.status).toBe(200);
    expect((retry.body as DocumentView).invoiceId).toBe(creditNote.invoiceId);
    const other = await platform(stack).post(`/orders/${orderId}/cancel`, {}).set('Idempotency-Key', `cancel-again-${orderId}`);
    expect(other.status).toBe(409);
    expect((other.body as { error: { message: string } }).error.message).toContain(`déjà annulée par l'avoir ${creditNote.number}`);
  });

  it('When reissue is asked twice with one key, and twice at once with two keys, then there is one credit note and one replacement', async () => {
    const { parties, orderId, invoiceId } = await invoiceReady({ buyerKind: 'PRIVATE' });
    await waitForInvoice(stack, invoiceId, { status: 'ENVOYEE_MAIL' });
    noteDocuments(orderId, true);
    const body = { lines: [{ lineId: 'L3', deliveredQuantity: '20' }], reason: 'Casse' };
    const [a, b] = await Promise.all([reissue(invoiceId, body, `k1-${orderId}`), reissue(invoiceId, body, `k2-${orderId}`)]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([200, 409]);
    const winner = (a.status === 200 ? a : b).body as DocumentView;
    const winnerKey = a.status === 200 ? `k1-${orderId}` : `k2-${orderId}`;
    const again = await reissue(invoiceId, body, winnerKey);
    expect(again.status).toBe(200);
    expect((again.body as DocumentView).cancelledBy).toEqual(winner.cancelledBy);
    const list = await platform(stack).get(`/invoices?producerSiret=${parties.producerSiret}`);
    const items = (list.body as { items: DocumentView[] }).items;
    expect(items.filter((i) => i.documentType === 'CREDIT_NOTE')).toHaveLength(1);
    expect(items.filter((i) => i.replaces !== null)).toHaveLength(1);
  });

  it('When Chorus still processes the invoice, or it is paid, then reissue is refused with why (409)', async () => {
    const { invoiceId } = await invoiceReady();
    expect((await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' })).status).toBe(200);
    const deposited = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
    const processing = await reissue(invoiceId, { reason: 'Erreur' }, `r1-${invoiceId}`);
    expect(processing.status).toBe(409);
    expect((processing.body as { error: { code: string; message: string } }).error).toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('Chorus Pro traite encore la facture') });
    await moveOnChorus(deposited.chorus.identifiantFactureCPP!, 'MISE_A_DISPOSITION');
    await moveOnChorus(deposited.chorus.identifiantFactureCPP!, 'MISE_EN_PAIEMENT');
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    const paid = await reissue(invoiceId, { reason: 'Erreur' }, `r2-${invoiceId}`);
    expect(paid.status).toBe(409);
    expect((paid.body as { error: { message: string } }).error.message).toContain('mise en paiement');
    expect((await view(invoiceId)).cancelledBy).toBeNull();
  });
});

// The credit notes', replacements' and originals' workflows replay on the current code.
it('When every workflow of this suite is replayed on the current code, then none is non-deterministic', () => {
  const replay = replayNotedWorkflows();
  expect(replay.count).toBeGreaterThan(10);
  expect(replay.output).toContain(`replay: ${replay.count} passed, 0 failed`);
}, 120_000);
