/**
 * PISTE's quota is per application, not per call: once the host answers 429 (with or without `Retry-After`), every
 * call of the process waits that long, whichever account or client makes it, instead of each hitting the
 * quota again. Shared by all the clients of one process (ChorusAccounts); each process learns on its own 429,
 * while Temporal's task-queue rate (CHORUS_MAX_CALLS_PER_SECOND) keeps the whole fleet under the budget.
 */
export class SlowDown {
  private pausedUntil = 0;

  constructor(
    private readonly now: () => number = Date.now,
    /** A 429 without Retry-After pauses this long. */
    private readonly defaultPauseMs = 1000,
    /** Never longer than this, whatever the host says (a call still has its own timeout). */
    private readonly maxPauseMs = 60_000,
  ) {}

  /** The host said "too many": no call before `retryAfterMs` from now. */
  pause(retryAfterMs: number | undefined): void {
    const until = this.now() + Math.min(this.maxPauseMs, Math.max(0, retryAfterMs ?? this.defaultPauseMs));
    if (until > this.pausedUntil) this.pausedUntil = until;
  }

  /** Milliseconds left in the current pause (0: calls may go). */
  remainingMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** Resolves once no pause is in force (a pause extended meanwhile is waited for too). */
  async wait(signal?: AbortSignal): Promise<void> {
    for (let left = this.remainingMs(); left > 0; left = this.remainingMs()) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(done, left);
        function done() {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }
        function onAbort() {
          clearTimeout(timer);
          reject(signal?.reason as Error);
        }
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}
