/**
 * The sandbox's state file (`stateFile`, CHORUS_SANDBOX_STATE_FILE): flows, invoices, attachments, counters and
 * configuration survive a restart; flows and autopilot walks in flight resume; a corrupt file is set aside and
 * the sandbox starts from the seeds. Each test uses its own temp directory.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import {
  parseSnapshot,
  SANDBOX_SEEDS,
  SandboxState,
  SNAPSHOT_VERSION,
  startSandbox,
  type RunningSandbox,
  type StartSandboxOptions,
} from '../../chorus-sandbox';
import { ciiXml, nextInvoiceNumber, type InvoiceFixture } from './facturx-fixture';
import { control, deposit, depositIntegrated, FAST_FLOW_MS, makeClient, moveTo, waitFor, waitForFinalFlow } from './harness';

const SUPPLIER = { siret: '90123456700013', designation: 'EARL DU MOULIN' };
const BUYER = { siret: '21330063500017', designation: 'MAIRIE DE TEST' };

interface ControlInvoice {
  identifiantFactureCPP: number;
  numeroFacture: string;
  numeroFluxDepot: string;
  statut: string;
  depositCount: number;
  histoStatut: { histoStatutCode: string; histoStatutDatePassage: string; histoStatutCommentaire: string }[];
  piecesJointes: { pieceJointeId: number; pieceJointeNom: string | null; taille: number | null }[];
}
interface ControlFlow {
  numeroFluxDepot: string;
  etatCourantDepotFlux: string;
  etats: { etat: string; le: string }[];
  identifiantFactureCPP: number | null;
  listeErreurDP: { libelleErreurDP: string }[];
}

let dir: string;
let stateFile: string;
const running: RunningSandbox[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-sandbox-state-'));
  stateFile = path.join(dir, 'chorus-sandbox.json');
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function open(options: StartSandboxOptions = {}): Promise<RunningSandbox> {
  const r = await startSandbox({ stateFile, stateSaveDelayMs: 20, flowProcessingDelayMs: FAST_FLOW_MS, ...options });
  running.push(r);
  return r;
}

async function close(r: RunningSandbox): Promise<void> {
  running.splice(running.indexOf(r), 1);
  await r.close();
}

async function registerParties(r: RunningSandbox): Promise<void> {
  const supplier = await control(r, 'PUT', `/structures/${SUPPLIER.siret}`, { designation: SUPPLIER.designation, type: 'SUPPLIER' });
  const buyer = await control(r, 'PUT', `/structures/${BUYER.siret}`, {
    designation: BUYER.designation,
    type: 'PUBLIC',
    services: [{ codeService: 'CANTINE', libelle: 'Cantine', actif: true }],
  });
  expect([supplier.status, buyer.status]).toEqual([201, 201]);
}

const fixture = (numeroFacture: string): InvoiceFixture => ({ numeroFacture, sellerSiret: SUPPLIER.siret, buyerSiret: BUYER.siret });

async function invoicesOf(r: RunningSandbox, numeroFacture: string): Promise<{ invoices: ControlInvoice[]; flows: ControlFlow[] }> {
  const answer = await control<{ invoices: ControlInvoice[]; flows: ControlFlow[] }>(
    r,
    'GET',
    `/invoices?numeroFacture=${encodeURIComponent(numeroFacture)}&siretFournisseur=${SUPPLIER.siret}`,
  );
  return answer.body;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Chorus sandbox state file', () => {
  test('When the sandbox restarts on its state file, then flows, invoices with history, attachments, counters and configuration are back and new ids continue', async () => {
    const first = await open();
    await registerParties(first);
    const t = makeClient(first);
    const numeroFacture = nextInvoiceNumber('P');
    const { numeroFluxDepot, identifiantFactureCPP } = await depositIntegrated(t.client, fixture(numeroFacture));
    // A second deposit of the same number is rejected as a duplicate: depositCount 2.
    const duplicate = await deposit(t.client, fixture(numeroFacture));
    expect((await waitForFinalFlow(t.client, duplicate.numeroFluxDepot)).etatCourantDepotFlux).toBe('IN_REJETE');
    // The buyer suspends it, the supplier uploads a document and completes it.
    await moveTo(first, identifiantFactureCPP, 'MISE_A_DISPOSITION', 'SUSPENDUE');
    const content = Buffer.from('%PDF-1.4 bon de livraison');
    const pieceJointeId = await t.client.ajouterFichier({
      pieceJointeFichier: content,
      pieceJointeNom: 'bl.pdf',
      pieceJointeTypeMime: 'application/pdf',
      pieceJointeExtension: 'PDF',
    });
    await t.client.completer({ identifiantFactureCPP, commentaire: 'BL joint', pieceJointeIds: [pieceJointeId] });
    const config = await control(first, 'PUT', '/config', { flowProcessingDelayMs: 45, faults: { latencyMs: 1 } });
    expect(config.status).toBe(200);

    const before = await invoicesOf(first, numeroFacture);
    const flowBefore = (await control<ControlFlow>(first, 'GET', `/flows/${numeroFluxDepot}`)).body;
    expect(before.invoices).toHaveLength(1);
    expect(before.invoices[0]).toMatchObject({ statut: 'COMPLETEE', depositCount: 2 });
    await close(first);

    const saved = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { version: number; [key: string]: unknown };
    expect(saved.version).toBe(SNAPSHOT_VERSION);
    expect(saved).not.toHaveProperty('tokens');
    expect(saved).not.toHaveProperty('stats');

    await sleep(50); // lets fetch's keep-alive pool see the closed sockets before the port serves again
    const second = await open({ port: first.port });
    expect(second.sandbox.persistence?.loaded).toMatchObject({ kind: 'loaded', invoices: 1, flows: 2 });
    // Invoice, history, deposit count, attachment metadata and content, flows with their states and errors.
    const after = await invoicesOf(second, numeroFacture);
    expect(after).toEqual(before);
    expect((await control<ControlFlow>(second, 'GET', `/flows/${numeroFluxDepot}`)).body).toEqual(flowBefore);
    expect(after.flows.find((f) => f.numeroFluxDepot === duplicate.numeroFluxDepot)?.listeErreurDP).toHaveLength(1);
    expect(second.state.attachment(pieceJointeId)?.contenu.equals(content)).toBe(true);
    expect((await control(second, 'GET', '/config')).body).toMatchObject({ flowProcessingDelayMs: 45, faults: { latencyMs: 1 } });
    expect(second.state.stats()).toEqual({});
    expect(second.state.structureBySiret(SUPPLIER.siret)?.designation).toBe(SUPPLIER.designation);
    expect(second.state.structureBySiret(BUYER.siret)?.services.get('CANTINE')?.actif).toBe(true);

    // The supplier's client still holds a token of the first run: it gets a new one and goes on.
    expect((await t.client.consulterHistorique(identifiantFactureCPP)).statutCourantCode).toBe('COMPLETEE');
    expect((await t.client.consulterCRDetaille(numeroFluxDepot)).etatCourantDepotFlux).toBe('IN_INTEGRE');
    // The invoice goes on with its lifecycle.
    await moveTo(second, identifiantFactureCPP, 'MANDATEE', 'MISE_EN_PAIEMENT');

    // New ids follow the old ones, none reused.
    const next = await depositIntegrated(t.client, fixture(nextInvoiceNumber('P')));
    expect(next.identifiantFactureCPP).toBe(identifiantFactureCPP + 1);
    const sequence = (numero: string) => Number(numero.slice(-16));
    expect(sequence(next.numeroFluxDepot)).toBe(sequence(duplicate.numeroFluxDepot) + 1);
    const nextPieceJointeId = await t.client.ajouterFichier({
      pieceJointeFichier: Buffer.from('autre'),
      pieceJointeNom: 'autre.pdf',
      pieceJointeTypeMime: 'application/pdf',
      pieceJointeExtension: 'PDF',
    });
    expect(nextPieceJointeId).toBe(pieceJointeId + 1);
    const histoIds = [...second.state.searchInvoices({})].flatMap((inv) => inv.histo.map((h) => h.histoStatutId));
    expect(new Set(histoIds).size).toBe(histoIds.length);
  });

  test('When a flow is still processing at close, then it completes after the restart', async () => {
    const first = await open({ flowProcessingDelayMs: 600 });
    await registerParties(first);
    const t = makeClient(first);
    const numeroFacture = nextInvoiceNumber('P');
    const { numeroFluxDepot } = await deposit(t.client, fixture(numeroFacture));
    expect(first.state.flow(numeroFluxDepot)?.etat).toBe('IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP');
    await close(first);

    const second = await open();
    expect(second.state.flow(numeroFluxDepot)?.etat).not.toBe('IN_INTEGRE');
    const cr = await waitForFinalFlow(makeClient(second).client, numeroFluxDepot);
    expect(cr.etatCourantDepotFlux).toBe('IN_INTEGRE');
    const flow = (await control<ControlFlow>(second, 'GET', `/flows/${numeroFluxDepot}`)).body;
    expect(flow.etats.map((e) => e.etat)).toEqual(['IN_DEPOT_PORTAIL_EN_ATTENTE_TRAITEMENT_SE_CPP', 'IN_EN_ATTENTE_TRAITEMENT_CPP', 'IN_EN_COURS_TRAITEMENT_CPP', 'IN_INTEGRE']);
    const { invoices } = await invoicesOf(second, numeroFacture);
    expect(invoices).toMatchObject([{ statut: 'DEPOSEE', numeroFluxDepot, depositCount: 1 }]);
  });

  test('When the processing delay of a flow ran out while the sandbox was stopped, then the flow is final as soon as it is loaded', async () => {
    const first = await open({ flowProcessingDelayMs: 150 });
    await registerParties(first);
    const numeroFacture = nextInvoiceNumber('P');
    const { numeroFluxDepot } = await deposit(makeClient(first).client, fixture(numeroFacture));
    await close(first);
    await sleep(200);

    const second = await open();
    expect(second.state.flow(numeroFluxDepot)?.etat).toBe('IN_INTEGRE');
    expect(second.state.searchInvoices({ numeroFluxDepot })).toHaveLength(1);
  });

  test('When an autopilot walk is under way at close, then it resumes after the restart', async () => {
    const first = await open({ autopilot: { path: ['MISE_A_DISPOSITION', 'MANDATEE', 'MISE_EN_PAIEMENT'], stepDelayMs: 150 } });
    await registerParties(first);
    const { identifiantFactureCPP } = await depositIntegrated(makeClient(first).client, fixture(nextInvoiceNumber('P')));
    await waitFor(() => (first.state.invoice(identifiantFactureCPP)?.statut === 'MISE_A_DISPOSITION' ? true : undefined), 'first autopilot step');
    await close(first);

    const second = await open();
    await waitFor(() => (second.state.invoice(identifiantFactureCPP)?.statut === 'MISE_EN_PAIEMENT' ? true : undefined), 'the walk to finish');
    const codes = second.state.invoice(identifiantFactureCPP)?.histo.map((h) => h.histoStatutCode);
    expect(codes).toEqual(['DEPOSEE', 'MISE_A_DISPOSITION', 'MANDATEE', 'MISE_EN_PAIEMENT']);
    expect(second.state.invoice(identifiantFactureCPP)?.autopilot).toBeUndefined();
  });

  test('When the sandbox is reset, then the file holds the seeds but ids of the next run still never repeat', async () => {
    const first = await open();
    await registerParties(first);
    const t = makeClient(first);
    const before = await depositIntegrated(t.client, fixture(nextInvoiceNumber('P')));
    first.state.reset();
    await close(first);

    const second = await open();
    expect(second.state.searchInvoices({})).toEqual([]);
    expect(second.state.structureBySiret(SUPPLIER.siret)).toBeUndefined();
    await registerParties(second);
    const after = await depositIntegrated(makeClient(second).client, fixture(nextInvoiceNumber('P')));
    expect(after.identifiantFactureCPP).toBeGreaterThan(before.identifiantFactureCPP);
    expect(after.numeroFluxDepot > before.numeroFluxDepot).toBe(true);
  });

  test('When the state changes, then the file is written after the debounce delay without waiting for close', async () => {
    const r = await open({ stateSaveDelayMs: 30 });
    expect(fs.existsSync(stateFile)).toBe(false);
    await registerParties(r);
    const text = await waitFor(() => (fs.existsSync(stateFile) ? fs.readFileSync(stateFile, 'utf8') : undefined), 'the state file');
    expect(text).toContain(SUPPLIER.siret);
    expect(fs.readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  test.each([
    ['not JSON', '{"version": 1, "counters": ', /not valid JSON/],
    ['another version', JSON.stringify({ version: 99 }), /version 99 is not supported/],
    ['a wrong shape', JSON.stringify({ version: SNAPSHOT_VERSION, counters: {} }), /unexpected content/],
  ])('When the state file is %s, then the sandbox starts from the seeds, says why on its log and keeps a .corrupt copy', async (_what, content, reason) => {
    fs.writeFileSync(stateFile, content);
    const lines: string[] = [];
    const r = await open({ log: (line) => lines.push(line) });

    expect(r.sandbox.persistence?.loaded.kind).toBe('corrupt');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(stateFile);
    expect(lines[0]).toMatch(reason);
    expect(lines[0]).toMatch(/starting from the seeded structures/);
    expect(lines[0]).not.toMatch(/\n\s+at /);
    expect(fs.readFileSync(`${stateFile}.corrupt`, 'utf8')).toBe(content);
    expect(r.state.listStructures().map((s) => s.siret)).toEqual(
      [...Object.values(SANDBOX_SEEDS.buyers), ...Object.values(SANDBOX_SEEDS.suppliers)].map((s) => s.siret),
    );
    // The next save replaces the bad file with a good one.
    await registerParties(r);
    await close(r);
    expect(JSON.parse(fs.readFileSync(stateFile, 'utf8'))).toMatchObject({ version: SNAPSHOT_VERSION });
  });

  test('When records change in every way the sandbox knows, then the cached JSON written to the file always equals a fresh snapshot', async () => {
    const state = new SandboxState({ flowProcessingDelayMs: 0, autopilot: { path: ['MISE_A_DISPOSITION', 'A_RECYCLER', 'MISE_A_DISPOSITION', 'SUSPENDUE', 'COMPLETEE'], stepDelayMs: 0 } });
    try {
      const check = () => {
        const cached = JSON.parse(state.snapshotJson()) as Record<string, unknown>;
        const fresh = JSON.parse(JSON.stringify(state.snapshot())) as Record<string, unknown>;
        expect({ ...cached, savedAt: '' }).toEqual({ ...fresh, savedAt: '' });
      };
      const depositXml = async (xml: string) => {
        const flow = await state.deposit({ fichierFlux: Buffer.from(xml).toString('base64'), nomFichier: 'f.xml', syntaxeFlux: 'IN_DP_E1_CII_16B' });
        check();
        await waitFor(() => (['IN_INTEGRE', 'IN_REJETE', 'IN_INCIDENTE'].includes(state.flow(flow.numeroFluxDepot)?.etat ?? '') ? true : undefined), 'flow end');
        return flow;
      };
      check();
      state.upsertStructure({ ...SUPPLIER, type: 'SUPPLIER' });
      state.upsertStructure({ ...BUYER, type: 'PUBLIC', services: [{ codeService: 'CANTINE', libelle: 'Cantine', actif: true }] });
      check();
      state.upsertStructure({ ...BUYER, designation: 'MAIRIE RENOMMEE', type: 'PUBLIC', services: [{ codeService: 'CANTINE', libelle: 'Cantine', actif: false }] });
      check();
      const numeroFacture = nextInvoiceNumber('C');
      const integrated = await depositXml(ciiXml(fixture(numeroFacture)));
      await depositXml(ciiXml(fixture(numeroFacture))); // duplicate: rejected
      await depositXml('<not-xml'); // incident
      check();
      const id = integrated.identifiantFactureCPP!;
      // The autopilot walks to A_RECYCLER and waits; recycler resumes it, it waits at SUSPENDUE; completer ends it.
      await waitFor(() => (state.invoice(id)?.statut === 'A_RECYCLER' ? true : undefined), 'A_RECYCLER');
      check();
      state.recycler({ identifiantFactureCPP: id, codeDestinataire: SANDBOX_SEEDS.buyers.noRequirement.siret, commentaire: 'corrige' });
      check();
      await waitFor(() => (state.invoice(id)?.statut === 'SUSPENDUE' ? true : undefined), 'SUSPENDUE');
      check();
      const attachment = state.addAttachment({ pieceJointeFichier: Buffer.from('BL').toString('base64'), pieceJointeNom: 'bl.pdf', pieceJointeTypeMime: 'application/pdf', pieceJointeExtension: 'PDF' });
      check();
      state.completer({ identifiantFactureCPP: id, pieceJointeIds: [attachment.pieceJointeId] });
      check();
      await waitFor(() => (state.invoice(id)?.autopilot === undefined ? true : undefined), 'the walk to end');
      check();
      state.moveStatus(id, 'MANDATEE');
      state.updateConfig({ flowProcessingDelayMs: 10, autopilot: null, faults: { errorRate5xx: 0.5 } });
      check();
      const snapshot = parseSnapshot(state.snapshotJson());
      state.reset();
      check();
      state.restore(snapshot);
      check();
      expect(state.invoice(id)?.statut).toBe('MANDATEE');
    } finally {
      state.close();
    }
  });

  test('When the autopilot has plans, then each new invoice takes the next plan, with its own delay before each step, kept in the snapshot', async () => {
    const state = new SandboxState({
      flowProcessingDelayMs: 0,
      autopilot: {
        path: ['MISE_A_DISPOSITION'],
        stepDelayMs: 0,
        plans: [
          { path: ['MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT'], stepDelaysMs: [0, 10] },
          { path: ['MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT'], stepDelaysMs: [0, 60_000] },
        ],
      },
    });
    try {
      state.upsertStructure({ ...SUPPLIER, type: 'SUPPLIER' });
      state.upsertStructure({ ...BUYER, type: 'PUBLIC' });
      const integrated = async () => {
        const flow = await state.deposit({ fichierFlux: Buffer.from(ciiXml(fixture(nextInvoiceNumber('P')))).toString('base64'), nomFichier: 'f.xml', syntaxeFlux: 'IN_DP_E1_CII_16B' });
        await waitFor(() => state.flow(flow.numeroFluxDepot)?.identifiantFactureCPP, 'integration');
        return state.flow(flow.numeroFluxDepot)!.identifiantFactureCPP!;
      };
      const fast = await integrated();
      const slow = await integrated();
      await waitFor(() => (state.invoice(fast)?.statut === 'MISE_EN_PAIEMENT' ? true : undefined), 'the fast plan paid');
      await waitFor(() => (state.invoice(slow)?.statut === 'MISE_A_DISPOSITION' ? true : undefined), 'the slow plan routed');
      expect(state.invoice(slow)?.autopilot).toMatchObject({ index: 1, stepDelaysMs: [0, 60_000] });
      const snapshot = parseSnapshot(state.snapshotJson());
      expect(snapshot.invoices.find((i) => i.identifiantFactureCPP === slow)?.autopilot).toMatchObject({ stepDelaysMs: [0, 60_000] });
      expect(snapshot.config.autopilot?.plans).toHaveLength(2);
    } finally {
      state.close();
    }
  });

  test('When no state file is given, then nothing is written and the sandbox stays in memory', async () => {
    const r = await startSandbox({ flowProcessingDelayMs: FAST_FLOW_MS });
    running.push(r);
    expect(r.sandbox.persistence).toBeUndefined();
    await registerParties(r);
    await close(r);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  test('When `npm run sandbox` gets CHORUS_SANDBOX_STATE_FILE, then SIGTERM saves the state and a corrupt file is reported on stderr without a stack trace', async () => {
    const run = async (onReady: (url: string) => Promise<void>): Promise<{ code: number | null; stdout: string; stderr: string }> => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'chorus-sandbox/main.ts'], {
        cwd: path.resolve(__dirname, '../..'),
        env: { ...process.env, CHORUS_SANDBOX_PORT: '0', CHORUS_SANDBOX_STATE_FILE: stateFile },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      const url = await new Promise<string>((resolve, reject) => {
        readline.createInterface({ input: child.stdout }).on('line', (line) => {
          stdout += `${line}\n`;
          const match = /listening on (\S+)/.exec(line);
          if (match?.[1]) resolve(match[1]);
        });
        void exited.then((code) => reject(new Error(`sandbox exited (${code}) before listening: ${stderr}`)));
      });
      await onReady(url);
      child.kill('SIGTERM');
      return { code: await exited, stdout, stderr };
    };

    const first = await run(async (url) => {
      const res = await fetch(`${url}/sandbox/v1/structures/${SUPPLIER.siret}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ designation: SUPPLIER.designation, type: 'SUPPLIER' }),
      });
      expect(res.status).toBe(201);
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`state kept in ${stateFile}: new file`);
    expect(fs.readFileSync(stateFile, 'utf8')).toContain(SUPPLIER.siret);

    const second = await run(async () => undefined);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/restored 0 invoices, 0 flows, 8 structures/);

    fs.writeFileSync(stateFile, '{oops');
    const third = await run(async () => undefined);
    expect(third.code).toBe(0);
    expect(third.stderr).toContain(`the state file ${stateFile} is unusable, not valid JSON`);
    expect(third.stderr).toContain(`${stateFile}.corrupt`);
    expect(third.stderr).not.toMatch(/\n\s+at /);
    expect(third.stdout).toContain('unusable file set aside');
  });
});
