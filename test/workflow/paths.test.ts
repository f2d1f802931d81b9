/**
 * Every path of the invoice's life, end to end: HTTP API → Temporal workflow (real dev server) → activities →
 * PostgreSQL, Chorus sandbox over HTTP, SMTP sink. One test per path of the guide
 * (docs/reference/agrilocal-chorus-guide.txt).
 */
import { invoiceWorkflowId } from '../../workflows/messages';
import { noteWorkflow, replayNotedWorkflows } from '../support/histories';
import { startTestStack, type TestStack } from '../support/stack';
import {
  createOrder,
  getInvoice,
  platform,
  sandboxControl,
  setUpParties,
  validateQuantities,
  waitForInvoice,
} from '../support/scenario';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ sandbox: { flowProcessingDelayMs: 50 } });
});
afterAll(async () => {
  await stack?.teardown();
});

interface SandboxInvoice {
  identifiantFactureCPP: number;
  numeroFacture: string;
  statut: string;
  depositCount: number;
  piecesJointes: number[];
}
/** What Chorus holds for this supplier and number (numbers are per producer). */
async function sandboxInvoices(siretFournisseur: string, number: string): Promise<SandboxInvoice[]> {
  const body = (await sandboxControl(stack, 'GET', `/invoices?numeroFacture=${encodeURIComponent(number)}&siretFournisseur=${siretFournisseur}`)) as {
    invoices: SandboxInvoice[];
  };
  return body.invoices;
}
async function moveOnChorus(cpp: string, statut: string): Promise<void> {
  await sandboxControl(stack, 'POST', `/invoices/${cpp}/status`, { statut });
}
const mailsTo = (address: string) => stack.smtp.messages.filter((m) => (m.to && 'text' in m.to ? m.to.text : '').includes(address));

async function invoiceReady(options: Parameters<typeof setUpParties>[1] = {}, order: Parameters<typeof createOrder>[2] = {}) {
  const parties = await setUpParties(stack, options);
  const { orderId, invoiceId } = await createOrder(stack, parties, order);
  const validated = await validateQuantities(stack, orderId);
  expect(validated.status).toBe(200);
  return { parties, orderId, invoiceId };
}

async function sendToChorusAndDeposit(invoiceId: string) {
  const sent = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
  expect(sent.status).toBe(200);
  return waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
}

