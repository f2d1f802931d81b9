/**
 * What the fidelity audit (docs/chorus.md, "The qualification run") found the real host does and our sandbox
 * used to hide, through the real client over HTTP: "no result" answers, the history's order, the flow states
 * that end a flow, lone objects for one-item lists, rattachement. Each test fails on a client that assumes the
 * sandbox's old answers.
 */
import { ChorusAuthError, ChorusBusinessError, chronological, entriesSince, isNoResult, TechnicalAccount } from '../../chorus';
import { SANDBOX_SEEDS, type RunningSandbox } from '../../chorus-sandbox';
import { FLOW_FAILED_STATES, isFlowFinal } from '../../domain/statuses';
import { nextInvoiceNumber } from './facturx-fixture';
import { control, deposit, depositIntegrated, DEV_CREDENTIALS, FAST_FLOW_MS, makeClient, moveTo, sandboxForFile, waitForFinalFlow, type TestClient } from './harness';

const { buyers, suppliers } = SANDBOX_SEEDS;

describe('Chorus client against a sandbox that answers like the real host', () => {
  const sandbox = sandboxForFile();
  let running: RunningSandbox;
  let t: TestClient;
  beforeEach(() => {
    running = sandbox.running;
    t = makeClient(running);
  });

  /** The raw answer of a Chorus route, token and cpro-account included, without the client's reading. */
  async function raw(path: string, body: unknown): Promise<{ status: number; body: { codeRetour: number; libelle: string } }> {
    const token = (await (
      await fetch(running.tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'agrilocal-dev-client', client_secret: 'agrilocal-dev-secret', scope: 'openid' }),
      })
    ).json()) as { access_token: string };
    const res = await fetch(`${running.url}${path}`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token.access_token}`,
        'cpro-account': Buffer.from('TECH_1_agrilocal@cpro.fr:agrilocal-dev-password').toString('base64'),
        'Content-Type': 'application/json;charset=utf-8',
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { codeRetour: number; libelle: string } };
  }

  it('When an invoice number nobody used is searched, then the host answers "no result" (HTTP 200, 20000) and the client finds none', async () => {
    const answer = await raw('/cpro/factures/v1/rechercher/fournisseur', { numeroFacture: 'JAMAIS-UTILISE' });
    expect(answer).toMatchObject({ status: 200, body: { codeRetour: 20000 } });
    expect(answer.body.libelle).toMatch(/^TRA_MSG_00\.015/);

    await expect(t.client.findInvoiceByNumber('JAMAIS-UTILISE')).resolves.toBeNull();
  });

  it('When a buyer has no service, then it is still described (no service, its requirement), not an error', async () => {
    const found = await t.client.rechercherStructure(buyers.engagementRequired.siret);
    const answer = await raw('/cpro/structures/v1/rechercher/services', { idStructure: found?.idStructureCPP });
    expect(answer.body.codeRetour).toBe(20000);

    await expect(t.client.describeBuyer(buyers.engagementRequired.siret)).resolves.toMatchObject({
      kind: 'known',
      requirement: 'engagement',
      services: [],
    });
  });

  it('When a request is malformed, then the refusal is not mistaken for "no result"', async () => {
    const refused = await t.client.consulterStructure(Number.NaN).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ChorusBusinessError);
    expect((refused as ChorusBusinessError).codeRetour).toBe(20099);
    expect(isNoResult(refused)).toBe(false);
  });

  it('When an invoice has moved several times, then the host answers newest first and the client reads it oldest first, comments kept', async () => {
    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture: nextInvoiceNumber() });
    await moveTo(running, identifiantFactureCPP, 'MISE_A_DISPOSITION');
    await control(running, 'POST', `/invoices/${identifiantFactureCPP}/status`, { statut: 'SUSPENDUE', motif: 'Bon de livraison manquant' });

    const answer = (await raw('/cpro/factures/v1/consulter/historique', { idFacture: identifiantFactureCPP })) as unknown as {
      body: { historiquesDesStatuts: { histoStatut: { histoStatutCode: string }[] } };
    };
    expect(answer.body.historiquesDesStatuts.histoStatut.map((h) => h.histoStatutCode)).toEqual(['SUSPENDUE', 'MISE_A_DISPOSITION', 'DEPOSEE']);

    const history = await t.client.consulterHistorique(identifiantFactureCPP);
    expect(history.historiquesDesStatuts.histoStatut.map((h) => h.histoStatutCode)).toEqual(['DEPOSEE', 'MISE_A_DISPOSITION', 'SUSPENDUE']);
    expect(history.historiquesDesStatuts.histoStatut.at(-1)?.histoStatutCommentaire).toBe('Bon de livraison manquant');
  });

  it.each(['QP_IRRECEVABLE', 'QP_RECEVABLE_AVEC_ERREUR', 'IN_A_RELANCER', 'IN_ERREUR_INTERNE'])(
    'When Chorus declares a flow %s, then the flow is over and failed, with what Chorus said',
    async (etat) => {
      const { numeroFluxDepot } = await deposit(t.client, { numeroFacture: nextInvoiceNumber() });
      const forced = await control(running, 'POST', `/flows/${numeroFluxDepot}/etat`, { etat, erreurs: ['Flux irrecevable : test'] });
      expect(forced.status).toBe(200);

      const cr = await t.client.consulterCRDetaille(numeroFluxDepot);
      expect(cr.etatCourantDepotFlux).toBe(etat);
      expect(isFlowFinal(cr.etatCourantDepotFlux) && FLOW_FAILED_STATES.includes(cr.etatCourantDepotFlux)).toBe(true);
      expect(cr.listeErreurDP.map((e) => e.libelleErreurDP)).toEqual(['Flux irrecevable : test']);
    },
  );

  it('When a flow is held in progress, then it stays there past its processing delay', async () => {
    const { numeroFluxDepot } = await deposit(t.client, { numeroFacture: nextInvoiceNumber() });
    await control(running, 'POST', `/flows/${numeroFluxDepot}/etat`, { etat: 'IN_EN_COURS_TRAITEMENT_CPP' });
    await new Promise((resolve) => setTimeout(resolve, FAST_FLOW_MS * 3));

    expect((await t.client.consulterCRDetaille(numeroFluxDepot)).etatCourantDepotFlux).toBe('IN_EN_COURS_TRAITEMENT_CPP');
  });

  it('When the host sends one-item lists as lone objects, then the client still reads one item', async () => {
    await control(running, 'PUT', '/config', { loneListItemAsObject: true });
    const found = await t.client.rechercherStructure(buyers.noRequirement.siret);
    expect(found?.identifiantStructure).toBe(buyers.noRequirement.siret);
    await expect(t.client.rechercherServicesStructure(found?.idStructureCPP ?? -1)).resolves.toHaveLength(1);
  });

  it("When another technical account calls (a producer's own), then PISTE checks its password and Chorus answers with its attachments and expiry", async () => {
    const login = 'TECH_1_ferme-own@cpro.fr';
    const expiresAt = '2027-03-01T00:00:00.000Z';
    const registered = await control(running, 'PUT', `/technical-accounts/${encodeURIComponent(login)}`, { password: 'own-pass', attachedSirets: [suppliers.secondary.siret], passwordExpiresAt: expiresAt });
    expect(registered.status).toBe(201);
    const own = makeClient(running, { credentials: { ...DEV_CREDENTIALS, techLogin: login, techPassword: 'own-pass' } });
    const ownAccount = new TechnicalAccount(own.client, { ttlMs: 0 });
    await expect(ownAccount.isAttached(suppliers.secondary.siret)).resolves.toBe(true);
    await expect(ownAccount.isAttached(suppliers.primary.siret)).resolves.toBe(false);
    await expect(ownAccount.passwordExpiresAt()).resolves.toBe(expiresAt);

    // His deposit for a seller not attached to him is rejected, as the platform account's is for its own.
    const { numeroFluxDepot } = await deposit(own.client, { numeroFacture: nextInvoiceNumber() });
    const cr = await waitForFinalFlow(own.client, numeroFluxDepot);
    expect(cr.etatCourantDepotFlux).toBe('IN_REJETE');
    expect(cr.listeErreurDP[0]?.libelleErreurDP).toMatch(/n'est pas rattachee au compte utilisateur/);

    const wrong = makeClient(running, { credentials: { ...DEV_CREDENTIALS, techLogin: login, techPassword: 'guessed' } });
    const refused = await wrong.client.recupererStructuresActivesFournisseur().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ChorusAuthError);
    expect((refused as ChorusAuthError).wwwAuthenticate).toContain('login or password incorrects');
    expect(JSON.stringify((await control(running, 'GET', '/config')).body)).not.toContain('own-pass');
  });

  it('When a supplier is not attached to the technical account, then the client says so and its flows are rejected with the reason', async () => {
    const account = new TechnicalAccount(t.client, { ttlMs: 0 });
    await expect(account.isAttached(suppliers.primary.siret)).resolves.toBe(true);
    const { designation, type } = suppliers.primary;
    expect((await control(running, 'PUT', `/structures/${suppliers.primary.siret}`, { designation, type, attached: false })).status).toBe(200);

    await expect(account.isAttached(suppliers.primary.siret)).resolves.toBe(false);
    const { numeroFluxDepot } = await deposit(t.client, { numeroFacture: nextInvoiceNumber() });
    const cr = await waitForFinalFlow(t.client, numeroFluxDepot);
    expect(cr.etatCourantDepotFlux).toBe('IN_REJETE');
    expect(cr.listeErreurDP[0]?.libelleErreurDP).toMatch(/n'est pas rattachee au compte utilisateur/);
  });
});

describe('what is new in a status history', () => {
  const entry = (histoStatutId: number, histoStatutCode: string, histoStatutCommentaire?: string) => ({
    histoStatutId,
    histoStatutCode,
    histoStatutDatePassage: `2026-01-0${histoStatutId} 10:00`,
    histoStatutCommentaire,
  });

  it('When entries come newest first, then chronological puts them oldest first by id', () => {
    expect(chronological([entry(3, 'SUSPENDUE'), entry(1, 'DEPOSEE'), entry(2, 'MISE_A_DISPOSITION')]).map((e) => e.histoStatutId)).toEqual([1, 2, 3]);
  });

  it('When the first new entry repeats the status already recorded, without comment, then it is not new', () => {
    const history = [entry(1, 'DEPOSEE'), entry(2, 'MISE_A_DISPOSITION')];
    expect(entriesSince(history, 0, 'DEPOSEE').map((e) => e.histoStatutCode)).toEqual(['MISE_A_DISPOSITION']);
    expect(entriesSince(history, 0, null).map((e) => e.histoStatutCode)).toEqual(['DEPOSEE', 'MISE_A_DISPOSITION']);
    expect(entriesSince([...history, entry(3, 'SUSPENDUE', 'Pièce manquante')], 2, 'SUSPENDUE').map((e) => e.histoStatutCommentaire)).toEqual(['Pièce manquante']);
  });
});
