/**
 * The worker's workflow code: its entry point, and a pre-bundle of it (webpack + swc) written once, so workers start
 * fast and tests bundle once per run (`scripts/bundle-workflows.ts`, `npm start`, `npm test`, the bench).
 */
import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';

export const WORKFLOWS_ENTRY = path.resolve(__dirname, '../workflows/index.ts');

/**
 * In the reusable V8 context every cached workflow evaluates its own copy of each module it imports, unless the
 * module is preloaded: then one copy, deep-frozen, serves them all. Only stateless modules qualify, that import
 * nothing from @temporalio/workflow: the domain rules the workflows use (domain/ is pure by rule), and with money.ts
 * the decimal.js it imports (listing 'decimal.js' itself would preload its CommonJS build, not the ESM one imported).
 */
export const WORKFLOW_PRELOAD_MODULES = ['actions', 'credit-notes', 'dates', 'decimal', 'money', 'order', 'password-expiry', 'statuses'].map((m) =>
  path.resolve(__dirname, `../domain/${m}.ts`),
);

let runtimeInstalled = false;

export async function writeWorkflowBundle(outFile: string): Promise<string> {
  if (!runtimeInstalled) {
    // The SDK runtime would otherwise take over SIGINT/SIGTERM and kill the script that is stopping its stack.
    Runtime.install({ shutdownSignals: [], logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_ENTRY, preloadModules: WORKFLOW_PRELOAD_MODULES, logger: new DefaultLogger('WARN') });
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, code);
  return outFile;
}
