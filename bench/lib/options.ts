/**
 * Command-line options shared by `npm run bench` and `npm run drill` (commander: a bad value is a one-line
 * message and exit code 1, never a stack trace).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../../domain/duration';
import { SANDBOX_INVOICE_STATUSES, autopilotPathError } from '../../chorus-sandbox/lifecycle';
import { parseMix, type InvoicePath } from './scenario';

export const int = (min: number, max: number) => (value: string) => {
  if (!/^\d+$/.test(value.replace(/[_ ]/g, ''))) throw new InvalidArgumentError(`expected a whole number between ${min} and ${max}.`);
  const n = Number(value.replace(/[_ ]/g, ''));
  if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number between ${min} and ${max}.`);
  return n;
};

export const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0.');
  return n;
};

export const duration = (value: string) => {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 500ms, 2s, 5m.');
  return ms;
};

export const mix = (value: string) => {
  try {
    return parseMix(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}.`);
  }
};

export const lifecyclePath = (value: string) => {
  const path = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = path.filter((s) => !(SANDBOX_INVOICE_STATUSES as readonly string[]).includes(s));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown Chorus status ${unknown.join(', ')} (known: ${SANDBOX_INVOICE_STATUSES.join(', ')}).`);
  const problem = autopilotPathError(path as (typeof SANDBOX_INVOICE_STATUSES)[number][]);
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  if (path[path.length - 1] !== 'MISE_EN_PAIEMENT') throw new InvalidArgumentError('the path must end at MISE_EN_PAIEMENT (payment: the end of the chorus path).');
  return path;
};

export interface LoadOptions {
  invoices: number;
  concurrency: number;
  mix: Record<InvoicePath, number>;
  rate?: number;
  producers: number;
  publicBuyers: number;
  privateBuyers: number;
  flowDelay: number;
  stepDelay: number;
  chorusPath: string[];
  flowPoll: number;
  lifecyclePoll: number;
  chorusRate: number;
  activityTimeout: number;
  chorusTimeout: number;
  failureBudget: number;
  timeout: number;
  logLevel: string;
  seed: number;
  keep: boolean;
  cpuProf?: string;
  out: string;
  workers: number;
  documentsProcess: boolean;
  apis: number;
  temporal: 'dev' | 'server';
}

export function addLoadOptions(program: Command, defaults: { invoices: number; concurrency: number; rate?: number; timeout: string; mix: string }): Command {
  return program
    .option('-n, --invoices <count>', 'number of invoices', int(1, 100_000), defaults.invoices)
    .option('-c, --concurrency <count>', 'virtual users walking invoices through the API at the same time', int(1, 1000), defaults.concurrency)
    .option('--mix <weights>', `paths and their weights: chorus (to payment), email, private, processed`, mix, parseMix(defaults.mix))
    .addOption(
      new Option('--rate <perSecond>', 'start at most this many invoices a second (default: as fast as the API answers)').argParser(positive).default(defaults.rate),
    )
    .option('--workers <count>', 'worker processes on the task queue', int(1, 16), 1)
    .option('--no-documents-process', 'run the Factur-X renderings inside each worker process (as npm start does) instead of a worker process of their own (as docker-compose.yml deploys them)')
    .option('--apis <count>', 'API processes, each on its own port; the virtual users go round-robin over them', int(1, 8), 1)
    .addOption(
      new Option('--temporal <kind>', 'dev: the CLI dev server on SQLite; server: the Temporal server on PostgreSQL (the production topology)')
        .choices(['dev', 'server'])
        .default('dev'),
    )
    .option('--producers <count>', 'producers (each a SUPPLIER on the sandbox)', int(1, 10_000), 20)
    .option('--public-buyers <count>', 'public buyers (each a PUBLIC structure on the sandbox)', int(1, 10_000), 10)
    .option('--private-buyers <count>', 'private buyers', int(1, 10_000), 5)
    .option('--flow-delay <duration>', "sandbox: deposit to the flow's final state", duration, 1000)
    .option('--step-delay <duration>', 'sandbox autopilot: time between two lifecycle statuses', duration, 1000)
    .option('--chorus-path <statuses>', 'sandbox autopilot path after DEPOSEE', lifecyclePath, ['MISE_A_DISPOSITION', 'MISE_EN_PAIEMENT'])
    .option('--flow-poll <duration>', 'FLOW_POLL_INTERVAL of the worker', duration, 1000)
    .option('--lifecycle-poll <duration>', 'LIFECYCLE_POLL_INTERVAL of the worker', duration, 1000)
    .option('--chorus-rate <calls/s>', 'CHORUS_MAX_CALLS_PER_SECOND (the compressed bench polls far more often than production)', int(1, 100_000), 1000)
    .option('--activity-timeout <duration>', 'ACTIVITY_TIMEOUT (also how soon the work of a killed worker is retried)', duration, 10_000)
    .option('--chorus-timeout <duration>', 'CHORUS_TIMEOUT (one Chorus call)', duration, 5_000)
    .option('--failure-budget <duration>', 'CHORUS_FAILURE_BUDGET (Chorus failing longer: the invoice goes by mail)', duration, 15 * 60_000)
    .option('--timeout <duration>', 'give up when no invoice has moved (submitted or settled) for this long', duration, parseDuration(defaults.timeout))
    .option('--log-level <level>', 'LOG_LEVEL of the worker and the API', 'warn')
    .option('--seed <number>', 'seed of the path order (and of the drill faults)', int(0, 2 ** 31), Math.floor(Math.random() * 1e9))
    .option('--cpu-prof <dir>', 'write V8 CPU profiles of the worker and the API into this folder (open them in Chrome DevTools)')
    .option('--keep', 'keep the temporary folder (logs, databases) after the run', false)
    .option('--out <dir>', 'where to write the JSON and HTML results', 'bench/results');
}

/** Worker and API environment for these options (both read the durations: the API puts them in workflow inputs). */
export function timingEnv(o: LoadOptions): Record<string, string> {
  return {
    FLOW_POLL_INTERVAL: `${o.flowPoll}ms`,
    // The compressed bench polls at one pace, as it did before the flow-report back-off.
    FLOW_POLL_MAX_INTERVAL: `${o.flowPoll}ms`,
    LIFECYCLE_POLL_INTERVAL: `${o.lifecyclePoll}ms`,
    PRODUCER_REMINDER_AFTER: '1d',
    CHORUS_FAILURE_BUDGET: `${o.failureBudget}ms`,
    LIFECYCLE_MAX_AGE: '1d',
    ACTIVITY_TIMEOUT: `${o.activityTimeout}ms`,
    CHORUS_TIMEOUT: `${o.chorusTimeout}ms`,
    CHORUS_MAX_CALLS_PER_SECOND: String(o.chorusRate),
  };
}
