/**
 * Keeps a sandbox's state in a JSON file (option `stateFile`, `CHORUS_SANDBOX_STATE_FILE` for `npm start`), so
 * that flows and invoices survive a restart like the PostgreSQL and Temporal data that point at them.
 *
 * - `load()` at start: a missing file means a fresh sandbox; a file that cannot be read or checked is copied to
 *   `<file>.corrupt`, reported in one line (naming the file and the reason) and the sandbox starts from the
 *   seeds. Never throws.
 * - Every change marks the state dirty; it is written at most `debounceMs` later (one write for a burst of
 *   changes, off the request path), and never more often than the last write's cost allows (a large state is
 *   written less often rather than slowing requests down). Timers are unref'd.
 * - `close()` writes synchronously what is still unwritten (SIGINT/SIGTERM go through it).
 * - A write is atomic: a temp file next to the target, then rename. A failed write is reported and retried at
 *   the next change; it never stops the sandbox.
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseSnapshot, type SandboxSnapshot } from './snapshot';
import type { SandboxState } from './state';

export const DEFAULT_STATE_SAVE_DELAY_MS = 200;
/** A write may take at most 1/SAVE_COST_FACTOR of the time under continuous changes. */
const SAVE_COST_FACTOR = 5;

export interface SandboxPersistenceOptions {
  /** The JSON file; its directory is created when missing. */
  file: string;
  /** Longest delay between a change and its write (default 200 ms). */
  debounceMs?: number;
  /** One line per problem (unreadable file, failed write). */
  log: (line: string) => void;
}

export type LoadOutcome =
  | { kind: 'missing' }
  | { kind: 'loaded'; structures: number; flows: number; invoices: number; savedAt: string }
  | { kind: 'corrupt'; reason: string; copy: string | undefined };

export class SandboxPersistence {
  readonly file: string;
  private readonly debounceMs: number;
  private readonly log: (line: string) => void;
  private readonly unsubscribe: () => void;
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private closed = false;
  private lastSaveMs = 0;
  private saveFailed = false;

  constructor(
    private readonly state: SandboxState,
    options: SandboxPersistenceOptions,
  ) {
    this.file = path.resolve(options.file);
    this.debounceMs = Math.max(0, options.debounceMs ?? DEFAULT_STATE_SAVE_DELAY_MS);
    this.log = options.log;
    this.unsubscribe = state.onChange(() => this.markDirty());
  }

  /** Restores the file's state into the sandbox, if there is a usable file. Call once, before serving. */
  load(): LoadOutcome {
    let json: string;
    try {
      json = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return { kind: 'missing' };
      return this.unusable(`cannot be read (${errorText(error)})`, false);
    }
    let snapshot: SandboxSnapshot;
    try {
      snapshot = parseSnapshot(json);
    } catch (error) {
      return this.unusable(errorText(error), true);
    }
    try {
      this.state.restore(snapshot);
    } catch (error) {
      this.state.reset(); // a restore that failed half-way must not leave a mixed state
      return this.unusable(`cannot be restored (${errorText(error)})`, true);
    }
    return {
      kind: 'loaded',
      structures: snapshot.structures.length,
      flows: snapshot.flows.length,
      invoices: snapshot.invoices.length,
      savedAt: snapshot.savedAt,
    };
  }

  /** Writes now, synchronously, if anything changed since the last write. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.dirty) this.save();
  }

  /** Final write; later changes are no longer saved. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.unsubscribe();
  }

  private markDirty(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (this.dirty) this.save();
      },
      Math.max(this.debounceMs, SAVE_COST_FACTOR * this.lastSaveMs),
    );
    this.timer.unref();
  }

  private save(): void {
    const started = performance.now();
    this.dirty = false;
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      const json = this.state.snapshotJson();
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(temp, json);
      fs.renameSync(temp, this.file);
      if (this.saveFailed) this.log(`Chorus Pro sandbox: state saved to ${this.file} again`);
      this.saveFailed = false;
    } catch (error) {
      this.dirty = true; // retried at the next change, or at close
      if (!this.saveFailed) this.log(`Chorus Pro sandbox: cannot save its state to ${this.file}: ${errorText(error)}`);
      this.saveFailed = true;
      try {
        fs.rmSync(temp, { force: true });
      } catch {
        // nothing more to do
      }
    }
    this.lastSaveMs = performance.now() - started;
  }

  private unusable(reason: string, keepCopy: boolean): LoadOutcome {
    let copy: string | undefined;
    let copyNote = '';
    if (keepCopy) {
      try {
        fs.copyFileSync(this.file, `${this.file}.corrupt`);
        copy = `${this.file}.corrupt`;
        copyNote = ` The file was copied to ${copy}.`;
      } catch (error) {
        copyNote = ` It could not be copied aside (${errorText(error)}).`;
      }
    }
    this.log(
      `Chorus Pro sandbox: the state file ${this.file} ${keepCopy ? `is unusable, ${reason}` : reason}; ` +
        `starting from the seeded structures (the file is replaced at the next save).${copyNote}`,
    );
    return { kind: 'corrupt', reason, copy };
  }
}

function errorCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
