/**
 * Replays saved workflow histories (JSON as `temporal workflow show --output json` exports them) against a
 * workflow bundle, and fails on any non-determinism. Runs in plain Node: the SDK's protobuf JSON reader does not
 * survive jest's module registry.
 *
 * Usage: node --import tsx scripts/replay-histories.ts <bundle.js> <history.json | dir>...
 */
import fs from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { runMain, UserFacingError } from '../lib/main';

runMain(async () => {
  const [bundle, ...inputs] = process.argv.slice(2);
  if (!bundle || inputs.length === 0) throw new UserFacingError('usage: replay-histories <workflow-bundle.js> <history.json | dir>...');
  if (!fs.existsSync(bundle)) throw new UserFacingError(`no workflow bundle at ${bundle}`);
  const files = inputs.flatMap((input) =>
    fs.statSync(input).isDirectory()
      ? fs.readdirSync(input).filter((f) => f.endsWith('.json')).sort().map((f) => path.join(input, f))
      : [input],
  );
  Runtime.install({ logger: new DefaultLogger('ERROR'), shutdownSignals: [] });
  let failed = 0;
  for (const file of files) {
    const history: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    try {
      await Worker.runReplayHistory({ workflowBundle: { codePath: bundle } }, history, path.basename(file));
      process.stdout.write(`replayed ${path.basename(file)}: ok\n`);
    } catch (error) {
      failed += 1;
      process.stdout.write(`replayed ${path.basename(file)}: FAILED ${(error as Error).message}\n`);
    }
  }
  process.stdout.write(`replay: ${files.length - failed} passed, ${failed} failed\n`);
  return failed === 0 ? 0 : 1;
});
