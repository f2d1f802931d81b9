/** Chorus Pro sandbox: a faithful local stand-in for the PISTE + Chorus Pro supplier API (docs/chorus.md). */
export { createSandbox, type Sandbox, type SandboxOptions } from './app';
export { startSandbox, type RunningSandbox, type StartSandboxOptions } from './server';
export { SandboxState, type SandboxStateOptions, type StructureInput, type InvoiceSearch } from './state';
export { SandboxPersistence, DEFAULT_STATE_SAVE_DELAY_MS, type LoadOutcome, type SandboxPersistenceOptions } from './persistence';
export { SNAPSHOT_VERSION, SnapshotError, parseSnapshot, type SandboxSnapshot } from './snapshot';
export { SANDBOX_SEEDS, SANDBOX_SEED_STRUCTURES, hasValidSiretChecksum, type StructureSeed, type ServiceSeed } from './seeds';
export {
  INVOICE_TRANSITIONS,
  SANDBOX_INVOICE_STATUSES,
  TERMINAL_INVOICE_STATUSES,
  SUPPLIER_ACTIONS,
  allowedTargets,
  autopilotPathError,
  isTerminalStatus,
  transitionActor,
  type Actor,
  type SandboxInvoiceStatus,
} from './lifecycle';
export { REJECTION } from './rules';
export { CHORUS_ERRORS } from './errors';
export type { SandboxConfig, SandboxFaults, SandboxAutopilot, SandboxCredentials } from './model';
export { SANDBOX_DEFAULT_CREDENTIALS, TOKEN_PATH } from './gateway';
