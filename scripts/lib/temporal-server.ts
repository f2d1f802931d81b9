/**
 * Runs the Temporal dev server (CLI `server start-dev`) as a child process and prepares its namespace:
 * search attributes (registered even when the SQLite file already exists: flags only apply to a new
 * namespace) and retention (the dev server hard-codes 24 h).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import { ensureNamespaceReady } from '../../config/temporal';
import { UserFacingError } from '../../lib/main';
import { INVOICE_SEARCH_ATTRIBUTES } from '../../worker/search-attributes';

const execFileAsync = promisify(execFile);

export interface DevServerOptions {
  binary: string;
  ip?: string;
  port: number;
  /** Web UI port; omitted = headless. */
  uiPort?: number;
  /** SQLite file; omitted = in memory. */
  dbFile?: string;
  namespace?: string;
  retentionHours?: number;
  logFile?: string;
  /** Fast but not durable (tests only). */
  unsafeFastSqlite?: boolean;
  /** More `server start-dev` flags (e.g. dynamic config values). */
  extraArgs?: string[];
  /** In its own process group, so a terminal's Ctrl-C does not stop it before what depends on it. */
  detached?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl?: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The CLI's spelling of each search attribute type (`--search-attribute Name=Keyword`). */
const CLI_SEARCH_ATTRIBUTE_TYPES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

function searchAttributeFlags(): string[] {
  return INVOICE_SEARCH_ATTRIBUTES.flatMap(({ name, type }) => ['--search-attribute', `${name}=${CLI_SEARCH_ATTRIBUTE_TYPES[type]}`]);
}

export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const ip = options.ip ?? '127.0.0.1';
  const namespace = options.namespace ?? 'default';
  const args = ['server', 'start-dev', '--ip', ip, '--port', String(options.port), '--namespace', namespace, '--log-level', 'warn'];
  args.push(...(options.uiPort !== undefined ? ['--ui-port', String(options.uiPort), '--ui-ip', ip] : ['--headless']));
  if (options.dbFile) {
    fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=WAL');
  }
  if (options.unsafeFastSqlite) args.push('--sqlite-pragma', 'synchronous=OFF');
  args.push(...searchAttributeFlags(), ...(options.extraArgs ?? []));
  // Updates and a long id limit are on by default in CLI 1.5; we still state what we rely on.
  args.push('--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true');

  const out = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
  const child = spawn(options.binary, args, { stdio: ['ignore', out, out], detached: options.detached ?? false });
  const address = `${ip}:${options.port}`;
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited (code ${code ?? 'null'}, signal ${signal ?? 'null'})`;
  });

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      throw new UserFacingError(
        `The Temporal dev server ${exited} at start.` + (options.logFile ? ` See ${options.logFile}.` : '') +
          (options.dbFile ? ` If ${options.dbFile} was made by another CLI version, move it away.` : ''),
      );
    }
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        await ensureNamespaceReady(connection, namespace, INVOICE_SEARCH_ATTRIBUTES, options.retentionHours);
      } finally {
        await connection.close();
      }
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new UserFacingError(`The Temporal dev server did not answer on ${address} within 60 s: ${(error as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  return {
    address,
    uiUrl: options.uiPort !== undefined ? `http://${ip}:${options.uiPort}` : undefined,
    process: child,
    stop: () => stopChild(child),
  };
}

export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await done;
  clearTimeout(timer);
}

/** The CLI's own view, used by the start script's banner. */
export async function listSearchAttributes(binary: string, address: string, namespace: string): Promise<string> {
  const { stdout } = await execFileAsync(binary, ['operator', 'search-attribute', 'list', '--address', address, '--namespace', namespace]);
  return stdout;
}
