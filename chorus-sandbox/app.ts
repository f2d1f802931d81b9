/**
 * The sandbox as an Express app, built by a factory like reference-app-orders-go `fraud/api.go`: the real Chorus
 * Pro paths behind a PISTE-like gateway, plus `/sandbox/v1` control routes. Usable with supertest (no port) or
 * served by `startSandbox` (server.ts).
 */
import express, { type Express } from 'express';
import { controlErrorHandler, controlRouter } from './control-routes';
import { cproErrorHandler, cproRouter } from './cpro-routes';
import { countCalls, enforceQuota, injectFaults, PisteAccess, requirePisteAuth, TOKEN_PATH, tokenEndpoint } from './gateway';
import type { SandboxCredentials } from './model';
import { SandboxPersistence, type LoadOutcome } from './persistence';
import { SandboxState, type SandboxStateOptions } from './state';

export interface SandboxOptions extends SandboxStateOptions {
  /** Accepted OAuth client and technical account (main.ts passes the configured ones); default: SANDBOX_DEFAULT_CREDENTIALS. */
  credentials?: Partial<SandboxCredentials>;
  /** Where unexpected errors are reported (default: stderr). */
  log?: (line: string) => void;
  /**
   * A JSON file that keeps the state across restarts (persistence.ts): loaded now if it exists, written after
   * changes (debounced) and on close. Unset (the default): in memory only.
   */
  stateFile?: string;
  /** Longest delay between a change and its write to `stateFile` (default 200 ms). */
  stateSaveDelayMs?: number;
}

export interface Sandbox {
  app: Express;
  state: SandboxState;
  /** Set with `stateFile`: the file and what loading it found. */
  persistence: { file: string; loaded: LoadOutcome; flush(): void } | undefined;
  /** Back to the seeded state, configuration given at creation, stats zero. */
  reset(): void;
  /** Stops every timer (flows, autopilot, injected latency); writes `stateFile` synchronously. */
  close(): void;
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const state = new SandboxState(options);
  const piste = new PisteAccess(options.credentials, state);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const store = options.stateFile === undefined ? undefined : new SandboxPersistence(state, { file: options.stateFile, debounceMs: options.stateSaveDelayMs, log });
  const loaded = store?.load();
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use('/sandbox/v1', controlRouter(state), controlErrorHandler(log));
  app.post(TOKEN_PATH, countCalls(state), injectFaults(state), ...tokenEndpoint(state, piste));
  app.use('/cpro', countCalls(state), enforceQuota(state), injectFaults(state), requirePisteAuth(state, piste), cproRouter(state), cproErrorHandler(log));
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', error_description: `No route ${req.method} ${req.path} (Chorus Pro sandbox)` });
  });
  app.use(cproErrorHandler(log));

  return {
    app,
    state,
    persistence: store && loaded && { file: store.file, loaded, flush: () => store.flush() },
    reset: () => state.reset(),
    close: () => {
      state.close();
      store?.close();
    },
  };
}
