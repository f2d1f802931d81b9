/**
 * The sandbox app over HTTP with supertest (no client): control-route validation, and the wire conventions of
 * the real API (token endpoint, PISTE 401, envelope, default pagination) checked independently of our client.
 */
import request from 'supertest';
import { createSandbox, SANDBOX_DEFAULT_CREDENTIALS, SANDBOX_SEEDS, type Sandbox } from '../../chorus-sandbox';
import { ciiXml, nextInvoiceNumber } from './facturx-fixture';
import { DEV_CREDENTIALS, waitFor } from './harness';

const CPRO_ACCOUNT = Buffer.from(`${DEV_CREDENTIALS.techLogin}:${DEV_CREDENTIALS.techPassword}`, 'utf8').toString('base64');

describe('Chorus sandbox over HTTP', () => {
  let sandbox: Sandbox;

  beforeEach(() => {
    sandbox = createSandbox({ flowProcessingDelayMs: 0 });
  });
  afterEach(() => {
    sandbox.close();
  });

  async function token(): Promise<string> {
    const res = await request(sandbox.app)
      .post('/api/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: DEV_CREDENTIALS.clientId, client_secret: DEV_CREDENTIALS.clientSecret, scope: 'openid' });
    return (res.body as { access_token: string }).access_token;
  }

  async function cpro(path: string, body: unknown) {
    return request(sandbox.app)
      .post(`/cpro${path}`)
      .set('Authorization', `Bearer ${await token()}`)
      .set('cpro-account', CPRO_ACCOUNT)
      .set('Content-Type', 'application/json;charset=utf-8')
      .send(JSON.stringify(body));
  }

  /** An integrated invoice, deposited straight into the state as a bare CII XML. */
  async function integratedInvoice(): Promise<number> {
    const flow = await sandbox.state.deposit({
      fichierFlux: Buffer.from(ciiXml({ numeroFacture: nextInvoiceNumber('H') })).toString('base64'),
      nomFichier: 'f.xml',
      syntaxeFlux: 'IN_DP_E1_CII_16B',
    });
    return waitFor(() => flow.identifiantFactureCPP, 'integration');
  }

  // ------------------------------------------------------------------------------------------ the gateway

  test('When no credentials are given, then the sandbox accepts the application\'s development defaults', () => {
    // The simulator does not import config/: its own defaults must stay equal to DEV_DEFAULTS.
    expect({ ...SANDBOX_DEFAULT_CREDENTIALS }).toEqual(DEV_CREDENTIALS);
  });

  test('When a token is asked with client_credentials, then a Bearer token for 3600 s comes back, not cached', async () => {
    const res = await request(sandbox.app)
      .post('/api/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: DEV_CREDENTIALS.clientId, client_secret: DEV_CREDENTIALS.clientSecret, scope: 'openid' });

    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'openid' });
  });

  test('When the token request is malformed or the client unknown, then PISTE-style OAuth errors come back', async () => {
    const noGrant = await request(sandbox.app).post('/api/oauth/token').type('form').send({ client_id: 'x' });
    const badGrant = await request(sandbox.app).post('/api/oauth/token').type('form').send({ grant_type: 'password' });
    const unknownClient = await request(sandbox.app)
      .post('/api/oauth/token')
      .type('form')
      .send({ grant_type: 'client_credentials', client_id: 'someone', client_secret: DEV_CREDENTIALS.clientSecret });
    const basicAuth = await request(sandbox.app)
      .post('/api/oauth/token')
      .auth(DEV_CREDENTIALS.clientId, DEV_CREDENTIALS.clientSecret)
      .type('form')
      .send({ grant_type: 'client_credentials' });

    expect([noGrant.status, noGrant.body.error]).toEqual([400, 'invalid_request']);
    expect([badGrant.status, badGrant.body.error]).toEqual([400, 'unsupported_grant_type']);
    expect([unknownClient.status, unknownClient.body.error]).toEqual([400, 'invalid_client']);
    expect(basicAuth.status).toBe(200);
  });

  test('When a business call has no token, a foreign token or no cpro-account, then 401 with a PISTE WWW-Authenticate', async () => {
    const none = await request(sandbox.app).post('/cpro/structures/v1/rechercher').send({});
    const foreign = await request(sandbox.app)
      .post('/cpro/structures/v1/rechercher')
      .set('Authorization', 'Bearer not-issued-here')
      .set('cpro-account', CPRO_ACCOUNT)
      .send({});
    const noAccount = await request(sandbox.app).post('/cpro/structures/v1/rechercher').set('Authorization', `Bearer ${await token()}`).send({});

    for (const res of [none, foreign, noAccount]) {
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="PISTE",error="/);
      expect(res.body.error_description).toEqual(expect.any(String));
    }
    expect(noAccount.headers['www-authenticate']).toContain('login or password incorrects');
  });

  // --------------------------------------------------------------------------------------- the API wire

  test('When a search names no page size, then 10 results come per page with parametresRetour', async () => {
    const services = Array.from({ length: 12 }, (_, i) => ({ codeService: `S${i}`, libelle: `Service ${i}`, actif: true }));
    const put = await request(sandbox.app).put('/sandbox/v1/structures/21330063500017').send({ designation: 'MAIRIE', type: 'PUBLIC', services });
    const idStructure = (put.body as { idStructureCPP: number }).idStructureCPP;

    const first = await cpro('/structures/v1/rechercher/services', { idStructure });
    const second = await cpro('/structures/v1/rechercher/services', { idStructure, parametresRechercherServicesStructure: { pageResultatDemandee: 2 } });

    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ codeRetour: 0, libelle: 'TRA_MSG_00.000' });
    expect(first.body.listeServices).toHaveLength(10);
    expect(first.body.parametresRetour).toEqual({ nbResultatsParPage: 10, pageCourante: 1, pages: 2, total: 12 });
    expect((second.body as { listeServices: { codeService: string }[] }).listeServices.map((s) => s.codeService)).toEqual(['S10', 'S11']);
  });

  test('When a request misses a mandatory field or is not JSON, then HTTP 400 with codeRetour and libelle', async () => {
    const missing = await cpro('/transverses/v1/consulterCRDetaille', {});
    const notJson = await request(sandbox.app)
      .post('/cpro/transverses/v1/consulterCRDetaille')
      .set('Authorization', `Bearer ${await token()}`)
      .set('cpro-account', CPRO_ACCOUNT)
      .set('Content-Type', 'application/json')
      .send('{not json');

    for (const res of [missing, notJson]) {
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ codeRetour: expect.any(Number), libelle: expect.stringMatching(/^TRA_MSG_/) });
      expect(res.body.codeRetour).not.toBe(0);
    }
    expect(missing.body.libelle).toContain('numeroFluxDepot');
  });

  test('When filters come as empty strings and zero ids (go-choruspro style), then they are ignored', async () => {
    const id = await integratedInvoice();

    const res = await cpro('/factures/v1/rechercher/fournisseur', { numeroFacture: '', numeroFluxDepot: '', idFournisseur: 0, statutCourant: [] });

    expect((res.body as { listeFactures: { identifiantFactureCPP: number }[] }).listeFactures.map((f) => f.identifiantFactureCPP)).toEqual([id]);
  });

  test('When recycler names the commitment under `references` instead of `reference`, then it is taken too', async () => {
    const id = await integratedInvoice();
    sandbox.state.moveStatus(id, 'MISE_A_DISPOSITION');
    sandbox.state.moveStatus(id, 'A_RECYCLER');

    const res = await cpro('/factures/v1/recycler', {
      identifiantFactureCPP: String(id),
      destinataire: { codeDestinataire: SANDBOX_SEEDS.buyers.engagementRequired.siret },
      references: { numeroBonCommande: 'EJ-REF-1' },
    });

    expect(res.status).toBe(200);
    expect(sandbox.state.invoice(id)?.numeroEngagement).toBe('EJ-REF-1');
  });

  test('When a path does not exist, then 404 with a JSON body', async () => {
    const res = await cpro('/factures/v1/nothing-here', {});
    expect(res.status).toBe(404);
    expect(res.body.libelle).toContain('/cpro/factures/v1/nothing-here');
  });

  // ------------------------------------------------------------------------------------ control routes

  test.each<[string, string, unknown]>([
    ['a SIRET that is not 14 digits', '/sandbox/v1/structures/1234', { designation: 'X', type: 'PUBLIC' }],
    ['no designation', '/sandbox/v1/structures/12345678200051', { type: 'PUBLIC' }],
    ['an unknown type', '/sandbox/v1/structures/12345678200051', { designation: 'X', type: 'PRIVATE' }],
    ['an unknown field', '/sandbox/v1/structures/12345678200051', { designation: 'X', type: 'PUBLIC', colour: 'blue' }],
    ['a service without actif', '/sandbox/v1/structures/12345678200051', { designation: 'X', type: 'PUBLIC', services: [{ codeService: 'A', libelle: 'A' }] }],
    [
      'a duplicate service code',
      '/sandbox/v1/structures/12345678200051',
      { designation: 'X', type: 'PUBLIC', services: [{ codeService: 'A', libelle: 'A', actif: true }, { codeService: 'A', libelle: 'B', actif: false }] },
    ],
  ])('When a structure is registered with %s, then 400 VALIDATION_ERROR names the field', async (_case, path, body) => {
    const res = await request(sandbox.app).put(path).send(body as object);

    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.any(String) });
    expect(res.body.error.details.length).toBeGreaterThan(0);
  });

  test('When a structure is registered then updated, then 201 then 200 and service ids stay stable', async () => {
    const body = { designation: 'MAIRIE DE TEST', type: 'PUBLIC', codeServiceDoitEtreRenseigne: true, services: [{ codeService: 'CANTINE', libelle: 'Cantine', actif: true }] };

    const created = await request(sandbox.app).put('/sandbox/v1/structures/21330063500017').send(body);
    const updated = await request(sandbox.app)
      .put('/sandbox/v1/structures/21330063500017')
      .send({ ...body, services: [...body.services, { codeService: 'ECOLE', libelle: 'Ecole', actif: false, numeroEngagement: true }] });
    const listed = await request(sandbox.app).get('/sandbox/v1/structures');

    expect(created.status).toBe(201);
    expect(updated.status).toBe(200);
    expect(updated.body.idStructureCPP).toBe(created.body.idStructureCPP);
    expect(updated.body.services[0].idService).toBe(created.body.services[0].idService);
    expect(updated.body.services[1]).toMatchObject({ codeService: 'ECOLE', actif: false, numeroEngagement: true });
    expect((listed.body as { structures: { siret: string }[] }).structures.map((s) => s.siret)).toContain('21330063500017');
  });

  test.each<[string, unknown]>([
    ['a rate above 1', { faults: { errorRate5xx: 1.5 } }],
    ['a negative delay', { flowProcessingDelayMs: -1 }],
    ['an unknown key', { speed: 'fast' }],
    ['an unknown fault', { faults: { meteorRate: 0.1 } }],
    ['an unknown status in the autopilot path', { autopilot: { path: ['PAYEE'], stepDelayMs: 10 } }],
    ['an autopilot without step delay', { autopilot: { path: ['MISE_A_DISPOSITION'] } }],
  ])('When the configuration has %s, then 400 VALIDATION_ERROR', async (_case, body) => {
    const res = await request(sandbox.app).put('/sandbox/v1/config').send(body as object);

    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_ERROR');
  });

  test('When the autopilot path skips a required step, then 400 names the step and what is allowed', async () => {
    const res = await request(sandbox.app)
      .put('/sandbox/v1/config')
      .send({ autopilot: { path: ['MISE_A_DISPOSITION', 'MANDATEE', 'SERVICE_FAIT'], stepDelayMs: 10 } });

    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { path: 'autopilot.path', message: 'autopilot.path[2]: SERVICE_FAIT cannot follow MANDATEE (allowed: MISE_A_DISPOSITION_COMPTABLE, COMPTABILISEE, MISE_EN_PAIEMENT)' },
    ]);
  });

  test('When the configuration is updated in parts, then the rest is kept and reset restores the start values', async () => {
    await request(sandbox.app).put('/sandbox/v1/config').send({ faults: { latencyMs: 5 } });
    const res = await request(sandbox.app).put('/sandbox/v1/config').send({ faults: { errorRate5xx: 0.25 }, autopilot: { path: ['MISE_A_DISPOSITION'], stepDelayMs: 1 } });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      flowProcessingDelayMs: 0,
      tokenLifetimeMs: 3_600_000,
      autopilot: { path: ['MISE_A_DISPOSITION'], stepDelayMs: 1 },
      faults: { errorRate5xx: 0.25, latencyMs: 5, spurious401Rate: 0, invalidClientRate: 0, callsPerSecondQuota: 0 },
      loneListItemAsObject: false,
      technicalAccountPasswordExpiresAt: expect.any(String) as string,
      technicalAccounts: [],
    });
    await request(sandbox.app).post('/sandbox/v1/reset').expect(204);
    expect((await request(sandbox.app).get('/sandbox/v1/config')).body).toMatchObject({ autopilot: null, faults: { errorRate5xx: 0, latencyMs: 0 } });
  });

  test('When an invoice is moved, then allowed moves pass, forbidden ones get 409 with a clear message', async () => {
    const id = await integratedInvoice();
    const move = (statut: string) => request(sandbox.app).post(`/sandbox/v1/invoices/${id}/status`).send({ statut, motif: `to ${statut}` });

    const skip = await move('MANDATEE');
    expect(skip.status).toBe(409);
    expect(skip.body.error).toMatchObject({ code: 'FORBIDDEN_TRANSITION' });
    expect(skip.body.error.message).toBe(`Invoice ${id} cannot move from DEPOSEE to MANDATEE; allowed from DEPOSEE: EN_COURS_ACHEMINEMENT, MISE_A_DISPOSITION`);

    expect((await move('MISE_A_DISPOSITION')).status).toBe(200);
    expect((await move('A_RECYCLER')).body).toMatchObject({ statut: 'A_RECYCLER' });
    const bySupplier = await move('DEPOSEE');
    expect(bySupplier.status).toBe(409);
    expect(bySupplier.body.error.message).toContain('POST /cpro/factures/v1/recycler');
  });

  test('When an invoice reached a terminal status, then every move gets 409 and the status stays', async () => {
    const id = await integratedInvoice();
    sandbox.state.moveStatus(id, 'MISE_A_DISPOSITION');
    sandbox.state.moveStatus(id, 'MISE_EN_PAIEMENT');

    const res = await request(sandbox.app).post(`/sandbox/v1/invoices/${id}/status`).send({ statut: 'REJETEE' });

    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('MISE_EN_PAIEMENT is terminal');
    expect(sandbox.state.invoice(id)?.statut).toBe('MISE_EN_PAIEMENT');
  });

  test('When a status move is malformed or aims at nothing, then 400 or 404', async () => {
    const id = await integratedInvoice();

    expect((await request(sandbox.app).post(`/sandbox/v1/invoices/${id}/status`).send({ statut: 'PAYEE' })).status).toBe(400);
    expect((await request(sandbox.app).post(`/sandbox/v1/invoices/${id}/status`).send({})).status).toBe(400);
    expect((await request(sandbox.app).post('/sandbox/v1/invoices/abc/status').send({ statut: 'MISE_A_DISPOSITION' })).status).toBe(400);
    const missing = await request(sandbox.app).post('/sandbox/v1/invoices/1/status').send({ statut: 'MISE_A_DISPOSITION' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NOT_FOUND');
  });

  test('When invoices are listed with a bad filter, then 400; with good ones, the invoice and its flows', async () => {
    const id = await integratedInvoice();
    const numeroFacture = sandbox.state.invoice(id)?.numeroFacture ?? '';

    expect((await request(sandbox.app).get('/sandbox/v1/invoices?siretFournisseur=123')).status).toBe(400);
    expect((await request(sandbox.app).get('/sandbox/v1/invoices?page=2')).status).toBe(400);
    const res = await request(sandbox.app).get(`/sandbox/v1/invoices?numeroFacture=${numeroFacture}&siretFournisseur=${SANDBOX_SEEDS.suppliers.primary.siret}`);
    expect(res.status).toBe(200);
    expect(res.body.invoices).toEqual([expect.objectContaining({ identifiantFactureCPP: id, depositCount: 1, statut: 'DEPOSEE' })]);
    expect(res.body.flows).toEqual([expect.objectContaining({ etatCourantDepotFlux: 'IN_INTEGRE', identifiantFactureCPP: id })]);
  });

  test('When the API is called, then stats count calls per endpoint (control routes excluded) and reset zeroes them', async () => {
    await cpro('/structures/v1/rechercher', {});
    await cpro('/structures/v1/rechercher', {});
    await request(sandbox.app).get('/sandbox/v1/structures');

    const stats = await request(sandbox.app).get('/sandbox/v1/stats');

    expect(stats.body).toEqual({ 'POST /api/oauth/token': 2, 'POST /cpro/structures/v1/rechercher': 2 });
    await request(sandbox.app).post('/sandbox/v1/reset').expect(204);
    expect((await request(sandbox.app).get('/sandbox/v1/stats')).body).toEqual({});
  });

  test('When the sandbox is reset, then added structures and invoices are gone and the seeds are back with the same ids', async () => {
    const seedId = sandbox.state.structureBySiret(SANDBOX_SEEDS.buyers.noRequirement.siret)?.idStructureCPP;
    await request(sandbox.app).put('/sandbox/v1/structures/21330063500017').send({ designation: 'X', type: 'PUBLIC' });
    const id = await integratedInvoice();

    await request(sandbox.app).post('/sandbox/v1/reset').expect(204);

    expect(sandbox.state.structureBySiret('21330063500017')).toBeUndefined();
    expect(sandbox.state.invoice(id)).toBeUndefined();
    expect(sandbox.state.structureBySiret(SANDBOX_SEEDS.buyers.noRequirement.siret)?.idStructureCPP).toBe(seedId);
  });
});
