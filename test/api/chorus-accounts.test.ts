/**
 * A producer's own Chorus technical account, through the API, the worker and the sandbox (which checks each
 * account's password and attachments like PISTE and Chorus): given by the platform, checked with Chorus, stored
 * sealed, never answered or logged, and used for his attachment check and his deposits.
 */
import request from 'supertest';
import { createApp, createLogger } from '../../api/app';
import { signProducerToken } from '../../api/auth';
import { ProducerChorusAccount } from '../../db/entities';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, IBAN, platform, sandboxControl, setUpParties, validateQuantities, vatNumberOf, waitForInvoice } from '../support/scenario';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ sandbox: { flowProcessingDelayMs: 300 } });
});
afterAll(async () => {
  await stack?.teardown();
});

const PASSWORD = 'Ferme-S3cret!pass:with-colon';
const ownLogin = (siret: string) => `TECH_1_ferme-${siret}@cpro.fr`;

/** A technical account on the sandbox, attached to these SIRETs. */
async function accountOnChorus(login: string, attachedSirets: string[], passwordExpiresAt?: string) {
  await sandboxControl(stack, 'PUT', `/technical-accounts/${encodeURIComponent(login)}`, { password: PASSWORD, attachedSirets, ...(passwordExpiresAt ? { passwordExpiresAt } : {}) });
}

