/**
 * The contract is the server: schemathesis (pinned, provisioned by `npm test` in the tools cache) reads
 * /openapi.json from a real stack (API, worker, Chorus sandbox, SMTP sink) and sends what the document allows and
 * what it forbids, with every check it has (`--checks all`) and its stateful phase (the document's links, from
 * POST /orders to the invoice routes). Any finding fails the test, with schemathesis' report.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { schemathesisBinary, schemathesisReady, schemathesisVersion } from '../../scripts/lib/schemathesis';
import { startTestStack, type TestStack } from '../support/stack';

/** Fixed: the same requests on every run (a finding is reproduced by running the test again). */
const SEED = 20260316;
const MAX_EXAMPLES = 15;
const ROOT = path.resolve(__dirname, '..', '..');
/** The hooks (formats siret, iban, vat-number) and the check settings, also read when schemathesis is run by hand. */
const CONFIG_FILE = path.join(ROOT, 'schemathesis.toml');
/** Kill schemathesis if it runs longer than this; jest's own deadline is a little longer. */
const RUN_DEADLINE_MS = 240_000;

/** The arguments of `schemathesis run` (docs/api.md gives the same command to run by hand). */
export function schemathesisArgs(base: string, platformKey: string, reportDir: string): string[] {
  return [
    '--config-file',
    CONFIG_FILE,
    'run',
    `${base}/openapi.json`,
    '--checks',
    'all',
    '--phases',
    'examples,coverage,fuzzing,stateful',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--seed',
    String(SEED),
    '--generation-database',
    'none',
    // One worker: CPython 3.11 can fail an ast.parse made by hypothesis from several threads (gh-106905).
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--header',
    `Authorization: Bearer ${platformKey}`,
    '--no-color',
    '--report',
    'junit',
    '--report-dir',
    reportDir,
  ];
}

let stack: TestStack;
let server: Server;
let base: string;

beforeAll(async () => {
  stack = await startTestStack();
  // Schemathesis sends thousands of requests a minute: the rate limiter has its own test.
  const app = createApp({ config: stack.config, orm: stack.db.orm, temporalClient: stack.client, options: { rateLimit: false } });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await stack?.teardown();
});

it(
  'When schemathesis runs every check and the stateful phase against the served document, then it finds nothing',
  async () => {
    if (!schemathesisReady()) throw new Error(`schemathesis ${schemathesisVersion()} is not installed: run this test with \`npm test -- test/api/contract.test.ts\`, which installs it.`);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'schemathesis-'));
    const started = Date.now();
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      // Asynchronous: the API answering schemathesis runs in this process.
      const child = spawn(schemathesisBinary(), schemathesisArgs(base, stack.config.AGRILOCAL_API_KEY, path.join(work, 'report')), {
        // The configuration names its hooks file relative to the repository.
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', COLUMNS: '160' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), RUN_DEADLINE_MS);
      child.on('error', reject);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve({ code: exitCode, output: text });
      });
    });
    fs.rmSync(work, { recursive: true, force: true });
    const seconds = ((Date.now() - started) / 1000).toFixed(0);
    if (code !== 0) throw new Error(`schemathesis exited with ${code ?? 'a kill (deadline)'} after ${seconds} s:\n${output}`);
    // Its whole report goes to a file, not to our output: its pytest-style closing line
    // ("== 3 warnings in 20 s ==") would be read by CI as a test runner that ran nothing.
    fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
    fs.writeFileSync(path.join(ROOT, 'test-output', 'schemathesis.txt'), output);
    const cases = /Test cases:\s*\n\s*(.+)/.exec(output)?.[1]?.trim() ?? 'see the report';
    process.stdout.write(`schemathesis: no finding in ${seconds} s (test cases: ${cases.replace(/,/g, ';')}); report in test-output/schemathesis.txt\n`);
    expect(output).toMatch(/No issues found|passed/i);
  },
  RUN_DEADLINE_MS + 30_000,
);
