/**
 * The worker's workflow code: its entry point, and a pre-bundle of it (webpack + swc) written once, so workers start
 * fast and tests bundle once per run (`scripts/bundle-workflows.ts`, `npm start`, `npm test`, the bench).
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';

export const WORKFLOWS_ENTRY = path.resolve(__dirname, '../workflows/index.ts');

let runtimeInstalled = false;

export async function writeWorkflowBundle(outFile: string): Promise<string> {
  if (!runtimeInstalled) {
    // The SDK runtime would otherwise take over SIGINT/SIGTERM and kill the script that is stopping its stack.
    Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, logger: new DefaultLogger('WARN') });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, code);
  return outFile;
}
