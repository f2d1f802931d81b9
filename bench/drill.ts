/**
 * `npm run drill [-- options]`: fault drills. While a load runs through the API, at random moments: kill -9
 * the worker (and restart it), restart the Temporal dev server, kill -9 the API (and restart it), restart
 * PostgreSQL (fast and immediate shutdown) and cut its connections, turn on the
 * Chorus sandbox's fault injection (5xx, latency, spurious 401, token refusals, then calls slower than
 * CHORUS_TIMEOUT) and make SMTP refuse mail for a while. Then, once every invoice has settled, check and print
 * the invariants; exit 1 when one breaks.
 *
 *   npm run drill
 *   npm run drill -- --invoices 200 --seed 42
 *   npm run drill -- --seeds 20          (seeds 1..20, each in its own process, then a table)
 *
 * A crash of the drill itself stops every process it started (each in its own process group) and removes its
 * temporary folder, then exits 1 with the reason.
 *   npm run drill -- --help
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { Command, InvalidArgumentError } from 'commander';
import { Client as PgClient, type Pool } from 'pg';
import { chorusClientFromConfig } from '../worker/chorus-client';
import { loadConfig } from '../config';
import { createMailer } from '../mail/mailer';
import { runMain } from '../lib/main';
import { MAIL_CLAIM_MS } from '../activities/mail';
import { checkInvariants, type InvariantResult } from './lib/invariants';
import type { InvoiceRun } from './lib/load';
import { finalRows, type FinalRow } from './lib/monitor';
import { addLoadOptions, int, timingEnv, type LoadOptions } from './lib/options';
import { runLoad } from './lib/run';
import { mixText, PATHS, rng } from './lib/scenario';
import { callsIn } from '../chorus-sandbox/cpro-routes';
import type { ManagedProcess } from './lib/proc';
import { Stack, stopOnSignal } from './lib/stack';
import { table } from './lib/stats';

interface DrillOptions extends LoadOptions {
  workerKills: number;
  documentsKills: number;
  apiKills: number;
  temporalRestarts: number;
  pgRestarts: number;
  pgCuts: number;
  faultWindow: number;
  sabotage: boolean;
  seeds?: number[];
}

function parseArgs(): DrillOptions {
  const program = new Command('npm run drill --')
    .description('Fault drills on the invoicing stack under load, then invariant checks (see docs/performance.md).')
    .showHelpAfterError('(npm run drill -- --help for the options)')
    .allowExcessArguments(false);
  addLoadOptions(program, { invoices: 120, concurrency: 8, rate: 1, timeout: '5m', mix: 'chorus=70,email=10,private=10,processed=10' })
    .option('--worker-kills <count>', 'kill -9 of the worker', int(0, 50), 3)
    .option('--documents-kills <count>', 'kill -9 of the documents worker (when it runs apart; 0 keeps every seed\'s fault schedule as it was)', int(0, 50), 0)
    .option('--api-kills <count>', 'kill -9 of the API', int(0, 20), 1)
    .option('--temporal-restarts <count>', 'restarts of the Temporal dev server', int(0, 10), 1)
    .option('--pg-restarts <count>', 'PostgreSQL restarts, alternately fast (SIGINT) and immediate (SIGQUIT: crash recovery)', int(0, 10), 2)
    .option('--pg-cuts <count>', 'every PostgreSQL connection of the stack cut by the server (pg_terminate_backend)', int(0, 10), 1)
    .option('--fault-window <duration>', 'how long the Chorus and SMTP faults last', (v) => {
      const ms = /^(\d+)(ms|s)?$/.exec(v);
      if (!ms) throw new Error('expected e.g. 20s');
      return Number(ms[1]) * (ms[2] === 'ms' ? 1 : 1000);
    }, 20_000);
  program.option('--sabotage', 'self-check of the drill: break each invariant on purpose after the load (it must then FAIL)', false);
  program.option('--seeds <N|list>', 'run the drill once per seed, each in its own process: seeds 1..N, or a list such as 3,11,23; then a table of the results', seedList);
  program.parse(process.argv);
  return program.opts<DrillOptions>();
}

function seedList(value: string): number[] {
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1 || n > 1000) throw new InvalidArgumentError('expected a count between 1 and 1000, or a list such as 3,11,23.');
    return Array.from({ length: n }, (_, i) => i + 1);
  }
  if (!/^\d+(,\d+)*$/.test(value)) throw new InvalidArgumentError('expected a count (e.g. 20) or a list of seeds (e.g. 3,11,23).');
  return value.split(',').map(Number);
}

interface Fault {
  at: number;
  name: string;
  run: () => Promise<string>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const o = parseArgs();
  if (o.seeds) return runSeeds(o.seeds, o.out);
  const startedAt = new Date();
  const t0 = Date.now();
  const clock = () => `t+${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s`;
  const log = (m: string) => process.stdout.write(`[drill ${clock()}] ${m}\n`);
  const random = rng(o.seed ^ 0x5eed);
  log(`${o.invoices} invoices at ${o.rate ?? '∞'}/s, concurrency ${o.concurrency}, mix ${mixText(o.mix)}, seed ${o.seed}`);

  const env = timingEnv(o);
  const stack = await Stack.start({ env, logLevel: o.logLevel, keep: o.keep, log, workers: o.workers, documentsProcess: o.documentsProcess, cpuProfileDir: o.cpuProf, temporal: o.temporal, apis: o.apis });
  const detachSignals = stopOnSignal(stack, 'drill');

  // A supervisor, as systemd or Kubernetes would be: a process that dies on its own is started again.
  const supervised = [...stack.workerProcesses, ...stack.apis];
  let supervising = true;
  const restarting = new Set<string>();
  for (const p of supervised) {
    p.onUnexpectedExit = (code, signal) => {
      log(`${p.options.name} exited on its own (code ${code ?? 'null'}, signal ${signal ?? 'null'}): restarting it`);
      if (!supervising || restarting.has(p.options.name)) return;
      restarting.add(p.options.name);
      void sleep(1000)
        .then(() => startUntilUp(p))
        .catch((error: unknown) => log(`${p.options.name} restart failed: ${String(error)}`))
        .finally(() => restarting.delete(p.options.name));
    };
  }

  // As systemd's Restart=always would: a start that fails (Temporal or PostgreSQL restarting at that moment) is
  // tried again, for a minute.
  const startUntilUp = async (p: ManagedProcess) => {
    const deadline = Date.now() + 60_000;
    for (let attempt = 1; ; attempt++) {
      try {
        await p.start();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        log(`${p.options.name} start #${attempt} failed (${error instanceof Error ? error.message.split('\n')[0] : String(error)}): trying again in 1 s`);
        await sleep(1000);
      }
    }
  };
  const loadSpanMs = o.rate ? (o.invoices / o.rate) * 1000 : 60_000;
  const window = o.faultWindow;
  const chorusFaults = { errorRate5xx: 0.3, latencyMs: 300, spurious401Rate: 0.2, invalidClientRate: 0.3 };
  const noFaults = { errorRate5xx: 0, latencyMs: 0, spurious401Rate: 0, invalidClientRate: 0 };
  // One kill/restart of a process at a time: a second kill waits until the first restart is done.
  const locks = new Map<string, Promise<unknown>>();
  const restart = async (p: ManagedProcess, downMs: number): Promise<string> => {
    const previous = locks.get(p.options.name) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => killAndStart(p, downMs));
    locks.set(p.options.name, mine);
    return mine;
  };
  /** When each kill -9 happened: the invariants tell a resend across a worker's death from a bug. */
  const killedAt: { name: string; at: number }[] = [];
  const killAndStart = async (p: ManagedProcess, downMs: number) => {
    while (restarting.has(p.options.name)) await sleep(200); // the supervisor is restarting it
    restarting.add(p.options.name);
    try {
      const pid = p.pid;
      killedAt.push({ name: p.options.name, at: Date.now() });
      await p.kill9();
      await sleep(downMs);
      const t = Date.now();
      await startUntilUp(p);
      return `pid ${pid} killed, down ${(downMs / 1000).toFixed(1)} s, new pid ${p.pid} ready in ${((Date.now() - t) / 1000).toFixed(1)} s`;
    } finally {
      restarting.delete(p.options.name);
    }
  };
  const plan: Omit<Fault, 'at'>[] = [];
  let pgRestarts = 0;
  const databaseFaults: number[] = [];
  for (let i = 0; i < o.workerKills; i++) {
    const target = stack.workers[Math.floor(random() * stack.workers.length)]!;
    plan.push({ name: `kill -9 ${target.options.name}`, run: () => restart(target, 500 + random() * 3000) });
  }
  const documents = stack.documents;
  for (let i = 0; documents && i < o.documentsKills; i++) {
    plan.push({ name: `kill -9 ${documents.options.name}`, run: () => restart(documents, 500 + random() * 3000) });
  }
  for (let i = 0; i < o.apiKills; i++) {
    // Drawn only with several APIs: one API keeps the fault schedule of every seed as it was.
    const target = stack.apis.length > 1 ? stack.apis[Math.floor(random() * stack.apis.length)]! : stack.api;
    plan.push({ name: `kill -9 ${target.options.name === 'api' ? 'API' : target.options.name}`, run: () => restart(target, 1000) });
  }
  for (let i = 0; i < o.temporalRestarts; i++) {
    plan.push({
      name: o.temporal === 'server' ? 'restart Temporal server' : 'restart Temporal dev server',
      run: async () => {
        const t = Date.now();
        await stack.temporal.restart();
        return `back in ${((Date.now() - t) / 1000).toFixed(1)} s`;
      },
    });
  }
  for (let i = 0; i < o.pgRestarts; i++) {
    const mode = i % 2 === 0 ? 'fast' : 'immediate';
    const downMs = 1000 + Math.floor(random() * 3000);
    plan.push({
      name: `restart PostgreSQL (${mode} shutdown)`,
      run: async () => {
        const t = Date.now();
        databaseFaults.push(t);
        await stack.pg!.restart(mode, downMs);
        pgRestarts += 1;
        return `down ${(downMs / 1000).toFixed(1)} s, back in ${((Date.now() - t) / 1000).toFixed(1)} s`;
      },
    });
  }
  for (let i = 0; i < o.pgCuts; i++) {
    plan.push({
      name: 'cut every PostgreSQL connection (pg_terminate_backend)',
      run: async () => {
        databaseFaults.push(Date.now());
        return `${await cutConnections(stack)} connections cut`;
      },
    });
  }
  plan.push({
    name: 'Chorus faults (5xx 30%, +300 ms, spurious 401 20%, token refusals 30%)',
    run: async () => {
      await stack.sandboxControl('PUT', '/config', { faults: chorusFaults });
      await sleep(window);
      await stack.sandboxControl('PUT', '/config', { faults: noFaults });
      return `for ${window / 1000} s`;
    },
  });
  plan.push({
    name: `Chorus slower than CHORUS_TIMEOUT (+${o.chorusTimeout + 1000} ms: calls time out, deposits still land)`,
    run: async () => {
      await stack.sandboxControl('PUT', '/config', { faults: { ...noFaults, latencyMs: o.chorusTimeout + 1000 } });
      await sleep(Math.max(5000, window / 2));
      await stack.sandboxControl('PUT', '/config', { faults: noFaults });
      return `for ${Math.max(5000, window / 2) / 1000} s`;
    },
  });
  plan.push({
    name: 'SMTP refuses mail (451)',
    run: async () => {
      const before = stack.smtp.refused;
      stack.smtp.setRefusing(true);
      await sleep(window);
      stack.smtp.setRefusing(false);
      return `for ${window / 1000} s, ${stack.smtp.refused - before} mails refused`;
    },
  });
  // Each fault in its own slot of the load, at a random moment of the slot, in a random order.
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  const first = 8_000;
  const span = Math.max(plan.length * 4_000, loadSpanMs - first - 5_000);
  const slot = span / Math.max(1, plan.length);
  const faults: Fault[] = plan.map((f, i) => ({ ...f, at: first + i * slot + random() * slot * 0.6 }));

  const timeline: { at: string; fault: string; outcome: string }[] = [];
  let loadStart = 0;
  const runningFaults: Promise<void>[] = [];
  const fire = (f: Fault) => {
    const entry = { at: clock(), fault: f.name, outcome: '(still running)' };
    timeline.push(entry);
    log(`FAULT ${f.name}…`);
    runningFaults.push(
      f.run().then(
        (outcome) => {
          entry.outcome = outcome;
          log(`FAULT ${f.name}: ${outcome}`);
        },
        (error: unknown) => {
          entry.outcome = `FAILED: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
          log(`FAULT ${f.name} failed: ${String(error)}`);
        },
      ),
    );
  };
  const timers: NodeJS.Timeout[] = [];
  const invariants: InvariantResult[] = [];
  try {
    const outcome = await runLoad(stack, o, {
      log,
      retry: true,
      bar: false,
      onTick: ({ settled, submitted }) => {
        if (loadStart === 0) {
          loadStart = Date.now();
          for (const f of faults) timers.push(setTimeout(() => fire(f), f.at));
          log(`load started; ${faults.length} faults scheduled at ${faults.map((f) => `${(f.at / 1000).toFixed(0)} s`).join(', ')} from now`);
        }
        if (Math.floor((Date.now() - loadStart) / 10_000) !== Math.floor((Date.now() - loadStart - 500) / 10_000)) {
          log(`${submitted}/${o.invoices} through the API, ${settled} settled`);
        }
      },
    });
    for (const t of timers) clearTimeout(t);
    // Faults scheduled after the load ended still run (their time came during the settle phase or never):
    // wait for the running ones, then make sure everything is healthy before judging.
    await Promise.all(runningFaults);
    supervising = false;
    await stack.sandboxControl('PUT', '/config', { faults: noFaults });
    stack.smtp.setRefusing(false);
    log(`load done: ${outcome.runs.length - outcome.runs.filter((r) => r.error).length} accepted by the API, ${outcome.settled} settled${outcome.timedOut ? ' (TIMED OUT waiting)' : ''}`);
    // Mails go out after the last status write (payment notice), and a mail whose worker was killed while sending
    // is taken over once its claim ends (MAIL_CLAIM_MS, activities/mail.ts): wait until none is being sent.
    const mailDeadline = Date.now() + MAIL_CLAIM_MS + 30_000;
    do {
      await sleep(3000);
    } while (Date.now() < mailDeadline && (await mailsBeingSent(stack.pool)) > 0);
    if (o.sabotage) log(`sabotage (self-check): ${(await sabotage(stack, outcome.rows, outcome.runs)).join('; ')}`);
    const sandbox = await stack.sandboxControl<Parameters<typeof checkInvariants>[0]['sandbox']>('GET', '/invoices');
    const rows = await finalRows(stack.pool, `BENCH-${outcome.prefix}-`);
    invariants.push(
      ...(await checkInvariants({
        runs: outcome.runs,
        rows,
        lastChorusStatus: o.chorusPath[o.chorusPath.length - 1]!,
        sandbox,
        mails: stack.smtp.received,
        workerKills: killedAt.filter((k) => k.name.startsWith('worker')).map((k) => k.at),
        databaseFaults,
        pool: stack.pool,
        client: stack.client,
      })),
    );

    // A fault is answered 503 (with Retry-After) or not at all (a killed API): a 500 is a bug of the API.
    const internal = [...outcome.book.statuses].flatMap(([route, m]) => (m.get('500') ? [`${route}: ${m.get('500')} × 500`] : []));
    // Each 500 with the API's own log line of that request (the error and its stack): diagnosable without --keep.
    const failedLines = apiFailureLines(stack);
    internal.push(
      ...outcome.book.internalErrors.map((e) => `${e.at} ${e.route} ${e.requestId ?? '(no request id)'}: ${(e.requestId && failedLines.get(e.requestId)) ?? JSON.stringify(e.body)}`),
    );
    const answered = [...outcome.book.statuses.values()].reduce((a, m) => a + [...m.values()].reduce((x, y) => x + y, 0), 0);
    invariants.push({ name: 'the API never answered 500 (a fault is a 503 with Retry-After)', ok: internal.length === 0, checked: answered, failures: internal });
    const unavailable = [...outcome.book.statuses.values()].reduce((a, m) => a + (m.get('503') ?? 0), 0);

    const lines: string[] = [];
    lines.push('');
    lines.push(table([['When', 'Fault', 'Outcome'], ...timeline.map((t) => [t.at, t.fault, t.outcome])]));
    lines.push('');
    const unexpected = supervised.flatMap((p) => p.unexpectedExits.map(() => p.options.name));
    lines.push(
      `Load: ${outcome.runs.length} invoices (${PATHS.filter((p) => o.mix[p] > 0).map((p) => `${p} ${outcome.runs.filter((r) => r.path === p).length}`).join(', ')}); ` +
        `API retries ${outcome.book.retries} (503 answers ${unavailable}); worker started ${stack.workers.map((w) => w.starts).join('+')}×, API ${stack.apis.map((a) => a.starts).join('+')}×, Temporal restarted ${stack.temporal.restarts}×, PostgreSQL restarted ${pgRestarts}×; ` +
        `exits nobody asked for: ${unexpected.length ? unexpected.join(', ') : 'none'}; mails accepted ${stack.smtp.received.length}, refused ${stack.smtp.refused}, SMTP connections reset ${stack.smtp.connectionErrors}; ` +
        `Chorus calls ${callsIn(outcome.chorusCallsAfter)}`,
    );
    lines.push('');
    lines.push(table([['Invariant', 'Checked', 'Result'], ...invariants.map((i) => [i.name, i.checked, i.ok ? 'PASS' : `FAIL (${i.failures.length})`])]));
    for (const i of invariants.filter((x) => !x.ok)) {
      lines.push('');
      lines.push(`${i.name}:`);
      for (const f of i.failures.slice(0, 15)) lines.push(`  - ${f}`);
      if (i.failures.length > 15) lines.push(`  … and ${i.failures.length - 15} more (see the JSON)`);
    }
    const ok = invariants.every((i) => i.ok);
    lines.push('');
    lines.push(ok ? 'DRILL PASSED: every invariant holds.' : 'DRILL FAILED: an invariant broke.');
    process.stdout.write(`${lines.join('\n')}\n`);

    const outDir = path.resolve(o.out);
    fs.mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `drill-${startedAt.toISOString().replace(/[:]/g, '').replace(/\..*$/, '').replace('T', '-')}.json`);
    const report = {
      kind: 'drill',
      startedAt: startedAt.toISOString(),
      command: `npm run drill -- ${process.argv.slice(2).join(' ')}`.trim(),
      options: o,
      env,
      timeline,
      processes: { workerStarts: stack.workers.map((w) => w.starts), apiStarts: stack.apis.map((a) => a.starts), temporalRestarts: stack.temporal.restarts, unexpectedExits: unexpected },
      apiRetries: outcome.book.retries,
      apiStatuses: Object.fromEntries([...outcome.book.statuses].map(([route, m]) => [route, Object.fromEntries(m)])),
      mails: { accepted: stack.smtp.received.length, refused: stack.smtp.refused, connectionErrors: stack.smtp.connectionErrors },
      chorusCalls: outcome.chorusCallsAfter,
      invariants,
      passed: ok,
    };
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    fs.copyFileSync(file, path.join(outDir, 'drill-latest.json'));
    process.stdout.write(`Results: ${file}\n`);
    return ok ? 0 : 1;
  } finally {
    for (const t of timers) clearTimeout(t);
    supervising = false;
    if (!detachSignals().interrupted) await stack.stop();
  }
}

/** The server ends every session of the stack's database but this one: what a failover or an operator does. */
async function cutConnections(stack: Stack): Promise<number> {
  // PostgreSQL may be restarting right now (another fault): wait for it, 30 s at most.
  for (let attempt = 0; ; attempt++) {
    try {
      return await cutConnectionsOnce(stack);
    } catch (error) {
      if (attempt >= 30) throw error;
      await sleep(1000);
    }
  }
}

async function cutConnectionsOnce(stack: Stack): Promise<number> {
  const client = new PgClient({ connectionString: stack.databaseUrl });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      `select count(pg_terminate_backend(pid)) as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/**
 * Breaks each invariant once, as a bug would, so that `--sabotage` proves the checks catch it: a second deposit
 * of an invoice number, a mail delivered twice, a history row deleted, an invoice left in the wrong state.
 */
async function sabotage(stack: Stack, rows: FinalRow[], runs: InvoiceRun[]): Promise<string[]> {
  const done: string[] = [];
  const chorusOrder = runs.find((r) => r.path === 'chorus' && !r.error)?.orderId;
  const target = rows.find((r) => r.orderId === chorusOrder);
  if (target) {
    const { rows: docs } = await stack.pool.query<{ pdf: Buffer; filename: string }>('select pdf, filename from invoice_document where invoice_id = $1', [target.invoiceId]);
    const chorus = chorusClientFromConfig(loadConfig({ ...stack.workerEnv, NODE_ENV: 'development' }));
    if (docs[0]) {
      await chorus.deposerFlux({ fichierFlux: Buffer.from(docs[0].pdf), nomFichier: docs[0].filename });
      done.push(`deposited ${target.number ?? '?'} a second time`);
    }
  }
  const mail = stack.smtp.received.find((m) => m.invoiceId);
  if (mail) {
    const mailer = createMailer(stack.smtp.url, 'drill <drill@agrilocal.local>');
    await mailer.send({ to: 'someone@example.test', subject: 'copy', text: 'copy', messageId: mail.messageId });
    mailer.close();
    done.push(`delivered ${mail.messageId} again`);
  }
  const victim = rows.find((r) => r.orderId !== chorusOrder);
  if (victim) {
    await stack.pool.query('delete from invoice_history where invoice_id = $1 and seq = 1', [victim.invoiceId]);
    done.push(`deleted history row 1 of ${victim.orderId}`);
  }
  const stuck = rows.find((r) => r.orderId !== chorusOrder && r.orderId !== victim?.orderId);
  if (stuck) {
    await stack.pool.query(`update invoice set status = 'A_TRAITER' where invoice_id = $1`, [stuck.invoiceId]);
    done.push(`set ${stuck.orderId} back to A_TRAITER`);
  }
  return done;
}

/** The argv of this run without `--seeds` (and its value), to hand to each seed's process. */
function argsWithoutSeeds(): string[] {
  const args = process.argv.slice(2);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--seeds') i += 1;
    else if (a.startsWith('--seeds=')) continue;
    else if (a === '--seed') i += 1;
    else if (a.startsWith('--seed=')) continue;
    else if (a === '--out') i += 1;
    else if (a.startsWith('--out=')) continue;
    else out.push(a);
  }
  return out;
}

interface SeedResult {
  seed: number;
  outcome: 'PASS' | 'FAIL' | 'CRASH';
  seconds: number;
  broken: string;
  log: string;
}

/**
 * `--seeds`: one drill per seed, each in its own process (a crash of one is reported and the loop goes on), its
 * output in `<out>/seeds/seed-<n>.log` and its JSON in `<out>/seeds/seed-<n>/`; then the table. Exit 1 if any failed.
 */
async function runSeeds(seeds: number[], out: string): Promise<number> {
  const base = argsWithoutSeeds();
  const dir = path.resolve(out, 'seeds');
  fs.mkdirSync(dir, { recursive: true });
  const results: SeedResult[] = [];
  let interrupted = false;
  const onSignal = () => {
    interrupted = true; // the child got the same Ctrl-C and stops its own stack
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const seed of seeds) {
      if (interrupted) break;
      const seedOut = path.join(dir, `seed-${seed}`);
      const logFile = path.join(dir, `seed-${seed}.log`);
      fs.rmSync(seedOut, { recursive: true, force: true });
      const t = Date.now();
      process.stdout.write(`[drill --seeds] seed ${seed}: running (log ${logFile})…\n`);
      const fd = fs.openSync(logFile, 'w');
      const code = await new Promise<number>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'drill.ts'), ...base, '--seed', String(seed), '--out', seedOut], {
          stdio: ['ignore', fd, fd],
        });
        child.once('error', () => resolve(1));
        child.once('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
      });
      fs.closeSync(fd);
      results.push(seedResult(seed, code, (Date.now() - t) / 1000, logFile, path.join(seedOut, 'drill-latest.json')));
      const r = results[results.length - 1]!;
      process.stdout.write(`[drill --seeds] seed ${seed}: ${r.outcome} in ${r.seconds.toFixed(0)} s${r.broken ? ` — ${r.broken}` : ''}\n`);
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const passed = results.filter((r) => r.outcome === 'PASS').length;
  process.stdout.write(
    `\n${table([['Seed', 'Result', 'Time', 'Broken invariant / reason'], ...results.map((r) => [String(r.seed), r.outcome, `${r.seconds.toFixed(0)} s`, r.broken || '-'])])}\n\n` +
      `${passed}/${results.length} seeds passed${interrupted ? ' (interrupted)' : ''}. Logs and JSON in ${dir}\n`,
  );
  return passed === results.length && !interrupted ? 0 : 1;
}

