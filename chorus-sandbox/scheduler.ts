/**
 * The sandbox's timers: flow steps, autopilot steps and injected latencies. None keeps the process alive.
 * `cancelTimers()` (reset, restore) and `close()` start a new generation: work begun before (a deposit being
 * parsed) compares `generation` and drops its result, and pending timer callbacks never run.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers = new Set<NodeJS.Timeout>();
  private currentGeneration = 0;
  private closed = false;

  /** Bumped by `cancelTimers` and `close`. */
  get generation(): number {
    return this.currentGeneration;
  }

  /** A timer that never keeps the process alive and dies with `cancelTimers`/`close`. */
  schedule(delayMs: number, task: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        task();
      },
      Math.max(0, Math.round(delayMs)),
    );
    timer.unref();
    this.timers.add(timer);
  }

  /**
   * Resolves after `delayMs` (fault latency). Survives `cancelTimers` (a request in flight still gets its
   * answer); never resolves once closed, when the server drops its connections anyway.
   */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) return;
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve();
      }, Math.max(0, Math.round(delayMs)));
      timer.unref();
      this.sleepers.add(timer);
    });
  }

  /** Timers still to fire (flow steps, autopilot steps, latencies). */
  get pendingTimers(): number {
    return this.timers.size + this.sleepers.size;
  }

  /** A new generation; scheduled tasks cancelled, sleeps left to finish. */
  cancelTimers(): void {
    this.currentGeneration++;
    this.clearTimers();
  }

  /** Stops every timer, sleeps included; nothing can be scheduled afterwards. */
  close(): void {
    this.closed = true;
    this.currentGeneration++;
    this.clearTimers();
    for (const timer of this.sleepers) clearTimeout(timer);
    this.sleepers.clear();
  }

  private clearTimers(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
