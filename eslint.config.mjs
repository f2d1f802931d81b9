// Strict, type-aware lint: no floating promises anywhere; no Node builtins in workflow code (the workflow
// bundle runs in a deterministic sandbox that refuses them); imports run downhill between the production folders.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nodeBuiltinPaths = nodeBuiltins.map((name) => ({ name, message: 'Workflow code runs in a sandbox: no Node builtins.' }));

// The layers of the production folders, bottom to top (README "ARCHITECTURE"). A folder imports only from the
// layers below it; within a layer, only the arrows listed in SIBLING_ARROWS. Tests (test/) may import anything.
const LAYERS = [
  ['lib'],
  ['domain', 'chorus'],
  ['config', 'mail'],
  ['db', 'chorus-sandbox'],
  ['documents'],
  ['activities'],
  ['workflows', 'worker'],
  ['api'],
  ['scripts', 'bench'],
];
// chorus → domain: the client classifies flow states with the one vocabulary of statuses.
const SIBLING_ARROWS = { worker: ['workflows'], bench: ['scripts'], chorus: ['domain'] };
const LAYER_ORDER = LAYERS.map((layer) => layer.join(', ')).join(' < ');
const SANDBOXED = new Set(['workflows', 'domain']);

/** One `no-restricted-imports` block per folder: every folder it may not import, matched on the relative path. */
function layerRules(folder) {
  const index = LAYERS.findIndex((layer) => layer.includes(folder));
  const siblings = LAYERS[index].filter((f) => f !== folder && !(SIBLING_ARROWS[folder] ?? []).includes(f));
  const forbidden = [...siblings, ...LAYERS.slice(index + 1).flat()];
  return {
    files: [`${folder}/**/*.ts`, `${folder}/**/*.tsx`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: SANDBOXED.has(folder) ? nodeBuiltinPaths : [],
          patterns: [
            ...forbidden.map((target) => ({
              regex: `^(\\.\\./)+${target}(/|$)`,
              message: `Imports run downhill (${LAYER_ORDER}): ${folder}/ may not import ${target}/.`,
            })),
            // The workflow bundle preloads domain/ once for every workflow (worker/bundle.ts), before any exists.
            ...(folder === 'domain' ? [{ regex: '^@temporalio/', message: 'domain/ is pure rules: no Temporal API (the workflows preload it).' }] : []),
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.scratch/**', 'coverage/**', 'bench/results/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
    },
  },
  ...LAYERS.flat().map(layerRules),
  // Code a newcomer can read: short functions in production code, workflow files that hold one step each.
  {
    files: ['**/*.ts', '**/*.tsx'],
    // bench/ and test/ are tooling: their long mains read as scripts, top to bottom.
    ignores: ['test/**', 'bench/**', 'db/migrations/**'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true, IIFEs: true }] },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: { 'max-lines': ['error', { max: 250, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
