/**
 * The sandbox as an Express app, built by a factory like reference-app-orders-go `fraud/api.go`: the real Chorus
 * Pro paths behind a PISTE-like gateway, plus `/sandbox/v1` control routes. Usable with supertest (no port) or
 * served by `startSandbox` (server.ts).
 */
import express, { type Express } from 'express';
import { controlErrorHandler, controlRouter } from './control-routes';
import { cproErrorHandler, cproRouter } from './cpro-routes';
import { countCalls, injectFaults, requirePisteAuth, TOKEN_PATH, tokenEndpoint } from './gateway';
import { SandboxState, type SandboxStateOptions } from './state';

export interface SandboxOptions extends SandboxStateOptions {
  /** Where unexpected errors are reported (default: stderr). */
  log?: (line: string) => void;
}

export interface Sandbox {
  app: Express;
  state: SandboxState;
  /** Back to the seeded state, configuration given at creation, stats zero. */
  reset(): void;
  /** Stops every timer (flows, autopilot, injected latency). */
  close(): void;
}

export function createSandbox(options: SandboxOptions = {}): Sandbox {
  const state = new SandboxState(options);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use('/sandbox/v1', controlRouter(state), controlErrorHandler(log));
  app.post(TOKEN_PATH, countCalls(state), injectFaults(state), ...tokenEndpoint(state));
  app.use('/cpro', countCalls(state), injectFaults(state), requirePisteAuth(state), cproRouter(state), cproErrorHandler(log));
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', error_description: `No route ${req.method} ${req.path} (Chorus Pro sandbox)` });
  });
  app.use(cproErrorHandler(log));

  return { app, state, reset: () => state.reset(), close: () => state.close() };
}
