/** Writes the pre-built workflow bundle (used by the Docker image; `npm start` writes its own). */
import path from 'node:path';
import { writeWorkflowBundle } from '../worker/bundle';
import { runMain } from '../lib/main';

runMain(async () => {
  const out = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
  await writeWorkflowBundle(out);
  process.stdout.write(`workflow bundle written to ${out}\n`);
});
