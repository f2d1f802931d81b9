/**
 * `npm test`: the whole suite on real parts. Provisions the tools, type-checks and lints, then starts one
 * Temporal dev server and one PostgreSQL (embedded, or the server of DATABASE_URL) for the run, pre-bundles
 * the workflows, and runs jest with their addresses in the environment. Each test file makes its own database,
 * SMTP sink, Chorus sandbox and worker task queue (test/support/).
 *
 * Usage: npm test [-- [--no-static] [jest args, e.g. test/api]]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../db/embedded-postgres';
import { runMain, UserFacingError } from '../lib/main';
import { writeWorkflowBundle } from '../worker/bundle';
import { step, timed } from './lib/log';
import { freePort } from './lib/ports';
import { ensureTemporalCli, requireTemporalBinary } from './lib/temporal-cli';
import { startDevServer, type DevServer } from './lib/temporal-server';
import { provisionTestTools } from './lib/test-tools';

const root = path.resolve(__dirname, '..');
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

function run(log: (m: string) => void, what: string, command: string, args: string[], env?: NodeJS.ProcessEnv): number {
  const started = Date.now();
  log(`${what}...`);
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: env ?? process.env });
  log(`${what}: ${result.status === 0 ? 'ok' : `FAILED (exit ${result.status ?? result.signal})`} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result.status ?? 1;
}

async function main(): Promise<number> {
  const log = step('test');
  const started = Date.now();
  const argv = process.argv.slice(2);
  const noStatic = argv.includes('--no-static');
  const jestArgs = argv.filter((a) => a !== '--no-static');

  const binary = requireTemporalBinary(ensureTemporalCli(step('temporal-cli')));
  await provisionTestTools(step('tools'));

  if (!noStatic) {
    if (run(log, 'typecheck (tsc --noEmit)', bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']) !== 0) return 1;
    if (run(log, 'lint (eslint)', bin('eslint'), ['--max-warnings=0', '.']) !== 0) return 1;
  }

  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agrilocal-test-'));
  fs.chmodSync(work, 0o755);
  let pg: EmbeddedPostgresHandle | undefined;
  let temporal: DevServer | undefined;
  try {
    let pgUrl = process.env.DATABASE_URL;
    if (!pgUrl) {
      const port = await freePort();
      pg = await timed(log, 'embedded PostgreSQL', () =>
        startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), port, database: 'agrilocal_test', ephemeral: true }),
      );
      pgUrl = pg.url;
    }
    const temporalPort = await freePort();
    temporal = await timed(log, 'Temporal dev server (in memory)', () =>
      startDevServer({ binary, port: temporalPort, unsafeFastSqlite: true, logFile: path.join(work, 'temporal.log') }),
    );
    const bundle = await timed(log, 'workflow bundle', () => writeWorkflowBundle(path.join(work, 'workflow-bundle.js')));

    const report = path.join(work, 'jest-report.json');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: 'test',
      TEST_DATABASE_URL: pgUrl,
      TEST_TEMPORAL_ADDRESS: temporal.address,
      TEST_TEMPORAL_CLI: binary,
      TEST_WORKFLOW_BUNDLE: bundle,
      TEST_WORK_DIR: work,
    };
    const code = run(log, 'jest', process.execPath, [bin('jest'), '--json', `--outputFile=${report}`, ...jestArgs], env);
    if (fs.existsSync(report)) {
      const r = JSON.parse(fs.readFileSync(report, 'utf8')) as {
        numPassedTests: number;
        numFailedTests: number;
        numPendingTests: number;
        numFailedTestSuites: number;
      };
      log(`total time ${((Date.now() - started) / 1000).toFixed(0)} s`);
      if (r.numFailedTestSuites > 0) log(`${r.numFailedTestSuites} test file(s) failed (including failures outside tests, e.g. in afterAll)`);
      // A suite that failed outside its tests counts as a failure in the closing line too.
      const failed = r.numFailedTests + (r.numFailedTests === 0 ? r.numFailedTestSuites : 0);
      process.stdout.write(`jest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests} skipped\n`);
      if (r.numPassedTests === 0 && code === 0) throw new UserFacingError('jest ran no test.');
    }
    return code;
  } finally {
    await temporal?.stop();
    await pg?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

runMain(main);
