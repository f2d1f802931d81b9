/**
 * The workflow bundle shares the domain modules between cached workflows (WORKFLOW_PRELOAD_MODULES): each one the
 * workflows import must be in the list, or every cached workflow carries its own copy again (that they use no
 * Temporal API is a lint rule: eslint.config.mjs).
 */
import fs from 'node:fs';
import path from 'node:path';
import { WORKFLOW_PRELOAD_MODULES } from '../../worker/bundle';
import { testServices } from '../support/services';

const root = path.resolve(__dirname, '../..');
const bundle = fs.readFileSync(testServices().workflowBundle, 'utf8');
const bundledDomainModules = [...new Set([...bundle.matchAll(/\n\/\*\*\*\/ "\.\/(domain\/[^"]+\.ts)"/g)].map((m) => m[1]!))].sort();
const preloaded = WORKFLOW_PRELOAD_MODULES.map((m) => path.relative(root, m)).sort();

it('When the workflows import domain modules, then every one of them is preloaded once for all workflows', () => {
  expect(bundledDomainModules.length).toBeGreaterThan(0);
  expect(preloaded).toEqual(bundledDomainModules);
  const preloadBody = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(bundle)?.[1] ?? '';
  for (const module of preloaded) expect([module, preloadBody.includes(`"./${module}"`)]).toEqual([module, true]);
});

