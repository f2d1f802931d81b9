/** Jest: swc transforms TS to CommonJS; types are checked by `tsc --noEmit` in `npm test`. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
    // The producer's pages (api/web/) are TSX rendered to strings by preact-render-to-string.
    '^.+\\.tsx$': [
      '@swc/jest',
      {
        jsc: { target: 'es2022', parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic', importSource: 'preact' } } },
        module: { type: 'commonjs' },
      },
    ],
  },
  // Dynamic imports name the compiled file (`import('./x.js')`, as node16 resolution wants): the test runs the .ts.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // jose is ESM-only: let swc transform it.
  transformIgnorePatterns: ['/node_modules/(?!(jose)/)'],
  testTimeout: 60_000,
  maxWorkers: 2,
  // The Temporal native runtime keeps its threads alive after every suite has torn down its workers and
  // connections; end the run once the results are in.
  forceExit: true,
};