describe('invoice lifecycle', () => {
  afterEach(async () => {
    await sandboxControl(stack, 'PUT', '/config', { flowProcessingDelayMs: 50, autopilot: null, faults: { errorRate5xx: 0, latencyMs: 0, spurious401Rate: 0, invalidClientRate: 0 } });
  });

  it('When the buyer is private, then the invoice is mailed to him with its Factur-X at once', async () => {
    const { parties, invoiceId } = await invoiceReady({ buyerKind: 'PRIVATE' });
    const invoice = await waitForInvoice(stack, invoiceId, { status: 'ENVOYEE_MAIL' });
    const mail = await stack.smtp.waitFor((m) => mailsTo(parties.buyerEmail).includes(m));
    expect(mail.subject).toContain(invoice.number!);
    expect(mail.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).toBe('%PDF-');
    expect(invoice.actions).toEqual(['ARCHIVE']);
  });

  it('When a public invoice is created, then the producer is told, and the totals are exact', async () => {
    const { parties, invoiceId } = await invoiceReady();
    const invoice = await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' });
    // Lines: 12.25 kg × 2.35 = 28.7875 → 28.79; 118 × 0.65 = 76.70; 24 × 2.80 = 67.20 (HT 172.69).
    // VAT per rate: 5.5 % of 105.49 = 5.80195 → 5.80; 20 % of 67.20 = 13.44 (TVA 19.24).
    expect(invoice.totals).toEqual({ ht: '172.69', tva: '19.24', ttc: '191.93' });
    expect(invoice.number).toMatch(/^AGL-\d{4}-\d{6}$/);
    expect(invoice.actions).toEqual(['SEND_CHORUS', 'SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE']);
    await stack.smtp.waitFor((m) => mailsTo(parties.producerEmail).includes(m) && (m.subject ?? '').includes('à traiter'));
  });

  it('When sent to Chorus and the buyer pays, then it goes DEPOSEE → … → MISE_EN_PAIEMENT with every status kept (optional ones skipped)', async () => {
    const { parties, invoiceId } = await invoiceReady();
    const deposited = await sendToChorusAndDeposit(invoiceId);
    const cpp = deposited.chorus.identifiantFactureCPP!;
    await moveOnChorus(cpp, 'MISE_A_DISPOSITION');
    await moveOnChorus(cpp, 'MISE_EN_PAIEMENT');
    const paid = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    const codes = paid.history.map((h) => h.chorusStatus).filter(Boolean);
    expect(codes).toEqual(expect.arrayContaining(['DEPOSEE', 'MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT']));
    expect(codes).not.toContain('MANDATEE');
    await stack.smtp.waitFor((m) => mailsTo(parties.producerEmail).includes(m) && (m.subject ?? '').includes('mise en paiement'));
    const onChorus = await sandboxInvoices(parties.producerSiret, paid.number!);
    expect(onChorus).toHaveLength(1);
    expect(onChorus[0]!.depositCount).toBe(1);
  });

  it('When the buyer goes through every optional status, then each is recorded in order', async () => {
    const { invoiceId } = await invoiceReady();
    const deposited = await sendToChorusAndDeposit(invoiceId);
    const path = ['MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT'];
    for (const statut of path) await moveOnChorus(deposited.chorus.identifiantFactureCPP!, statut);
    const paid = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    const codes = paid.history.map((h) => h.chorusStatus).filter((c) => c && c !== 'DEPOSEE');
    expect(codes).toEqual(path);
  });

  it('When the buyer SIRET is unknown to Chorus, then the invoice is mailed to him automatically', async () => {
    const { parties, invoiceId } = await invoiceReady({ buyerOnChorus: false });
    const sent = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(sent.status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE' });
    const mail = await stack.smtp.waitFor((m) => mailsTo(parties.buyerEmail).includes(m));
    expect(mail.text).toContain('pas référencé sous Chorus Pro');
    expect(mail.attachments).toHaveLength(1);
    // multipart/alternative: the same words in HTML, the PDF beside them.
    expect(mail.html).toContain('<p>Bonjour,</p>');
    expect(mail.html).toContain('pas référencé sous Chorus Pro');
    expect(mail.attachments[0]!.contentType).toBe('application/pdf');
  });

  it('When Chorus rejects the flow, then the producer gets the reasons back and may send it by mail', async () => {
    // The buyer requires a service code on Chorus, the order carries none: Chorus rejects the flow.
    const { parties, invoiceId } = await invoiceReady({ chorusServiceOnly: 'SERV-INTENDANCE' });
    const sent = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(sent.status).toBe(200);
    const rejected = await waitForInvoice(stack, invoiceId, { status: 'REJETEE_CHORUS' });
    expect(rejected.actions).toEqual(['SEND_EMAIL', 'MARK_PROCESSED', 'ARCHIVE']);
    expect(rejected.history.at(-1)!.detail).toMatch(/service/i);
    const told = await stack.smtp.waitFor((m) => mailsTo(parties.producerEmail).includes(m) && (m.subject ?? '').includes('rejetée par Chorus'));
    // The reasons as a list, the invoice's page as a link the producer clicks.
    expect(told.html).toMatch(/<ul><li>[^<]*service/i);
    expect(told.html).toContain(`<a href="${stack.config.PUBLIC_APP_URL}/factures/${invoiceId}">`);
    const byMail = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'EMAIL' });
    expect(byMail.status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'ENVOYEE_MAIL' });
    await stack.smtp.waitFor((m) => mailsTo(parties.buyerEmail).includes(m));
  });

  it('When Chorus keeps failing past the budget, then the invoice is mailed automatically', async () => {
    const { parties, invoiceId } = await invoiceReady();
    await sandboxControl(stack, 'PUT', '/config', { faults: { errorRate5xx: 1 } });
    const sent = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(sent.status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'ENVOYEE_MAIL_ECHEC_CHORUS' }, 30_000);
    const mail = await stack.smtp.waitFor((m) => mailsTo(parties.buyerEmail).includes(m));
    expect(mail.text).toContain('Chorus Pro ayant échoué');
  });

  it('When the order requires an engagement code, then sending without one is refused and with one it goes', async () => {
    const { invoiceId } = await invoiceReady({}, { engagementCodeRequired: true });
    const refused = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('ENGAGEMENT_CODE_REQUIRED');
    expect((await getInvoice(stack, invoiceId)).status).toBe('A_TRAITER');
    const accepted = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS', engagementCode: 'EJ-2026-0042' });
    expect(accepted.status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
  });

  it("When the buyer's Chorus structure requires an engagement code, then sending without one is refused", async () => {
    const { invoiceId } = await invoiceReady({ buyerEngagementRequired: true });
    const refused = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('ENGAGEMENT_CODE_REQUIRED');
    const accepted = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS', engagementCode: 'EJ-77' });
    expect(accepted.status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
  });

  it('When the producer has not opened the Chorus flow, then sending through Chorus is refused', async () => {
    const { invoiceId } = await invoiceReady({ chorusEnabled: false });
    const refused = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CHORUS_NOT_ENABLED');
    expect((await getInvoice(stack, invoiceId)).status).toBe('A_TRAITER');
  });

  it('When the producer deposited it himself, then marking it processed makes it TRAITEE_MANUELLEMENT', async () => {
    const { invoiceId } = await invoiceReady();
    const res = await platform(stack).post(`/invoices/${invoiceId}/mark-processed`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('TRAITEE_MANUELLEMENT');
    const again = await platform(stack).post(`/invoices/${invoiceId}/mark-processed`);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('INVALID_STATE');
  });

  it('When the producer archives an invoice, then it is ARCHIVEE and nothing more can be done', async () => {
    const { invoiceId } = await invoiceReady();
    const res = await platform(stack).post(`/invoices/${invoiceId}/archive`);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ARCHIVEE');
    const send = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'EMAIL' });
    expect(send.status).toBe(409);
  });

  it('When Chorus says A_RECYCLER, then the producer recycles with a new service code and the invoice is paid under the same number', async () => {
    const { parties, invoiceId } = await invoiceReady();
    const deposited = await sendToChorusAndDeposit(invoiceId);
    const cpp = deposited.chorus.identifiantFactureCPP!;
    await moveOnChorus(cpp, 'MISE_A_DISPOSITION');
    await moveOnChorus(cpp, 'A_RECYCLER');
    const toRecycle = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'A_RECYCLER' });
    expect(toRecycle.actions).toEqual(['RECYCLE']);
    await stack.smtp.waitFor((m) => mailsTo(parties.producerEmail).includes(m) && (m.subject ?? '').includes('à recycler'));
    const recycled = await platform(stack).post(`/invoices/${invoiceId}/recycle`, { engagementCode: 'EJ-NEW-1' });
    expect(recycled.status).toBe(200);
    expect(recycled.body.chorusStatus).toBe('DEPOSEE');
    await moveOnChorus(cpp, 'MISE_A_DISPOSITION');
    await moveOnChorus(cpp, 'MISE_EN_PAIEMENT');
    const paid = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
    expect(paid.number).toBe(deposited.number);
    const onChorus = await sandboxInvoices(parties.producerSiret, paid.number!);
    expect(onChorus).toHaveLength(1);
    expect(onChorus[0]!.depositCount).toBe(1);
  });

  it('When Chorus says SUSPENDUE, then the producer completes it with an attachment and it is paid', async () => {
    const { parties, orderId, invoiceId } = await invoiceReady();
    const deposited = await sendToChorusAndDeposit(invoiceId);
    const cpp = deposited.chorus.identifiantFactureCPP!;
    await moveOnChorus(cpp, 'MISE_A_DISPOSITION');
    await moveOnChorus(cpp, 'SUSPENDUE');
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'SUSPENDUE' });
    await stack.smtp.waitFor((m) => mailsTo(parties.producerEmail).includes(m) && (m.subject ?? '').includes('suspendue'));
    const completed = await platform(stack).post(`/invoices/${invoiceId}/complete`, {
      comment: 'Bon de livraison signé',
      attachments: [{ filename: 'bon-livraison.pdf', contentType: 'application/pdf', contentBase64: Buffer.from('%PDF-1.4 bon').toString('base64') }],
    });
    expect(completed.status).toBe(200);
    expect(completed.body.chorusStatus).toBe('COMPLETEE');
    // The attachment reached Chorus, uploaded by its own activity before the completion (patched branch).
    const [onChorus] = await sandboxInvoices(parties.producerSiret, deposited.number!);
    expect(onChorus?.piecesJointes).toHaveLength(1);
    const history = await stack.client.workflow.getHandle(invoiceWorkflowId(orderId)).fetchHistory();
    const scheduled = (history.events ?? []).flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    expect(scheduled.slice(scheduled.indexOf('uploadAttachments'))).toEqual(expect.arrayContaining(['uploadAttachments', 'completeOnChorus']));
    expect(scheduled.indexOf('uploadAttachments')).toBeLessThan(scheduled.indexOf('completeOnChorus'));
    await moveOnChorus(cpp, 'MISE_EN_PAIEMENT');
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_EN_PAIEMENT' });
  });

  it('When the buyer rejects the invoice, then the producer is told a new invoice must be issued', async () => {
    const { parties, invoiceId } = await invoiceReady();
    const deposited = await sendToChorusAndDeposit(invoiceId);
    await moveOnChorus(deposited.chorus.identifiantFactureCPP!, 'MISE_A_DISPOSITION');
    await moveOnChorus(deposited.chorus.identifiantFactureCPP!, 'REJETEE');
    const rejected = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'REJETEE' });
    expect(rejected.actions).toEqual(['ARCHIVE']);
    await stack.smtp.waitFor((m) => mailsTo(parties.producerEmail).includes(m) && (m.subject ?? '').includes("rejetée par l'acheteur"));
  });

  it('When the order is cancelled before invoicing, then it is ANNULEE; after invoicing, a credit note cancels its invoice', async () => {
    const parties = await setUpParties(stack);
    const { orderId, invoiceId } = await createOrder(stack, parties);
    const cancelled = await platform(stack).post(`/orders/${orderId}/cancel`, { reason: 'Livraison annulée (grève)' });
    expect(cancelled.status).toBe(200);
    expect((await getInvoice(stack, invoiceId)).status).toBe('ANNULEE');

    const other = await createOrder(stack, parties);
    expect((await validateQuantities(stack, other.orderId)).status).toBe(200);
    noteWorkflow(`credit-note-${other.orderId}-1`);
    const late = await platform(stack).post(`/orders/${other.orderId}/cancel`, {});
    expect(late.status).toBe(200);
    expect(late.body).toMatchObject({ documentType: 'CREDIT_NOTE', cancels: { invoiceId: other.invoiceId } });
    expect((await getInvoice(stack, other.invoiceId)).status).toBe('ANNULEE_PAR_AVOIR');
  });

  it('When the buyer validates the quantities, then the history says so, and a second validation is refused', async () => {
    const parties = await setUpParties(stack);
    const { orderId, invoiceId } = await createOrder(stack, parties);
    expect((await validateQuantities(stack, orderId, 'BUYER')).status).toBe(200);
    const invoice = await getInvoice(stack, invoiceId);
    expect(invoice.history.some((h) => (h.detail ?? '').includes("par l'acheteur"))).toBe(true);
    const again = await validateQuantities(stack, orderId, 'PRODUCER');
    expect(again.status).toBe(409);
  });

  it('When quantities do not match the order, then the validation is refused with the faulty lines named', async () => {
    const parties = await setUpParties(stack);
    const { orderId, invoiceId } = await createOrder(stack, parties);
    const res = await platform(stack).post(`/orders/${orderId}/quantity-validation`, {
      validatedBy: 'PRODUCER',
      lines: [{ lineId: 'L1', deliveredQuantity: '3' }, { lineId: 'L9', deliveredQuantity: '1' }],
    });
    // Each field is valid alone: the lines not covering the order is a rule beyond the schema (422).
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('INCONSISTENT_DATA');
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['lines.1.lineId', 'lines']));
    expect((await getInvoice(stack, invoiceId)).status).toBe('EN_ATTENTE_VALIDATION');
  });

  it('When actions come out of order, then each is refused with the current status and what is allowed', async () => {
    const parties = await setUpParties(stack);
    const { orderId, invoiceId } = await createOrder(stack, parties);
    const early = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(early.status).toBe(409);
    expect(early.body.error.message).toContain('EN_ATTENTE_VALIDATION');
    await validateQuantities(stack, orderId);
    const recycle = await platform(stack).post(`/invoices/${invoiceId}/recycle`, { engagementCode: 'EJ-1' });
    expect(recycle.status).toBe(409);
    expect(recycle.body.error.message).toContain('A_TRAITER');
    await sendToChorusAndDeposit(invoiceId);
    const twice = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(twice.status).toBe(409);
  });
});

// Declared last and outside the describe block, so jest runs it after every test above, once all their
// workflows are noted (test/support/histories.ts); with RECORD_HISTORIES=1 it also saves their histories.
it('When every workflow of this suite is replayed on the current code, then none is non-deterministic', () => {
  const replay = replayNotedWorkflows();
  expect(replay.count).toBeGreaterThan(15);
  expect(replay.output).toContain(`replay: ${replay.count} passed, 0 failed`);
}, 120_000);
