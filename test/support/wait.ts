/** Polling for conditions that the system reaches on its own time (mails, Chorus calls). */

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `check` until it holds, or throws after `timeoutMs` naming `what` it waited for (and, when given,
 * what it saw last), so a test that waits for something that never comes fails for that reason.
 */
export async function waitUntil(
  check: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 20_000, intervalMs = 50, seen }: { timeoutMs?: number; intervalMs?: number; seen?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${seen ? `; seen: ${seen()}` : ''}`);
    await sleep(intervalMs);
  }
}
