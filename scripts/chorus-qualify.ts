/**
 * `npm run chorus:qualify`: runs the Chorus fidelity audit's checklist against the host the six CHORUS_*
 * variables point at (a PISTE qualification account, or our sandbox) and prints, per item, what the host
 * answered and whether our client's assumption holds. Exit code 1 when one differs. docs/chorus.md says how to
 * run it in qualification and what to do with each answer.
 *
 *   npm run chorus:qualify -- --sandbox                     # against a sandbox started for the run
 *   npm run chorus:qualify -- --buyer <SIRET> --supplier <SIRET> [--buyer-without-services <SIRET>]
 *
 * Production hosts are refused unless --production is given: the run deposits a test invoice.
 */
import { Command, Option } from 'commander';
import type { ChorusClient } from '../chorus';
import { SANDBOX_SEEDS, startSandbox, type RunningSandbox } from '../chorus-sandbox';
import { loadConfig, type Config } from '../config';
import { parseDuration } from '../domain/duration';
import { renderFacturX } from '../documents';
import { chorusClientFromConfig } from '../worker/chorus-client';
import { UserFacingError, runMain } from '../lib/main';
import {
  Recorder,
  checkAccess,
  checkDeposit,
  checkFailingDeposit,
  checkNoServices,
  checkStructureSearch,
  checkUnknownInvoice,
  type CheckResult,
  type QualifyTargets,
} from './lib/qualify/checks';

interface Options {
  sandbox: boolean;
  production: boolean;
  buyer?: string;
  buyerWithoutServices?: string;
  supplier?: string;
  unattachedSupplier?: string;
  unknownSiret: string;
  serviceCode?: string;
  engagement?: string;
  deposit: boolean;
  invalidDeposit: boolean;
  wait: number;
  json: boolean;
}

const PRODUCTION_HOSTS = ['api.piste.gouv.fr', 'oauth.piste.gouv.fr'];

function parseOptions(argv: string[]): Options {
  const duration = (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined) throw new UserFacingError(`--wait: "${value}" is not a duration (e.g. 30s, 10m)`);
    return ms;
  };
  return new Command('chorus:qualify')
    .description("Checks our Chorus client's assumptions against the configured PISTE host")
    .option('--sandbox', 'start a sandbox for the run and point the client at it', false)
    .option('--production', 'allow a production host (the run deposits a test invoice)', false)
    .option('--buyer <siret>', 'a public buyer structure of the host (sandbox: a seeded buyer)')
    .option('--buyer-without-services <siret>', 'a public structure with no service (settles checklist item 2)')
    .option('--supplier <siret>', 'our supplier structure, seller of the test invoice (sandbox: a seeded supplier)')
    .option('--unattached-supplier <siret>', 'a supplier structure NOT attached to the technical account (item 5)')
    .option('--unknown-siret <siret>', 'a Luhn-valid SIRET nobody registered', '12345678200010')
    .option('--service-code <code>', "service code (BT-10) the buyer requires, if any")
    .option('--engagement <number>', 'engagement number (BT-13) the buyer requires, if any')
    .option('--no-deposit', 'read-only calls only')
    .option('--invalid-deposit', 'also deposit a file without Factur-X XML (item 6)', false)
    .addOption(new Option('--wait <duration>', 'longest wait for a flow to be processed').default(600_000, '10m').argParser(duration))
    .option('--json', 'print the results as JSON', false)
    .exitOverride((error) => {
      throw error.exitCode === 0 ? error : new UserFacingError(error.message);
    })
    .parse(argv, { from: 'user' })
    .opts<Options>();
}

function refuseProduction(config: Config, options: Options): void {
  const hosts = [config.CHORUS_API_URL, config.CHORUS_OAUTH_URL].map((u) => new URL(u).hostname);
  if (!options.production && hosts.some((h) => PRODUCTION_HOSTS.includes(h))) {
    throw new UserFacingError(
      `CHORUS_API_URL / CHORUS_OAUTH_URL point at the production host (${hosts.join(', ')}): this run deposits a test invoice. ` +
        'Use the qualification hosts (sandbox-api.piste.gouv.fr, sandbox-oauth.piste.gouv.fr), or add --production if you mean it.',
    );
  }
}

function targetsOf(options: Options): QualifyTargets {
  const seeds = options.sandbox ? SANDBOX_SEEDS : undefined;
  const buyerSiret = options.buyer ?? seeds?.buyers.noRequirement.siret;
  const supplierSiret = options.supplier ?? seeds?.suppliers.primary.siret;
  if (!buyerSiret || !supplierSiret) throw new UserFacingError('--buyer and --supplier are required (or --sandbox)');
  const buyerWithoutServicesSiret = options.buyerWithoutServices ?? seeds?.buyers.engagementRequired.siret;
  return { buyerSiret, supplierSiret, unknownSiret: options.unknownSiret, ...(buyerWithoutServicesSiret ? { buyerWithoutServicesSiret } : {}) };
}