describe("A producer's own Chorus technical account", () => {
  it('When the platform gives it, then Chorus is asked first, the password is sealed and never answered, and his deposits go through it', async () => {
    // His structure is attached to his own account only, not to the platform's.
    const parties = await setUpParties(stack, { chorusEnabled: false, producerAttached: false });
    const { producerSiret } = parties;
    const login = ownLogin(producerSiret);
    const expiresAt = new Date(Date.now() + 200 * 86_400_000).toISOString();
    await accountOnChorus(login, [producerSiret], expiresAt);
    const api = platform(stack);

    const wrong = await api.put(`/producers/${producerSiret}/chorus-account`, { login, password: 'not-the-password' });
    expect(wrong.status).toBe(422);
    expect(wrong.body).toMatchObject({ error: { code: 'CHORUS_CREDENTIALS_REFUSED', details: [{ path: 'body.password' }] } });

    const given = await api.put(`/producers/${producerSiret}/chorus-account`, { login, password: PASSWORD });
    expect(given.status).toBe(201);
    expect((given.body as { chorusAccount: unknown }).chorusAccount).toEqual({ login, ownAccount: true, passwordExpiresAt: expiresAt });
    expect(JSON.stringify(given.body)).not.toContain(PASSWORD);
    const read = await api.get(`/producers/${producerSiret}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ siret: producerSiret, chorusAccount: { login, ownAccount: true, passwordExpiresAt: expiresAt } });
    expect(JSON.stringify(read.body)).not.toContain(PASSWORD);
    const row = await stack.db.orm.em.fork().findOneOrFail(ProducerChorusAccount, { producerSiret });
    expect(row.passwordSealed).toMatch(/^v1\./);
    expect(row.passwordSealed).not.toContain(PASSWORD);
    expect(row.passwordSealed).not.toContain(Buffer.from(PASSWORD).toString('base64'));

    // The platform's account is not attached to him, his own is: his Chorus flow opens.
    const opened = await api.put(`/producers/${producerSiret}`, {
      name: 'Ferme des Trois Chênes',
      email: parties.producerEmail,
      address: { line1: '1 route des Champs', postalCode: '24000', city: 'Périgueux' },
      vatNumber: vatNumberOf(producerSiret),
      chorusEnabled: true,
      paymentMethod: { type: 'VIREMENT', iban: IBAN },
    });
    expect(opened.status).toBe(200);

    const { orderId, invoiceId } = await createOrder(stack, parties);
    expect((await validateQuantities(stack, orderId)).status).toBe(200);
    await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' });
    const sent = await api.post(`/invoices/${invoiceId}/send`, { channel: 'CHORUS' });
    expect(sent.status).toBe(200);
    const deposited = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
    const flow = (await sandboxControl(stack, 'GET', `/flows/${deposited.chorus.numeroFluxDepot}`)) as { deposant: string | null; etatCourantDepotFlux: string };
    expect(flow).toMatchObject({ deposant: login, etatCourantDepotFlux: 'IN_INTEGRE' });
  });

  it('When his own account is not attached to his structure, then 422 CHORUS_ACCOUNT_NOT_ATTACHED names that account, and nothing is kept', async () => {
    const { producerSiret } = await setUpParties(stack, { chorusEnabled: false });
    const login = ownLogin(producerSiret);
    await accountOnChorus(login, []);
    const refused = await platform(stack).put(`/producers/${producerSiret}/chorus-account`, { login, password: PASSWORD });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: { code: 'CHORUS_ACCOUNT_NOT_ATTACHED', details: [{ path: 'body.login' }] } });
    expect((refused.body as { error: { message: string } }).error.message).toContain(login);
    expect(await stack.db.orm.em.fork().count(ProducerChorusAccount, { producerSiret })).toBe(0);
  });

  it("When his own account is forgotten, then the platform's acts for him again; a producer reads only his own profile", async () => {
    const { producerSiret } = await setUpParties(stack, { chorusEnabled: false });
    const login = ownLogin(producerSiret);
    await accountOnChorus(login, [producerSiret]);
    const api = platform(stack);
    expect((await api.put(`/producers/${producerSiret}/chorus-account`, { login, password: PASSWORD })).status).toBe(201);
    expect((await api.put(`/producers/${producerSiret}/chorus-account`, { login, password: PASSWORD })).status).toBe(200);

    const auth = { Authorization: `Bearer ${stack.config.AGRILOCAL_API_KEY}` };
    expect((await request(stack.app).delete(`/api/v1/producers/${producerSiret}/chorus-account`).set(auth)).status).toBe(204);
    expect((await request(stack.app).delete(`/api/v1/producers/${producerSiret}/chorus-account`).set(auth)).status).toBe(204);
    expect((await api.get(`/producers/${producerSiret}`)).body).toMatchObject({ chorusAccount: null });

    const admin = await request(stack.app).delete(`/api/v1/producers/${producerSiret}/chorus-account`).set({ Authorization: `Bearer ${stack.config.ADMIN_API_KEY}` });
    expect(admin.status).toBe(403);
    const other = await signProducerToken(stack.config.PRODUCER_JWT_SECRET, '73282932000074');
    expect((await request(stack.app).get(`/api/v1/producers/${producerSiret}`).set({ Authorization: `Bearer ${other}` })).status).toBe(404);
    const own = await signProducerToken(stack.config.PRODUCER_JWT_SECRET, producerSiret);
    expect((await request(stack.app).get(`/api/v1/producers/${producerSiret}`).set({ Authorization: `Bearer ${own}` })).status).toBe(200);
  });

  it('When the password is given, then no log line carries it', async () => {
    const { producerSiret } = await setUpParties(stack, { chorusEnabled: false });
    const login = ownLogin(producerSiret);
    await accountOnChorus(login, [producerSiret]);
    const lines: string[] = [];
    // The application's logger (its redaction), writing here.
    const logger = createLogger({ LOG_LEVEL: 'trace' }, { write: (line: string) => lines.push(line) });
    const logged = createApp({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, logger, options: { rateLimit: false } });
    const auth = { Authorization: `Bearer ${stack.config.AGRILOCAL_API_KEY}` };
    expect((await request(logged).put(`/api/v1/producers/${producerSiret}/chorus-account`).set(auth).send({ login, password: PASSWORD })).status).toBe(201);
    expect((await request(logged).put(`/api/v1/producers/${producerSiret}/chorus-account`).set(auth).send({ login, password: 'wrong' })).status).toBe(422);
    logger.info({ password: PASSWORD, body: { password: PASSWORD } }, 'a careless line');
    const text = lines.join('');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(Buffer.from(`${login}:${PASSWORD}`).toString('base64'));
  });
});
