/**
 * The fidelity audit's findings, end to end as the producer sees them (API → workflow → sandbox answering like
 * the real host): an unknown buyer is still "acheteur non identifié" (not "échec Chorus"), a buyer without
 * services is still deposited, a flow Chorus declares inadmissible is rejected with its reasons, a flow that
 * never settles is given up, the history reads in order with the buyer's comment, and a producer whose structure
 * is not attached to our technical account is told before anything is deposited.
 */
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, getInvoice, platform, sandboxControl, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';

let stack: TestStack;
beforeAll(async () => {
  // Flows settle in 2 s unless a test forces them; a flow still unprocessed after 4 s is given up.
  stack = await startTestStack({ sandbox: { flowProcessingDelayMs: 2000 }, env: { FLOW_REPORT_MAX_AGE: '4s' } });
});
afterAll(async () => {
  await stack?.teardown();
});

async function invoiceReady(options: Parameters<typeof setUpParties>[1] = {}) {
  const parties = await setUpParties(stack, options);
  const { orderId, invoiceId } = await createOrder(stack, parties);
  expect((await validateQuantities(stack, orderId)).status).toBe(200);
  await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' });
  return { parties, invoiceId };
}

const sendByChorus = (invoiceId: string) => platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });

/** The flow our deposit made, once the invoice says it is waiting for Chorus. */
async function depositedFlow(invoiceId: string): Promise<string> {
  const waiting = await waitForInvoice(stack, invoiceId, { status: 'EN_ATTENTE_TRAITEMENT' });
  return waiting.chorus.numeroFluxDepot!;
}

describe('Chorus as the real host answers, seen by the producer', () => {
  it("When our technical account's password has expired, then sending by Chorus is refused with why, and the invoice stays à traiter", async () => {
    // First of the file: the worker caches the expiry for 5 minutes once it has read it.
    const { invoiceId } = await invoiceReady();
    await sandboxControl(stack, 'PUT', '/config', { technicalAccountPasswordExpiresAt: new Date(Date.now() - 60_000).toISOString() });
    try {
      const refused = await platform(stack).post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
      expect(refused.status).toBe(422);
      expect(refused.body.error.code).toBe('CHORUS_PASSWORD_EXPIRED');
      expect(refused.body.error.message).toMatch(/mot de passe du compte technique Chorus Pro d'Agrilocal a expiré/);
      expect((await getInvoice(stack, invoiceId)).status).toBe('A_TRAITER');
    } finally {
      await sandboxControl(stack, 'PUT', '/config', { technicalAccountPasswordExpiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString() });
    }
  });

  it('When the buyer SIRET is unknown to Chorus ("no result"), then the invoice goes by mail as "acheteur non identifié"', async () => {
    const { invoiceId } = await invoiceReady({ buyerOnChorus: false });
    expect((await sendByChorus(invoiceId)).status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'ENVOYEE_MAIL_ACHETEUR_NON_IDENTIFIE' });
  });

  it('When the buyer has no service on Chorus ("no result" for its services), then the invoice is still deposited', async () => {
    const { invoiceId } = await invoiceReady();
    expect((await sendByChorus(invoiceId)).status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' }, 20_000);
  });

  it('When Chorus declares the flow QP_IRRECEVABLE, then the invoice is back to the producer with what Chorus said', async () => {
    const { invoiceId } = await invoiceReady();
    expect((await sendByChorus(invoiceId)).status).toBe(200);
    const flow = await depositedFlow(invoiceId);
    await sandboxControl(stack, 'POST', `/flows/${flow}/etat`, { etat: 'QP_IRRECEVABLE', erreurs: ['Fichier irrecevable : signature invalide'] });

    const rejected = await waitForInvoice(stack, invoiceId, { status: 'REJETEE_CHORUS' });
    expect(rejected.history.at(-1)?.detail).toContain('Fichier irrecevable : signature invalide');
    expect(rejected.actions).toContain('SEND_EMAIL');
  });

  it('When a flow is never processed, then it is given up after its maximum age and the producer is told to look at the portal', async () => {
    const { parties, invoiceId } = await invoiceReady();
    expect((await sendByChorus(invoiceId)).status).toBe(200);
    const flow = await depositedFlow(invoiceId);
    await sandboxControl(stack, 'POST', `/flows/${flow}/etat`, { etat: 'IN_EN_COURS_TRAITEMENT_CPP' });

    const givenUp = await waitForInvoice(stack, invoiceId, { status: 'REJETEE_CHORUS' }, 30_000);
    expect(givenUp.history.at(-1)?.detail).toMatch(/n'a pas fini de traiter le flux .* vérifiez son état sur le portail/);
    await stack.smtp.waitFor((m) => (m.to && 'text' in m.to ? m.to.text : '').includes(parties.producerEmail) && /rejet/i.test(m.subject ?? ''));
  });

  it('When Chorus moves the invoice and the buyer suspends it with a comment, then the history reads in order, each status once, comment kept', async () => {
    const { invoiceId } = await invoiceReady();
    expect((await sendByChorus(invoiceId)).status).toBe(200);
    const deposited = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' }, 20_000);
    const cpp = deposited.chorus.identifiantFactureCPP!;
    await sandboxControl(stack, 'POST', `/invoices/${cpp}/status`, { statut: 'MISE_A_DISPOSITION' });
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'MISE_A_DISPOSITION' });
    await sandboxControl(stack, 'POST', `/invoices/${cpp}/status`, { statut: 'SUSPENDUE', motif: 'Bon de livraison signé manquant' });
    await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS', chorusStatus: 'SUSPENDUE' });

    const { history } = await getInvoice(stack, invoiceId);
    const chorusSteps = history.filter((h) => h.chorusStatus !== null).map((h) => h.chorusStatus);
    expect(chorusSteps).toEqual(['DEPOSEE', 'MISE_A_DISPOSITION', 'SUSPENDUE']);
    expect(history.at(-1)?.detail).toContain('Bon de livraison signé manquant');
  });

  it("When the producer's structure is not attached to our technical account, then sending by Chorus is refused with what to do, and the invoice stays à traiter", async () => {
    const { parties, invoiceId } = await invoiceReady();
    // His structure loses its rattachement on the portal after his Chorus flow was opened.
    await sandboxControl(stack, 'PUT', `/structures/${parties.producerSiret}`, { designation: 'Ferme des Trois Chênes', type: 'SUPPLIER', attached: false });

    const refused = await sendByChorus(invoiceId);
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('CHORUS_ACCOUNT_NOT_ATTACHED');
    expect(refused.body.error.message).toMatch(/n'est pas rattachée au compte technique Agrilocal .* Gestion des rattachements/);
    const invoice = await getInvoice(stack, invoiceId);
    expect(invoice.status).toBe('A_TRAITER');
    expect(invoice.actions).toContain('SEND_EMAIL');
  });

  it("When the platform opens a producer's Chorus flow and his structure is not attached, then PUT /producers answers 422 naming chorusEnabled", async () => {
    const siret = (await setUpParties(stack, { chorusEnabled: false, producerAttached: false })).producerSiret;
    const opened = await platform(stack).put(`/producers/${siret}`, {
      name: 'Ferme des Trois Chênes',
      email: `producteur-${siret}@ferme.test`,
      address: { line1: '1 route des Champs', postalCode: '24000', city: 'Périgueux' },
      chorusEnabled: true,
      paymentMethod: { type: 'CHEQUE' },
    });
    expect(opened.status).toBe(422);
    expect(opened.body.error).toMatchObject({ code: 'CHORUS_ACCOUNT_NOT_ATTACHED', details: [{ path: 'body.chorusEnabled' }] });
  });
});
