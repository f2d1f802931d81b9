/** Small HTTP plumbing shared by the routes: request ids, idempotency keys, body presence, input parsing. */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { z } from 'zod';
import { ApiError, inconsistentData, validationError, zodDetails } from './errors';

/** X-Request-Id and Idempotency-Key: a plain token (the OpenAPI document gives the same pattern). */
export const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const TOKEN = IDEMPOTENCY_KEY;

declare module 'express-serve-static-core' {
  interface Request {
    /** X-Request-Id of the request (the client's when well-formed, else a new UUID). */
    requestId: string;
  }
}

/** Takes the client's X-Request-Id when it is a plain token, else makes one; echoes it on the answer. */
export const requestId: RequestHandler = (req, res, next) => {
  const given = req.headers['x-request-id'];
  req.requestId = typeof given === 'string' && TOKEN.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', req.requestId);
  next();
};

/** The key that deduplicates workflow Updates: Idempotency-Key when given (and well-formed), else the request id. */
export function requestKey(req: { headers: Record<string, string | string[] | undefined>; requestId: string }): string {
  const given = req.headers['idempotency-key'];
  if (given === undefined) return req.requestId;
  if (typeof given !== 'string' || !TOKEN.test(given)) {
    throw validationError('Invalid Idempotency-Key header.', [
      { path: 'Idempotency-Key', message: 'must be 1 to 128 characters among letters, digits, ".", "_", ":" and "-"' },
    ]);
  }
  return given;
}

/**
 * Writes need a JSON body: none at all counts as `{}` (so `POST .../archive` works bare); a body in another
 * format is a 415, not a confusing list of missing fields.
 */
export const jsonBodyOnly: RequestHandler = (req, _res, next) => {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE' || req.method === 'OPTIONS') return next();
  if (req.body === undefined) {
    const hasBody = Number(req.headers['content-length'] ?? '0') > 0 || req.headers['transfer-encoding'] !== undefined;
    if (hasBody) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'The body must be JSON, sent with "Content-Type: application/json".');
    req.body = {};
  }
  next();
};

/**
 * Parses a part of the request with its schema, or throws 400 VALIDATION_ERROR naming every bad field; when the
 * only faults are rules the OpenAPI document cannot state (issues marked BUSINESS_RULE in schemas.ts), 422
 * INCONSISTENT_DATA instead: such a request is valid by the document.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, part: 'body' | 'query' | 'path'): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = zodDetails(result.error);
  const businessOnly = result.error.issues.every((issue) => issue.code === 'custom' && (issue.params as { businessRule?: boolean } | undefined)?.businessRule === true);
  if (businessOnly) throw inconsistentData(`Inconsistent ${part}: ${details.map((d) => `${d.path}: ${d.message}`).slice(0, 3).join('; ')}.`, details);
  const summary = details
    .slice(0, 3)
    .map((d) => `${d.path}: ${d.message}`)
    .join('; ');
  const more = details.length > 3 ? ` (and ${details.length - 3} more in details)` : '';
  throw validationError(`Invalid ${part === 'path' ? 'path parameter' : part}: ${summary}${more}.`, details);
}
