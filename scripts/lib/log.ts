/** Small console helpers for the scripts: a prefix per step and elapsed time. */
export function step(name: string): (message: string) => void {
  return (message: string) => process.stdout.write(`[${name}] ${message}\n`);
}

export async function timed<T>(log: (m: string) => void, what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`${what}...`);
  const result = await fn();
  log(`${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}

/** An error meant for a person: scripts print its message and exit, without a stack trace. */
export class UserFacingError extends Error {
  override name = 'UserFacingError';
}

/** Runs a script's main, printing UserFacingError/ConfigError messages plainly. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => {
      if (typeof code === 'number') process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof Error && (error.name === 'UserFacingError' || error.name === 'ConfigError')) {
        process.stderr.write(`\n${error.message}\n`);
      } else {
        process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      }
      process.exitCode = 1;
    },
  );
}