/** A minimal, valid Factur-X invoice of 1 € from the supplier to the buyer, numbered so it is never reused. */
async function testInvoice(sellerSiret: string, t: QualifyTargets, options: Options): Promise<{ numeroFacture: string; file: Buffer }> {
  const now = new Date();
  const numeroFacture = `QUALIF-${now.toISOString().replace(/\D/g, '').slice(2, 14)}`;
  const today = now.toISOString().slice(0, 10);
  const address = { line1: '1 rue du Test', postalCode: '75001', city: 'Paris' };
  const rendered = await renderFacturX({
    number: numeroFacture,
    issueDate: today,
    deliveryDate: today,
    dueDate: today,
    paymentTermsDays: 0,
    orderId: numeroFacture,
    seller: { name: 'Fournisseur de qualification', siret: sellerSiret, email: 'qualification@agrilocal.invalid', address },
    buyer: { name: 'Acheteur de qualification', siret: t.buyerSiret, address, kind: 'PUBLIC' },
    lines: [{ lineId: 'L1', label: 'Test de qualification', unit: 'pièce', quantity: '1', unitPriceHT: '1.00', vatRate: '0' }],
    paymentMethod: { type: 'CHEQUE' },
    serviceCode: options.serviceCode ?? null,
    engagementCode: options.engagement ?? null,
  });
  return { numeroFacture, file: Buffer.from(rendered.pdf) };
}

interface RunContext {
  pollMs: number;
  advance?: (identifiantFactureCPP: number) => Promise<void>;
}

async function runChecks(client: ChorusClient, recorder: Recorder, t: QualifyTargets, options: Options, context: RunContext): Promise<CheckResult[]> {
  const results = [await checkAccess(client)];
  if (results[0]?.verdict !== 'holds') return results;
  results.push(...(await checkStructureSearch(client, recorder, t)));
  results.push(await checkNoServices(client, recorder, t));
  results.push(await checkUnknownInvoice(client, recorder, t));
  if (!options.deposit) return results;
  const run = { waitMs: options.wait, ...context };
  results.push(...(await checkDeposit(client, recorder, t, { ...run, ...(await testInvoice(t.supplierSiret, t, options)) })));
  if (options.unattachedSupplier) {
    const invoice = await testInvoice(options.unattachedSupplier, t, options);
    results.push(await checkFailingDeposit(client, 'UNKNOWN-8', `deposit for unattached supplier ${options.unattachedSupplier}: refused or rejected`, { ...run, ...invoice }));
  }
  if (options.invalidDeposit) {
    const invalid = { numeroFacture: `QINV-${Date.now().toString(36)}`, file: Buffer.from('%PDF-1.4\n% no Factur-X XML\n%%EOF\n') };
    results.push(await checkFailingDeposit(client, 'UNKNOWN-7, CRITICAL-4', 'deposit of a file without Factur-X XML: ends as failed', { ...run, ...invalid }));
  }
  return results;
}

function print(results: CheckResult[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const mark = { holds: 'HOLDS    ', differs: 'DIFFERS  ', unsettled: 'UNSETTLED' } as const;
  for (const r of results) process.stdout.write(`${mark[r.verdict]} [${r.audit}] ${r.item}\n          host: ${r.answer}\n`);
  const count = (v: CheckResult['verdict']) => results.filter((r) => r.verdict === v).length;
  process.stdout.write(`\n${count('holds')} hold, ${count('differs')} differ, ${count('unsettled')} unsettled\n`);
}

/** Sandbox only: the buyer's side makes the invoice available, as a real buyer's portal would in time. */
function buyerMovesOn(sandbox: RunningSandbox): (identifiantFactureCPP: number) => Promise<void> {
  return async (identifiantFactureCPP) => {
    const res = await fetch(`${sandbox.url}/sandbox/v1/invoices/${identifiantFactureCPP}/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ statut: 'MISE_A_DISPOSITION' }),
    });
    if (!res.ok) throw new Error(`sandbox refused to move invoice ${identifiantFactureCPP}: HTTP ${res.status}`);
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  let sandbox: RunningSandbox | undefined;
  try {
    let env = process.env;
    if (options.sandbox) {
      sandbox = await startSandbox({ flowProcessingDelayMs: 200, log: () => undefined });
      env = { ...env, CHORUS_API_URL: sandbox.url, CHORUS_OAUTH_URL: sandbox.tokenUrl };
    }
    const config = loadConfig(env);
    refuseProduction(config, options);
    const recorder = new Recorder();
    const client = chorusClientFromConfig(config, { fetch: recorder.fetch });
    process.stdout.write(`Chorus qualification run against ${config.CHORUS_API_URL}\n\n`);
    const context: RunContext = sandbox ? { pollMs: 100, advance: buyerMovesOn(sandbox) } : { pollMs: 5000 };
    const results = await runChecks(client, recorder, targetsOf(options), options, context);
    print(results, options.json);
    return results.some((r) => r.verdict === 'differs') ? 1 : 0;
  } finally {
    await sandbox?.close();
  }
}

runMain(main);
