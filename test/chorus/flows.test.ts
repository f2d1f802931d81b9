/**
 * Deposits and the invoice lifecycle, end to end through the real client and the sandbox: flow states, Chorus
 * rejections with their reasons, incidents, duplicates, searches past one page, idempotency lookup, recycle,
 * complete, autopilot.
 */
import { ChorusBusinessError } from '../../chorus';
import { REJECTION, SANDBOX_SEEDS, startSandbox, type RunningSandbox } from '../../chorus-sandbox';
import { ciiXml, facturxPdf, nextInvoiceNumber, type InvoiceFixture } from './facturx-fixture';
import {
  control,
  deposit,
  depositIntegrated,
  FAST_FLOW_MS,
  makeClient,
  moveTo,
  waitFor,
  waitForFinalFlow,
  type TestClient,
} from './harness';

const { buyers, suppliers } = SANDBOX_SEEDS;

interface ControlInvoice {
  identifiantFactureCPP: number;
  numeroFacture: string;
  statut: string;
  siretDestinataire: string;
  codeServiceExecutant: string | null;
  numeroEngagement: string | null;
  depositCount: number;
  histoStatut: { histoStatutCode: string; histoStatutCommentaire: string }[];
  piecesJointes: { pieceJointeId: number; pieceJointeNom: string }[];
}
interface ControlInvoices {
  invoices: ControlInvoice[];
  flows: { numeroFluxDepot: string; etatCourantDepotFlux: string }[];
}

