/** Shared helpers of the Chorus contract tests: the real client against the sandbox on a real port. */
import {
  ChorusClient,
  ChorusTransport,
  type ChorusCallLog,
  type ChorusClientOptions,
  type ChorusTransportOptions,
  type ConsulterCRDetailleResponse,
} from '../../chorus';
import { startSandbox, type RunningSandbox } from '../../chorus-sandbox';
import { DEV_DEFAULTS } from '../../config';
import { isFlowFinal } from '../../domain/statuses';
import { facturxPdf, type InvoiceFixture, type PdfOptions } from './facturx-fixture';

export const DEV_CREDENTIALS = {
  clientId: DEV_DEFAULTS.CHORUS_CLIENT_ID,
  clientSecret: DEV_DEFAULTS.CHORUS_CLIENT_SECRET,
  techLogin: DEV_DEFAULTS.CHORUS_TECH_LOGIN,
  techPassword: DEV_DEFAULTS.CHORUS_TECH_PASSWORD,
};

/** Short flow processing so that a deposit reaches its final state in well under a second. */
export const FAST_FLOW_MS = 30;

export interface TestClient {
  client: ChorusClient;
  transport: ChorusTransport;
  logs: ChorusCallLog[];
}

export function makeClient(
  running: RunningSandbox,
  overrides: Partial<ChorusTransportOptions> & ChorusClientOptions = {},
): TestClient {
  const logs: ChorusCallLog[] = [];
  const { pageSize, serviceLookupConcurrency, ...transportOverrides } = overrides;
  const transport = new ChorusTransport({
    apiUrl: running.url,
    oauthUrl: running.tokenUrl,
    credentials: DEV_CREDENTIALS,
    timeoutMs: 2000,
    invalidClientRetryDelayMs: 10,
    logger: (entry) => logs.push(entry),
    ...transportOverrides,
  });
  return { client: new ChorusClient(transport, { pageSize, serviceLookupConcurrency }), transport, logs };
}

export interface ControlAnswer<T = unknown> {
  status: number;
  body: T;
}

/** Calls a `/sandbox/v1` control route. */
export async function control<T = unknown>(
  running: RunningSandbox,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
): Promise<ControlAnswer<T>> {
  const res = await fetch(`${running.url}/sandbox/v1${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  what: string,
  { timeoutMs = 5000, intervalMs = 10 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function waitForFinalFlow(client: ChorusClient, numeroFluxDepot: string): Promise<ConsulterCRDetailleResponse> {
  return waitFor(async () => {
    const cr = await client.consulterCRDetaille(numeroFluxDepot);
    return isFlowFinal(cr.etatCourantDepotFlux) ? cr : undefined;
  }, `flow ${numeroFluxDepot} to reach a final state`);
}

export async function deposit(
  client: ChorusClient,
  fixture: InvoiceFixture,
  pdfOptions?: PdfOptions,
): Promise<{ numeroFluxDepot: string; dateDepot: string | undefined }> {
  const file = await facturxPdf(fixture, pdfOptions);
  return client.deposerFlux({ fichierFlux: file, nomFichier: `${fixture.numeroFacture}.pdf` });
}

/** Deposits and waits for integration; fails the test with Chorus's reasons otherwise. */
export async function depositIntegrated(
  client: ChorusClient,
  fixture: InvoiceFixture,
): Promise<{ numeroFluxDepot: string; identifiantFactureCPP: number }> {
  const { numeroFluxDepot } = await deposit(client, fixture);
  const cr = await waitForFinalFlow(client, numeroFluxDepot);
  if (cr.etatCourantDepotFlux !== 'IN_INTEGRE') {
    throw new Error(`flow ${numeroFluxDepot} ended ${cr.etatCourantDepotFlux}: ${JSON.stringify(cr.listeErreurDP)} ${JSON.stringify(cr.listeErreurTechnique)}`);
  }
  const [invoice] = await client.rechercherFactureParFournisseur({ numeroFluxDepot });
  if (!invoice) throw new Error(`flow ${numeroFluxDepot} integrated without an invoice`);
  return { numeroFluxDepot, identifiantFactureCPP: invoice.identifiantFactureCPP };
}

/** Moves an invoice on the buyer's side through the control route; throws unless accepted. */
export async function moveTo(running: RunningSandbox, identifiantFactureCPP: number, ...statuses: string[]): Promise<void> {
  for (const statut of statuses) {
    const answer = await control(running, 'POST', `/invoices/${identifiantFactureCPP}/status`, { statut });
    if (answer.status !== 200) throw new Error(`move to ${statut} refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
}

export function tokenCalls(running: RunningSandbox): number {
  return running.state.stats()['POST /api/oauth/token'] ?? 0;
}

/** The URL of a fetch input, whatever its form. */
export function urlOf(input: string | URL | Request): string {
  if (typeof input === 'string') return input;
  return input instanceof URL ? input.href : input.url;
}

/** One sandbox for a test file: started before its tests, reset before each, closed after; read `.running`. */
export function sandboxForFile(options: Parameters<typeof startSandbox>[0] = { flowProcessingDelayMs: FAST_FLOW_MS }): { running: RunningSandbox } {
  const holder = {} as { running: RunningSandbox };
  beforeAll(async () => {
    holder.running = await startSandbox(options);
  });
  afterAll(async () => {
    await holder.running?.close();
  });
  beforeEach(() => {
    holder.running.state.reset();
  });
  return holder;
}
