/**
 * How every process starts: `runMain(main)` in each entry point (API, worker, sandbox, migrations, scripts, bench).
 * Shared plumbing at the bottom of the layers: it imports nothing from the project.
 */

/** An error meant for a person: entry points print its message and exit, without a stack trace. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

export interface RunMainOptions {
  /** Printed before the failure ("API failed to start: ..."). */
  label?: string;
  /**
   * Exit at once on failure instead of setting `process.exitCode`: for servers, whose half-opened resources (a
   * database pool, a listening socket) would otherwise keep the process alive.
   */
  exitOnError?: boolean;
}

/** Runs an entry point's main, printing UserFacingError/ConfigError messages plainly and anything else with its stack. */
export function runMain(main: () => Promise<number | void>, options: RunMainOptions = {}): void {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (error: unknown) => {
      const text =
        error instanceof Error && (error.name === 'UserFacingError' || error.name === 'ConfigError') ? error.message
        : error instanceof Error ? (error.stack ?? error.message)
        : String(error);
      process.stderr.write(options.label ? `${options.label}: ${text}\n` : `\n${text}\n`);
      if (options.exitOnError) process.exit(1);
      process.exitCode = 1;
    },
  );
}