function seedResult(seed: number, code: number, seconds: number, log: string, reportFile: string): SeedResult {
  let report: { passed: boolean; invariants: InvariantResult[] } | undefined;
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as typeof report;
  } catch {
    report = undefined;
  }
  if (report && code <= 1) {
    const broken = report.invariants.filter((i) => !i.ok).map((i) => `${i.name}: ${i.failures[0] ?? ''}${i.failures.length > 1 ? ` (+${i.failures.length - 1})` : ''}`);
    return { seed, outcome: report.passed && code === 0 ? 'PASS' : 'FAIL', seconds, broken: broken.join('; '), log };
  }
  // No report: the drill died. Its last error line says why.
  const lines = fs.readFileSync(log, 'utf8').split('\n').filter((l) => l.trim());
  const reason = [...lines].reverse().find((l) => /crash|error|fail/i.test(l)) ?? lines[lines.length - 1] ?? '';
  return { seed, outcome: 'CRASH', seconds, broken: `exit ${code}: ${reason.trim().slice(0, 160)}`, log };
}

runMain(main);

/** Mails claimed by an attempt or accepted by SMTP and not yet recorded SENT (a killed worker's included). */
async function mailsBeingSent(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from sent_mail where state <> 'SENT'`);
  return rows[0]?.n ?? 0;
}

/** The APIs' "request failed" log lines (pino JSON with the error and its stack) by request id, each log read once. */
function apiFailureLines(stack: Stack): Map<string, string> {
  const lines = new Map<string, string>();
  for (const api of stack.apis) {
    let text: string;
    try {
      text = fs.readFileSync(api.options.logFile, 'utf8');
    } catch {
      continue; // no log file (yet): the bodies are reported instead
    }
    for (const line of text.split('\n')) {
      if (!/request failed/.test(line)) continue;
      const id = /"req":\{"id":"([^"]+)"/.exec(line)?.[1];
      // Cut to keep the report readable.
      if (id && !lines.has(id)) lines.set(id, line.slice(0, 3000));
    }
  }
  return lines;
}
