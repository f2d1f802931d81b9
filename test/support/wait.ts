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

/**
 * GET of an invoice's PDF once it exists: the quantity validation answers before the Factur-X is drawn, and the
 * route answers 409 DOCUMENT_NOT_READY for those seconds.
 */
export async function pdfWhenReady<T extends { status: number }>(get: () => PromiseLike<T>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await get();
    if (res.status !== 409 || Date.now() > deadline) return res;
    await sleep(100);
  }
}
