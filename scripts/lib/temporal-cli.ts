/**
 * Provides the Temporal CLI v1.5.1 (dev server with the embedded Web UI), in this order:
 * 1. TEMPORAL_CLI_PATH; 2. a `temporal` on PATH; 3. the tools cache; 4. `go install` (CGO_ENABLED=0) into the
 * cache — later tags cannot be go-installed (temporal-notes.md §1); 5. as a last resort, on a machine with
 * internet and no Go, the SDK's own download (`cached-download`).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UserFacingError } from '../../lib/main';
import { toolsDir } from './tools';

export const TEMPORAL_CLI_VERSION = '1.5.1';

export type TemporalCli =
  | { kind: 'binary'; path: string; source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install' }
  | { kind: 'sdk-download' };

function version(binary: string): string | undefined {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export function cachedCliPath(): string {
  return path.join(toolsDir(), `temporal-${TEMPORAL_CLI_VERSION}`, 'temporal');
}

export function ensureTemporalCli(log: (m: string) => void): TemporalCli {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    const v = version(fromEnv);
    if (!v) throw new UserFacingError(`TEMPORAL_CLI_PATH=${fromEnv} is not a working Temporal CLI (\`${fromEnv} --version\` failed).`);
    log(`using TEMPORAL_CLI_PATH: ${v}`);
    return { kind: 'binary', path: fromEnv, source: 'TEMPORAL_CLI_PATH' };
  }
  const cached = cachedCliPath();
  const cachedVersion = fs.existsSync(cached) ? version(cached) : undefined;
  if (cachedVersion) {
    log(`using cached ${cachedVersion} (${cached})`);
    return { kind: 'binary', path: cached, source: 'cache' };
  }
  const inPath = onPath('temporal');
  const inPathVersion = inPath ? version(inPath) : undefined;
  if (inPath && inPathVersion) {
    log(`using ${inPath}: ${inPathVersion}`);
    return { kind: 'binary', path: inPath, source: 'PATH' };
  }
  const go = onPath('go');
  if (go) {
    const dir = path.dirname(cached);
    fs.mkdirSync(dir, { recursive: true });
    log(`building Temporal CLI v${TEMPORAL_CLI_VERSION} with go install into ${dir} (first time only; several minutes on 2 cores)...`);
    const started = Date.now();
    try {
      execFileSync(
        go,
        [
          'install',
          '-ldflags',
          `-X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
          `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`,
        ],
        { stdio: 'inherit', env: { ...process.env, CGO_ENABLED: '0', GOBIN: dir, GOFLAGS: '-mod=mod' } },
      );
    } catch {
      throw new UserFacingError(
        `Building the Temporal CLI with go install failed (see the Go output above).\n` +
          `Fix: make the Go module proxy reachable, or install the Temporal CLI v${TEMPORAL_CLI_VERSION} yourself and set TEMPORAL_CLI_PATH.`,
      );
    }
    const built = version(cached);
    if (!built) throw new UserFacingError(`go install finished but ${cached} does not run.`);
    log(`built ${built} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return { kind: 'binary', path: cached, source: 'go install' };
  }
  log(`no Temporal CLI and no Go toolchain: the Temporal SDK will download the CLI (needs internet access).`);
  return { kind: 'sdk-download' };
}

/** For callers that need a binary path (tests, the start script). */
export function requireTemporalBinary(cli: TemporalCli): string {
  if (cli.kind === 'binary') return cli.path;
  throw new UserFacingError(
    `No Temporal CLI binary: install Go (to build it) or set TEMPORAL_CLI_PATH to a Temporal CLI v${TEMPORAL_CLI_VERSION}.`,
  );
}

export function versionOf(binary: string): string {
  return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
}
