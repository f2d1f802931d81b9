/** Buyer lookup through the real client and the sandbox: the four structure endpoints and describeBuyer. */
import { ChorusBusinessError, ChorusClient, ChorusTransport, deriveRequirement } from '../../chorus';
import { SANDBOX_SEEDS, SANDBOX_SEED_STRUCTURES, hasValidSiretChecksum, startSandbox, type RunningSandbox } from '../../chorus-sandbox';
import { control, DEV_CREDENTIALS, makeClient, urlOf } from './harness';

const { buyers, suppliers } = SANDBOX_SEEDS;

describe('Chorus structure lookup against the sandbox', () => {
  let running: RunningSandbox;

  beforeAll(async () => {
    running = await startSandbox();
  });
  afterAll(async () => {
    await running.close();
  });
  beforeEach(() => {
    running.state.reset();
  });

  test('When the seeds are listed, then every SIRET passes the Luhn check and is unique', () => {
    const sirets = SANDBOX_SEED_STRUCTURES.map((s) => s.siret);
    expect(sirets.every(hasValidSiretChecksum)).toBe(true);
    expect(new Set(sirets).size).toBe(sirets.length);
    expect(hasValidSiretChecksum('12345678200052')).toBe(false);
  });

  test('When a known SIRET is searched, then exactly its structure comes back', async () => {
    const { client } = makeClient(running);

    const found = await client.rechercherStructure(buyers.serviceRequired.siret);

    expect(found).toMatchObject({
      identifiantStructure: buyers.serviceRequired.siret,
      designationStructure: buyers.serviceRequired.designation,
      typeIdentifiantStructure: 'SIRET',
      statut: 'ACTIVE',
    });
    expect(found?.idStructureCPP).toEqual(expect.any(Number));
  });

  test('When an unknown SIRET is searched, then null comes back', async () => {
    const { client } = makeClient(running);

    await expect(client.rechercherStructure('11111111111111')).resolves.toBeNull();
  });

  test('When Chorus returns several structures for one SIRET, then the lookup treats it as not exactly one', async () => {
    const structure = (id: number, siret: string, statut: string) => ({
      idStructureCPP: id,
      identifiantStructure: siret,
      designationStructure: `S${id}`,
      statut,
      typeIdentifiantStructure: 'SIRET',
    });
    const answers: unknown[] = [
      // Two active duplicates: ambiguous.
      { codeRetour: 0, listeStructures: [structure(1, '12345678200051', 'ACTIF'), structure(2, '12345678200051', 'ACTIF')] },
      // One active, one inactive: the active one.
      { codeRetour: 0, listeStructures: [structure(3, '12345678200051', 'INACTIF'), structure(4, '12345678200051', 'ACTIF')] },
      // A loose match on another SIRET is ignored.
      { codeRetour: 0, listeStructures: [structure(5, '12345678200051', 'ACTIF'), structure(6, '12345678200052', 'ACTIF')] },
      // The official Swagger's values (StructureAAfficher.statut): ACTIVE / INACTIVE.
      { codeRetour: 0, listeStructures: [structure(7, '12345678200051', 'INACTIVE'), structure(8, '12345678200051', 'ACTIVE')] },
      // A one-item list sent as the lone object.
      { codeRetour: 0, listeStructures: structure(9, '12345678200051', 'ACTIVE') },
      // The real host's "no result": HTTP 200, codeRetour 20000.
      { codeRetour: 20000, libelle: "TRA_MSG_00.015 - La recherche n'a retourné aucun résultat" },
    ];
    const client = new ChorusClient(
      new ChorusTransport({
        apiUrl: 'https://api.example.test',
        oauthUrl: 'https://oauth.example.test/token',
        credentials: DEV_CREDENTIALS,
        timeoutMs: 1000,
        fetch: async (input) =>
          urlOf(input).endsWith('/token') ? Response.json({ access_token: 't', expires_in: 3600 }) : Response.json(answers.shift()),
      }),
    );

    await expect(client.rechercherStructure('12345678200051')).resolves.toBeNull();
    await expect(client.rechercherStructure('12345678200051')).resolves.toMatchObject({ idStructureCPP: 4 });
    await expect(client.rechercherStructure('12345678200051')).resolves.toMatchObject({ idStructureCPP: 5 });
    await expect(client.rechercherStructure('12345678200051')).resolves.toMatchObject({ idStructureCPP: 8 });
    await expect(client.rechercherStructure('12345678200051')).resolves.toMatchObject({ idStructureCPP: 9 });
    await expect(client.rechercherStructure('12345678200051')).resolves.toBeNull();
  });

  test.each([
    ['noRequirement', buyers.noRequirement.siret, 'none'],
    ['engagementRequired', buyers.engagementRequired.siret, 'engagement'],
    ['serviceRequired', buyers.serviceRequired.siret, 'service'],
    ['serviceAndEngagement', buyers.serviceAndEngagement.siret, 'service_and_engagement'],
    ['serviceOrEngagement', buyers.serviceOrEngagement.siret, 'service_or_engagement'],
  ])('When the %s buyer (%s) is consulted, then its requirement is %s', async (_name, siret, requirement) => {
    const { client } = makeClient(running);
    const found = await client.rechercherStructure(siret);

    const detail = await client.consulterStructure(found?.idStructureCPP ?? -1);

    expect(detail.requirement).toBe(requirement);
    expect(detail.informationGenerales).toMatchObject({ identifiantStructure: siret, structurePriveePublique: 'PUBLIQUE' });
  });

  test('When flags combine, then the OCA order decides the requirement', () => {
    const flags = (service: boolean, ej: boolean, either: boolean) => ({
      codeServiceDoitEtreRenseigne: service,
      numeroEJDoitEtreRenseigne: ej,
      gestionNumeroEJOuCodeService: either,
    });
    expect(deriveRequirement(flags(true, true, true))).toBe('service_or_engagement');
    expect(deriveRequirement(flags(true, true, false))).toBe('service_and_engagement');
    expect(deriveRequirement(flags(true, false, false))).toBe('service');
    expect(deriveRequirement(flags(false, true, false))).toBe('engagement');
    expect(deriveRequirement(flags(false, false, false))).toBe('none');
  });

  test('When an unknown structure id is consulted, then ChorusBusinessError is raised', async () => {
    const { client } = makeClient(running);

    await expect(client.consulterStructure(999)).rejects.toBeInstanceOf(ChorusBusinessError);
  });

  test('When services are listed, then inactive ones and FACTURES_PUBLIQUES are dropped', async () => {
    const { client } = makeClient(running);
    const found = await client.rechercherStructure(buyers.serviceRequired.siret);

    const services = await client.rechercherServicesStructure(found?.idStructureCPP ?? -1);

    expect(services.map((s) => s.codeService).sort()).toEqual(['SERVICE_AVEC_EJ', 'SERVICE_DEST_SERV_OBL']);
    expect(services.every((s) => s.estActif)).toBe(true);
  });

  test('When a structure has more services than a page holds, then every page is read', async () => {
    const services = Array.from({ length: 23 }, (_, i) => ({ codeService: `SVC_${String(i).padStart(2, '0')}`, libelle: `Service ${i}`, actif: i !== 7 }));
    const put = await control<{ idStructureCPP: number }>(running, 'PUT', '/structures/21750001600019', {
      designation: 'CONSEIL DEPARTEMENTAL (23 services)',
      type: 'PUBLIC',
      codeServiceDoitEtreRenseigne: true,
      services,
    });
    expect(put.status).toBe(201);
    const { client } = makeClient(running, { pageSize: 10 });

    const listed = await client.rechercherServicesStructure(put.body.idStructureCPP);

    expect(listed).toHaveLength(22);
    expect(listed.map((s) => s.codeService)).not.toContain('SVC_07');
    expect(running.state.stats()['POST /cpro/structures/v1/rechercher/services']).toBe(3);
  });

  test('When a service is consulted, then its commitment flag is read', async () => {
    const { client } = makeClient(running);
    const found = await client.rechercherStructure(buyers.serviceRequired.siret);
    const id = found?.idStructureCPP ?? -1;
    const [withEj] = (await client.rechercherServicesStructure(id)).filter((s) => s.codeService === 'SERVICE_AVEC_EJ');

    const service = await client.consulterService(id, withEj?.idService ?? -1);

    expect(service.informationsGenerales.codeService).toBe('SERVICE_AVEC_EJ');
    expect(service.parametres.numeroEngagement).toBe(true);
    await expect(client.consulterService(id, 1)).rejects.toMatchObject({ name: 'ChorusBusinessError', httpStatus: 400 });
  });

  test('When a buyer is described, then the four calls combine into requirement and usable services', async () => {
    const { client } = makeClient(running);

    const described = await client.describeBuyer(buyers.serviceRequired.siret);

    expect(described).toEqual({
      kind: 'known',
      siret: buyers.serviceRequired.siret,
      idStructureCPP: expect.any(Number),
      designation: buyers.serviceRequired.designation,
      requirement: 'service',
      services: [
        { idService: expect.any(Number), codeService: 'SERVICE_DEST_SERV_OBL', libelleService: 'Restauration scolaire', engagementRequired: false },
        { idService: expect.any(Number), codeService: 'SERVICE_AVEC_EJ', libelleService: 'Achats (engagement obligatoire)', engagementRequired: true },
      ],
    });
    const stats = running.state.stats();
    expect(stats['POST /cpro/structures/v1/rechercher']).toBe(1);
    expect(stats['POST /cpro/structures/v1/consulter']).toBe(1);
    expect(stats['POST /cpro/structures/v1/rechercher/services']).toBe(1);
    expect(stats['POST /cpro/structures/v1/consulter/service']).toBe(2);
  });

  test('When an unknown SIRET is described, then kind is unknown and nothing else is called', async () => {
    const { client } = makeClient(running);

    await expect(client.describeBuyer('11111111111111')).resolves.toEqual({ kind: 'unknown', siret: '11111111111111' });
    expect(running.state.stats()['POST /cpro/structures/v1/consulter']).toBeUndefined();
  });

  test('When a supplier SIRET is searched, then it is found as a private structure', async () => {
    const { client } = makeClient(running);
    const found = await client.rechercherStructure(suppliers.primary.siret);

    const detail = await client.consulterStructure(found?.idStructureCPP ?? -1);

    expect(detail.informationGenerales.structurePriveePublique).toBe('PRIVEE');
    expect(detail.requirement).toBe('none');
  });
});
