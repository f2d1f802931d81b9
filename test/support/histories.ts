/**
 * Replay: every workflow a suite ran is replayed against the current workflow bundle (a non-determinism fails
 * the suite). With RECORD_HISTORIES=1 the histories are also saved under test/workflow/histories/, where
 * replay.test.ts keeps replaying them against every later version of the code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { testServices } from './services';

export const HISTORIES_DIR = path.join(__dirname, '../workflow/histories');

const ran: { workflowId: string; name: string }[] = [];

/** Notes a workflow started by the current test, named after it. */
export function noteWorkflow(workflowId: string): void {
  const testName = expect.getState().currentTestName ?? 'workflow';
  const slug = testName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 90)
    .toLowerCase();
  ran.push({ workflowId, name: `${slug}-${ran.filter((r) => r.name.startsWith(slug)).length + 1}` });
}

/**
 * The history as the CLI exports it (proto JSON, the format `temporal workflow show --output json` gives and
 * the UI downloads): plain JSON, independent of the protobuf module instances jest loads.
 */
function exportHistory(workflowId: string): string {
  const { temporalCli, temporalAddress } = testServices();
  return execFileSync(temporalCli, ['workflow', 'show', '--workflow-id', workflowId, '--address', temporalAddress, '--output', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** Replays (and optionally records) every noted workflow in a plain Node process; returns its report. */
export function replayNotedWorkflows(): { count: number; output: string } {
  const { workflowBundle, workDir } = testServices();
  const dir = fs.mkdtempSync(path.join(workDir, 'histories-'));
  for (const { workflowId, name } of ran) {
    const json = exportHistory(workflowId);
    fs.writeFileSync(path.join(dir, `${name}.json`), json);
    if (process.env.RECORD_HISTORIES === '1') {
      fs.mkdirSync(HISTORIES_DIR, { recursive: true });
      // RECORD_HISTORIES_TAG keeps the histories of earlier code beside the new ones (rule 3 of docs/operations.md).
      const tag = process.env.RECORD_HISTORIES_TAG;
      fs.writeFileSync(path.join(HISTORIES_DIR, `${name}${tag ? `--${tag}` : ''}.json`), json);
    }
  }
  const count = ran.length;
  ran.length = 0;
  return { count, output: replayHistories(workflowBundle, [dir]) };
}

/** Runs scripts/replay-histories.ts; throws with its output when a history does not replay. */
export function replayHistories(bundle: string, inputs: string[]): string {
  const root = path.join(__dirname, '../..');
  try {
    return execFileSync(process.execPath, ['--import', 'tsx', 'scripts/replay-histories.ts', bundle, ...inputs], { cwd: root, encoding: 'utf8' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    throw new Error(`replay failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}
