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
