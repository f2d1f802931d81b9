/** Telling a database that is away from a request that is wrong: shared by the API (503) and the activities. */
import { ConnectionException, DriverException } from '@mikro-orm/core';

/**
 * SQLSTATEs and socket errors that mean "the database is not there right now", not "this request is wrong":
 * class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now: restarting),
 * 53300 (too many connections), and the node socket errors of a server that is down or just cut us off.
 */
const DB_UNAVAILABLE_CODES = new Set(['57P01', '57P02', '57P03', '53300', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// "Client was closed and is not queryable": a pooled client whose connection was cut (pg_terminate_backend, a
// restart) handed out before the pool noticed; "timeout expired": pg's connect timeout while the server is away.
const DB_UNAVAILABLE_MESSAGES =
  /Connection terminated|connection error|Connection ended unexpectedly|Client was closed and is not queryable|timeout expired|Timeout acquiring a connection|timeout exceeded when trying to connect|the database system is (starting up|shutting down|in recovery mode)/i;

/** Whether an error is the database being down or restarting (answered 503 with Retry-After, never 500). */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof ConnectionException) return true;
  if (typeof err !== 'object' || err === null) return false;
  const { code, message, name } = err as { code?: unknown; message?: unknown; name?: unknown };
  if (typeof code === 'string' && (code.startsWith('08') || DB_UNAVAILABLE_CODES.has(code))) return true;
  // pg and knex errors with no code ("Connection terminated unexpectedly", "Knex: Timeout acquiring…").
  const fromDriver = err instanceof DriverException || name === 'KnexTimeoutError' || (err instanceof Error && /^(Error|KnexTimeoutError)$/.test(err.name));
  return fromDriver && typeof message === 'string' && DB_UNAVAILABLE_MESSAGES.test(message);
}

