/**
 * Saved histories of every path (recorded from the path suite with RECORD_HISTORIES=1) replayed against the
 * current workflow code: a change that would break running invoices fails here (guard it with `patched()`).
 */
import fs from 'node:fs';
import { HISTORIES_DIR, replayHistories } from '../support/histories';
import { testServices } from '../support/services';

const files = fs.existsSync(HISTORIES_DIR) ? fs.readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json')) : [];

it('When histories are saved, then there is one for each path of the guide', () => {
  const paths = [
    'private',
    'the-buyer-pays',
    'every-optional-status',
    'unknown-to-chorus',
    'chorus-rejects-the-flow',
    'keeps-failing',
    'order-requires-an-engagement-code',
    'structure-requires-an-engagement-code',
    'not-opened-the-chorus-flow',
    'marking-it-processed',
    'archives',
    'a-recycler',
    'suspendue',
    'buyer-rejects',
    'cancelled',
    'buyer-validates',
  ];
  for (const fragment of paths) expect([fragment, files.some((f) => f.includes(fragment))]).toEqual([fragment, true]);
});

it('When every saved history is replayed on the current code, then none is non-deterministic', () => {
  const output = replayHistories(testServices().workflowBundle, [HISTORIES_DIR]);
  expect(output).toContain(`replay: ${files.length} passed, 0 failed`);
}, 120_000);