describe('Chorus flows and invoices against the sandbox', () => {
  let running: RunningSandbox;
  let t: TestClient;

  beforeAll(async () => {
    running = await startSandbox({ flowProcessingDelayMs: FAST_FLOW_MS });
  });
  afterAll(async () => {
    await running.close();
  });
  beforeEach(() => {
    running.state.reset();
    t = makeClient(running);
  });

  const invoicesOnSandbox = async (numeroFacture: string, siretFournisseur: string = suppliers.primary.siret) =>
    (await control<ControlInvoices>(running, 'GET', `/invoices?numeroFacture=${encodeURIComponent(numeroFacture)}&siretFournisseur=${siretFournisseur}`)).body;

  // ------------------------------------------------------------------------------------------ deposit

  test('When a valid Factur-X is deposited, then the flow passes every state to IN_INTEGRE and the invoice is DEPOSEE', async () => {
    await control(running, 'PUT', '/config', { flowProcessingDelayMs: 300 });
    const numeroFacture = nextInvoiceNumber();

    const answer = await deposit(t.client, { numeroFacture, contract: 'MARCHE-2025-01', grandTotal: '105.50' });

    expect(answer.numeroFluxDepot).toMatch(/^CPP\d{22}$/);
    expect(answer.dateDepot).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((await t.client.consulterCRDetaille(answer.numeroFluxDepot)).etatCourantDepotFlux).toBe('IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP');
    const cr = await waitForFinalFlow(t.client, answer.numeroFluxDepot);
    expect(cr).toMatchObject({ etatCourantDepotFlux: 'IN_INTEGRE', listeErreurDP: [], listeErreurTechnique: [] });
    const flow = await control<{ etats: { etat: string }[] }>(running, 'GET', `/flows/${answer.numeroFluxDepot}`);
    expect(flow.body.etats.map((e) => e.etat)).toEqual([
      'IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP',
      'IN_EN_ATTENTE_TRAITEMENT_CPP',
      'IN_EN_COURS_TRAITEMENT_CPP',
      'IN_INTEGRE',
    ]);

    const [invoice, ...others] = await t.client.rechercherFactureParFournisseur({ numeroFluxDepot: answer.numeroFluxDepot });
    expect(others).toEqual([]);
    expect(invoice).toMatchObject({
      numeroFacture,
      numeroFluxDepot: answer.numeroFluxDepot,
      statut: 'DEPOSEE',
      codeFournisseur: suppliers.primary.siret,
      codeDestinataire: buyers.noRequirement.siret,
      numeroMarche: 'MARCHE-2025-01',
      montantTTC: 105.5,
      dateFacture: '2025-01-15',
    });
    const historique = await t.client.consulterHistorique(invoice?.identifiantFactureCPP ?? -1);
    expect(historique.statutCourantCode).toBe('DEPOSEE');
    expect(historique.numeroFacture).toBe(numeroFacture);
    expect(historique.historiquesDesStatuts.histoStatut).toEqual([
      expect.objectContaining({ histoStatutCode: 'DEPOSEE', histoStatutDatePassage: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/) }),
    ]);
  });

  test('When the processing delay is 0, then the flow still goes through every state', async () => {
    await control(running, 'PUT', '/config', { flowProcessingDelayMs: 0 });

    const { numeroFluxDepot } = await deposit(t.client, { numeroFacture: nextInvoiceNumber() });

    await waitForFinalFlow(t.client, numeroFluxDepot);
    const flow = await control<{ etats: { etat: string }[] }>(running, 'GET', `/flows/${numeroFluxDepot}`);
    expect(flow.body.etats.map((e) => e.etat)).toEqual(['IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP', 'IN_EN_ATTENTE_TRAITEMENT_CPP', 'IN_EN_COURS_TRAITEMENT_CPP', 'IN_INTEGRE']);
  });

  test.each<[string, Partial<InvoiceFixture>]>([
    ['the buyer wants nothing', {}],
    ['the buyer wants a service and gets an active one', { buyerSiret: buyers.serviceRequired.siret, buyerReference: 'SERVICE_DEST_SERV_OBL' }],
    ['the buyer wants a commitment and gets one', { buyerSiret: buyers.engagementRequired.siret, engagement: 'EJ-2025-0042' }],
    [
      'the buyer wants both and gets both',
      { buyerSiret: buyers.serviceAndEngagement.siret, buyerReference: 'SERVICE_DEST_SERV_EJ_OBL', engagement: 'EJ-1' },
    ],
    ['the buyer wants one of the two and gets a commitment', { buyerSiret: buyers.serviceOrEngagement.siret, engagement: 'EJ-2' }],
    ['the buyer wants one of the two and gets a service', { buyerSiret: buyers.serviceOrEngagement.siret, buyerReference: 'SERVICE_EJ_OU_SERV' }],
    ['the invoice comes from the second supplier', { sellerSiret: suppliers.secondary.siret }],
    ['the payment means is a direct debit', { paymentMeansCode: '49' }],
    // A credit note (AVOIR): nothing is paid to the seller, so no payment means is asked for.
    ['a credit note (381) comes without payment means', { typeCode: '381', paymentMeansCode: null }],
    ['an invoice already paid is deposited under cadre A2', { cadre: 'A2' }],
  ])('When %s, then the flow is IN_INTEGRE', async (_case, overrides) => {
    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture: nextInvoiceNumber(), ...overrides });
    expect(identifiantFactureCPP).toEqual(expect.any(Number));
  });

  // ---------------------------------------------------------------------------------------- rejections

  const engagement51 = 'E'.repeat(51);
  test.each<[string, Partial<InvoiceFixture>, string]>([
    ['the payment means is missing', { paymentMeansCode: null }, REJECTION.paymentMeansMissing],
    ['the buyer SIRET is unknown', { buyerSiret: '11111111111111' }, REJECTION.buyerUnknown],
    ['the buyer SIRET is absent', { buyerSiret: null }, REJECTION.buyerUnknown],
    ['the supplier SIRET is unknown', { sellerSiret: '22222222222222' }, REJECTION.supplierUnknown],
    ['the seller is a public structure, not a supplier', { sellerSiret: buyers.noRequirement.siret }, REJECTION.supplierUnknown],
    ['the buyer wants a commitment and gets none', { buyerSiret: buyers.engagementRequired.siret }, REJECTION.engagementMissing(buyers.engagementRequired.siret)],
    ['the buyer wants a service code and gets none', { buyerSiret: buyers.serviceRequired.siret }, REJECTION.serviceMissing(buyers.serviceRequired.siret)],
    [
      'the service code is unknown',
      { buyerSiret: buyers.serviceRequired.siret, buyerReference: 'NO_SUCH_SERVICE' },
      REJECTION.serviceUnknown('NO_SUCH_SERVICE', buyers.serviceRequired.siret),
    ],
    [
      'the service is inactive',
      { buyerSiret: buyers.serviceRequired.siret, buyerReference: 'SERVICE_INACTIF' },
      REJECTION.serviceInactive('SERVICE_INACTIF', buyers.serviceRequired.siret),
    ],
    ['the service is FACTURES_PUBLIQUES', { buyerSiret: buyers.serviceRequired.siret, buyerReference: 'FACTURES_PUBLIQUES' }, REJECTION.facturesPubliques],
    [
      'the service wants a commitment and gets none',
      { buyerSiret: buyers.serviceRequired.siret, buyerReference: 'SERVICE_AVEC_EJ' },
      REJECTION.engagementMissing(buyers.serviceRequired.siret, 'SERVICE_AVEC_EJ'),
    ],
    ['the buyer wants one of the two and gets neither', { buyerSiret: buyers.serviceOrEngagement.siret }, REJECTION.serviceOrEngagementMissing(buyers.serviceOrEngagement.siret)],
    ['the commitment is longer than 50 characters', { buyerSiret: buyers.engagementRequired.siret, engagement: engagement51 }, REJECTION.engagementTooLong],
    ['the invoice number is longer than 20 characters', { numeroFacture: 'F'.repeat(21) }, REJECTION.numberTooLong],
    ['the type code is 751', { typeCode: '751' }, REJECTION.typeCodeRefused('751')],
    ['the cadre de facturation is not a supplier deposit', { cadre: 'A3' }, REJECTION.cadreRefused('A3')],
  ])('When %s, then the flow is IN_REJETE with that reason and no invoice exists', async (_case, overrides, reason) => {
    const fixture: InvoiceFixture = { numeroFacture: nextInvoiceNumber(), ...overrides };

    const { numeroFluxDepot } = await deposit(t.client, fixture);
    const cr = await waitForFinalFlow(t.client, numeroFluxDepot);

    expect(cr.etatCourantDepotFlux).toBe('IN_REJETE');
    expect(cr.listeErreurTechnique).toEqual([]);
    expect(cr.listeErreurDP).toHaveLength(1);
    expect(cr.listeErreurDP[0]).toMatchObject({ numeroDP: fixture.numeroFacture });
    expect(cr.listeErreurDP[0]?.libelleErreurDP?.split(' | ')).toContain(reason);
    await expect(t.client.rechercherFactureParFournisseur({ numeroFluxDepot })).resolves.toEqual([]);
  });

  test('When an invoice has several faults, then every reason is joined in one libelleErreurDP', async () => {
    const numeroFacture = nextInvoiceNumber();

    const { numeroFluxDepot } = await deposit(t.client, { numeroFacture, buyerSiret: '11111111111111', paymentMeansCode: null });
    const cr = await waitForFinalFlow(t.client, numeroFluxDepot);

    expect(cr.listeErreurDP).toEqual([
      {
        identifiantDestinataire: '11111111111111',
        identifiantFournisseur: suppliers.primary.siret,
        numeroDP: numeroFacture,
        libelleErreurDP: `${REJECTION.buyerUnknown}|${REJECTION.paymentMeansMissing}`,
      },
    ]);
  });

  // ------------------------------------------------------------------------------------------ incidents

  test.each<[string, () => Promise<Buffer>, string]>([
    ['the file is not a PDF', async () => Buffer.from('this is not a pdf'), 'ERR_FORMAT_001'],
    ['the PDF carries no factur-x.xml', () => facturxPdf({ numeroFacture: 'X' }, { noAttachment: true }), 'ERR_FACTURX_001'],
    ['the PDF carries another file name', () => facturxPdf({ numeroFacture: 'X' }, { attachmentName: 'invoice.xml' }), 'ERR_FACTURX_001'],
    ['the XML is malformed', () => facturxPdf({ numeroFacture: 'X' }, { xml: '<rsm:CrossIndustryInvoice><oops></rsm:CrossIndustryInvoice>' }), 'ERR_XSD_001'],
    ['the XML is not a CII invoice', () => facturxPdf({ numeroFacture: 'X' }, { xml: '<Invoice><ID>1</ID></Invoice>' }), 'ERR_XSD_002'],
  ])('When %s, then the flow is IN_INCIDENTE with a technical error', async (_case, file, codeErreur) => {
    const { numeroFluxDepot } = await t.client.deposerFlux({ fichierFlux: await file(), nomFichier: 'facture.pdf' });
    const cr = await waitForFinalFlow(t.client, numeroFluxDepot);

    expect(cr.etatCourantDepotFlux).toBe('IN_INCIDENTE');
    expect(cr.listeErreurDP).toEqual([]);
    expect(cr.listeErreurTechnique).toEqual([
      { codeErreur, libelleErreur: expect.stringMatching(/^IRRECEVABILITE: /), natureErreur: 'IRRECEVABILITE' },
    ]);
  });

  test('When the Factur-X file is referenced only by the /AF array, then it is still found', async () => {
    const numeroFacture = nextInvoiceNumber();
    const file = await facturxPdf({ numeroFacture }, { onlyAssociatedFiles: true });

    const { numeroFluxDepot } = await t.client.deposerFlux({ fichierFlux: file, nomFichier: 'af.pdf' });

    expect((await waitForFinalFlow(t.client, numeroFluxDepot)).etatCourantDepotFlux).toBe('IN_INTEGRE');
  });

  test('When a bare CII XML is deposited as IN_DP_E1_CII_16B, then it is integrated', async () => {
    const numeroFacture = nextInvoiceNumber();

    const { numeroFluxDepot } = await t.client.deposerFlux({
      fichierFlux: Buffer.from(ciiXml({ numeroFacture }), 'utf8'),
      nomFichier: 'facture.xml',
      syntaxeFlux: 'IN_DP_E1_CII_16B',
    });

    expect((await waitForFinalFlow(t.client, numeroFluxDepot)).etatCourantDepotFlux).toBe('IN_INTEGRE');
  });

  test('When the syntax is not supported, then the deposit itself is refused', async () => {
    const error = await t.client
      .deposerFlux({ fichierFlux: Buffer.from('x'), nomFichier: 'x.xml', syntaxeFlux: 'IN_DP_E1_UBL_INVOICE' })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ChorusBusinessError);
    expect(error).toMatchObject({ codeRetour: 20001, httpStatus: 400 });
  });

  // ------------------------------------------------------------------------------------------ duplicates

  test('When the same number is deposited twice, then the second flow is rejected and the sandbox counts two deposits', async () => {
    const numeroFacture = nextInvoiceNumber();
    await depositIntegrated(t.client, { numeroFacture });

    const second = await deposit(t.client, { numeroFacture });
    const cr = await waitForFinalFlow(t.client, second.numeroFluxDepot);

    expect(cr.etatCourantDepotFlux).toBe('IN_REJETE');
    expect(cr.listeErreurDP[0]?.libelleErreurDP).toBe(REJECTION.duplicate(numeroFacture, suppliers.primary.siret));
    const held = await invoicesOnSandbox(numeroFacture);
    expect(held.invoices).toHaveLength(1);
    expect(held.invoices[0]?.depositCount).toBe(2);
    expect(held.flows.map((f) => f.etatCourantDepotFlux)).toEqual(['IN_INTEGRE', 'IN_REJETE']);
  });

  test('When two suppliers use the same number, then both invoices are integrated', async () => {
    const numeroFacture = nextInvoiceNumber();

    await depositIntegrated(t.client, { numeroFacture });
    await depositIntegrated(t.client, { numeroFacture, sellerSiret: suppliers.secondary.siret });

    expect((await invoicesOnSandbox(numeroFacture)).invoices[0]?.depositCount).toBe(1);
    expect((await invoicesOnSandbox(numeroFacture, suppliers.secondary.siret)).invoices[0]?.depositCount).toBe(1);
  });

  test('When the earlier invoice was rejected by the buyer, then the same number may be deposited again', async () => {
    const numeroFacture = nextInvoiceNumber();
    const first = await depositIntegrated(t.client, { numeroFacture });
    await moveTo(running, first.identifiantFactureCPP, 'MISE_A_DISPOSITION', 'REJETEE');

    const second = await depositIntegrated(t.client, { numeroFacture });

    expect(second.identifiantFactureCPP).not.toBe(first.identifiantFactureCPP);
    await expect(t.client.findInvoiceByNumber(numeroFacture)).resolves.toMatchObject({
      identifiantFactureCPP: second.identifiantFactureCPP,
      statut: 'DEPOSEE',
    });
  });

  // ------------------------------------------------------------------------------------------ searches

  test('When a supplier has more invoices than a page holds, then the search reads every page', async () => {
    await control(running, 'PUT', '/config', { flowProcessingDelayMs: 0 });
    const numbers = Array.from({ length: 12 }, () => nextInvoiceNumber('P'));
    const flows = await Promise.all(numbers.map((numeroFacture) => deposit(t.client, { numeroFacture })));
    await Promise.all(flows.map((f) => waitForFinalFlow(t.client, f.numeroFluxDepot)));
    const paged = makeClient(running, { pageSize: 5 });

    const all = await paged.client.rechercherFactureParFournisseur({});

    expect(all.map((f) => f.numeroFacture).sort()).toEqual([...numbers].sort());
    expect(new Set(all.map((f) => f.identifiantFactureCPP)).size).toBe(12);
    expect(paged.logs.filter((l) => l.path === '/cpro/factures/v1/rechercher/fournisseur')).toHaveLength(3);
  });

  test('When an invoice is looked up by number, then the invoice of that supplier comes back, or null', async () => {
    const numeroFacture = nextInvoiceNumber();
    const { numeroFluxDepot, identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture });

    await expect(t.client.findInvoiceByNumber(numeroFacture)).resolves.toEqual({
      identifiantFactureCPP,
      numeroFacture,
      numeroFluxDepot,
      statut: 'DEPOSEE',
      codeFournisseur: suppliers.primary.siret,
      dateDepot: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    await expect(t.client.findInvoiceByNumber(numeroFacture, { siretFournisseur: suppliers.secondary.siret })).resolves.toBeNull();
    await expect(t.client.findInvoiceByNumber('NEVER-DEPOSITED')).resolves.toBeNull();
  });

  test('When a flow was rejected, then no invoice is found for its number', async () => {
    const numeroFacture = nextInvoiceNumber();
    const { numeroFluxDepot } = await deposit(t.client, { numeroFacture, paymentMeansCode: null });
    await waitForFinalFlow(t.client, numeroFluxDepot);

    await expect(t.client.findInvoiceByNumber(numeroFacture)).resolves.toBeNull();
    expect((await invoicesOnSandbox(numeroFacture)).flows).toHaveLength(1);
  });

  test('When the history of an unknown invoice is asked, then ChorusBusinessError is raised', async () => {
    await expect(t.client.consulterHistorique(42)).rejects.toMatchObject({ name: 'ChorusBusinessError', codeRetour: 20002 });
  });

  // ------------------------------------------------------------------------------------ recycle, complete

  test('When an invoice is A_RECYCLER, then recycler sends new routing data and it is DEPOSEE again with the same number', async () => {
    const numeroFacture = nextInvoiceNumber();
    const { identifiantFactureCPP } = await depositIntegrated(t.client, {
      numeroFacture,
      buyerSiret: buyers.serviceRequired.siret,
      buyerReference: 'SERVICE_DEST_SERV_OBL',
    });
    await moveTo(running, identifiantFactureCPP, 'MISE_A_DISPOSITION', 'A_RECYCLER');

    const answer = await t.client.recycler({
      identifiantFactureCPP,
      destinataire: { codeDestinataire: buyers.engagementRequired.siret },
      numeroEngagement: 'EJ-2025-0077',
      commentaire: 'Mauvais destinataire corrige',
    });

    expect(answer).toMatchObject({
      codeRetour: 0,
      libelle: 'CODE PAR DEFAUT',
      identifiantFactureCPP,
      numeroFacture,
      statutFacture: 'DEPOSEE',
      dateDepot: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/),
    });
    const historique = await t.client.consulterHistorique(identifiantFactureCPP);
    expect(historique.statutCourantCode).toBe('DEPOSEE');
    expect(historique.historiquesDesStatuts.histoStatut.map((h) => h.histoStatutCode)).toEqual([
      'DEPOSEE',
      'MISE_A_DISPOSITION',
      'A_RECYCLER',
      'DEPOSEE',
    ]);
    expect(historique.historiquesDesStatuts.histoStatut.at(-1)?.histoStatutCommentaire).toBe('Mauvais destinataire corrige');
    const [held] = (await invoicesOnSandbox(numeroFacture)).invoices;
    expect(held).toMatchObject({
      siretDestinataire: buyers.engagementRequired.siret,
      numeroEngagement: 'EJ-2025-0077',
      codeServiceExecutant: null,
      depositCount: 1,
    });
  });

  test('When recycler is called on an invoice that is not A_RECYCLER, then ChorusBusinessError is raised', async () => {
    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture: nextInvoiceNumber() });

    const error = await t.client
      .recycler({ identifiantFactureCPP, destinataire: { codeDestinataire: buyers.noRequirement.siret } })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ChorusBusinessError);
    expect(error).toMatchObject({ codeRetour: 20004, httpStatus: 400 });
    expect((error as ChorusBusinessError).libelle).toContain('A_RECYCLER');
  });

  test('When the new routing misses what the new buyer demands, then recycler is refused and the invoice stays A_RECYCLER', async () => {
    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture: nextInvoiceNumber() });
    await moveTo(running, identifiantFactureCPP, 'MISE_A_DISPOSITION', 'A_RECYCLER');

    await expect(
      t.client.recycler({ identifiantFactureCPP, destinataire: { codeDestinataire: buyers.serviceRequired.siret } }),
    ).rejects.toMatchObject({ codeRetour: 20006 });
    await expect(
      t.client.recycler({ identifiantFactureCPP, destinataire: { codeDestinataire: '11111111111111' } }),
    ).rejects.toMatchObject({ codeRetour: 20005 });
    expect((await t.client.consulterHistorique(identifiantFactureCPP)).statutCourantCode).toBe('A_RECYCLER');
  });

  test('When an invoice is SUSPENDUE, then completer with uploaded files makes it COMPLETEE', async () => {
    const numeroFacture = nextInvoiceNumber();
    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture });
    await moveTo(running, identifiantFactureCPP, 'MISE_A_DISPOSITION', 'SUSPENDUE');

    const pieceJointeId = await t.client.ajouterFichier({
      pieceJointeFichier: Buffer.from('%PDF-1.4 bon de livraison'),
      pieceJointeNom: 'bon-de-livraison.pdf',
      pieceJointeTypeMime: 'application/pdf',
      pieceJointeExtension: 'PDF',
    });
    const answer = await t.client.completer({ identifiantFactureCPP, commentaire: 'Bon de livraison joint', pieceJointeIds: [pieceJointeId] });

    expect(answer).toMatchObject({ codeRetour: 0, identifiantFactureCPP, numeroFacture, dateTraitement: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    const [held] = (await invoicesOnSandbox(numeroFacture)).invoices;
    expect(held?.statut).toBe('COMPLETEE');
    expect(held?.piecesJointes).toEqual([{ pieceJointeId, pieceJointeNom: 'bon-de-livraison.pdf', taille: 25 }]);
    expect(held?.histoStatut.at(-1)).toMatchObject({ histoStatutCode: 'COMPLETEE', histoStatutCommentaire: 'Bon de livraison joint' });
  });

  test('When completer is called on an invoice that is not SUSPENDUE, then ChorusBusinessError is raised', async () => {
    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture: nextInvoiceNumber() });

    await expect(t.client.completer({ identifiantFactureCPP, commentaire: 'x' })).rejects.toMatchObject({
      name: 'ChorusBusinessError',
      codeRetour: 20015,
    });
  });

  test('When completer names a file never uploaded, then ChorusBusinessError is raised', async () => {
    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture: nextInvoiceNumber() });
    await moveTo(running, identifiantFactureCPP, 'MISE_A_DISPOSITION', 'SUSPENDUE');

    await expect(t.client.completer({ identifiantFactureCPP, pieceJointeIds: [1] })).rejects.toMatchObject({ codeRetour: 20016 });
  });

  test('When an attachment name is longer than 50 characters, then ajouterFichier gets HTTP 400', async () => {
    const error = await t.client
      .ajouterFichier({
        pieceJointeFichier: Buffer.from('x'),
        pieceJointeNom: `${'n'.repeat(47)}.pdf`,
        pieceJointeTypeMime: 'application/pdf',
        pieceJointeExtension: 'PDF',
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ChorusBusinessError);
    expect(error).toMatchObject({ httpStatus: 400, codeRetour: 20017 });
  });

  // ------------------------------------------------------------------------------------------ autopilot

  test('When the autopilot is set, then each new invoice walks the path to MISE_EN_PAIEMENT', async () => {
    const path = ['EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION', 'SERVICE_FAIT', 'MANDATEE', 'MISE_EN_PAIEMENT'];
    expect((await control(running, 'PUT', '/config', { autopilot: { path, stepDelayMs: 5 } })).status).toBe(200);

    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture: nextInvoiceNumber() });

    const historique = await waitFor(async () => {
      const h = await t.client.consulterHistorique(identifiantFactureCPP);
      return h.statutCourantCode === 'MISE_EN_PAIEMENT' ? h : undefined;
    }, 'the autopilot to reach MISE_EN_PAIEMENT');
    expect(historique.historiquesDesStatuts.histoStatut.map((h) => h.histoStatutCode)).toEqual(['DEPOSEE', ...path]);
  });

  test('When the autopilot reaches A_RECYCLER, then it waits for recycler and resumes after it', async () => {
    const path = ['MISE_A_DISPOSITION', 'A_RECYCLER', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT'];
    await control(running, 'PUT', '/config', { autopilot: { path, stepDelayMs: 5 } });
    const { identifiantFactureCPP } = await depositIntegrated(t.client, { numeroFacture: nextInvoiceNumber() });
    const statusOf = async () => (await t.client.consulterHistorique(identifiantFactureCPP)).statutCourantCode;

    await waitFor(async () => ((await statusOf()) === 'A_RECYCLER' ? true : undefined), 'A_RECYCLER');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await statusOf()).toBe('A_RECYCLER');

    await t.client.recycler({ identifiantFactureCPP, destinataire: { codeDestinataire: buyers.noRequirement.siret } });

    await waitFor(async () => ((await statusOf()) === 'MISE_EN_PAIEMENT' ? true : undefined), 'MISE_EN_PAIEMENT after recycling');
    const codes = (await t.client.consulterHistorique(identifiantFactureCPP)).historiquesDesStatuts.histoStatut.map((h) => h.histoStatutCode);
    expect(codes).toEqual(['DEPOSEE', 'MISE_A_DISPOSITION', 'A_RECYCLER', 'DEPOSEE', 'EN_COURS_ACHEMINEMENT', 'MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT']);
  });

  test('When the sandbox is reset, then pending flows stop and every timer is cleared', async () => {
    await control(running, 'PUT', '/config', { flowProcessingDelayMs: 5_000 });
    const { numeroFluxDepot } = await deposit(t.client, { numeroFacture: nextInvoiceNumber() });
    expect(running.state.pendingTimers).toBeGreaterThan(0);

    expect((await control(running, 'POST', '/reset')).status).toBe(204);

    expect(running.state.pendingTimers).toBe(0);
    await expect(t.client.consulterCRDetaille(numeroFluxDepot)).rejects.toMatchObject({ codeRetour: 20001 });
  });
});
