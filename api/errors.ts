/**
 * Every error the API answers, and the one place where anything thrown (our own errors, zod, body-parser,
 * Temporal, MikroORM) becomes an HTTP status and a body in the contract's shape:
 * `{"error": {"code", "message", "details": [{"path", "message"}]}}` (docs/reference/api-contract.md §2).
 * Never a stack trace, never a secret: unexpected errors are logged by the handler and answered as 500 INTERNAL.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError, type core } from 'zod';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError, isGrpcServiceError } from '@temporalio/client';
import { DriverException } from '@mikro-orm/core';
import { isDatabaseUnavailable } from '../db/availability';
import { REFUSALS, isRefusalCode, type RefusalDetails } from '../domain/refusals';

/** Every code the API answers with: the workflow's refusals (domain/refusals.ts), then the API's own, once each. */
export const ERROR_STATUS = {
  ...REFUSALS,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  DOCUMENT_NOT_READY: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNKNOWN_PRODUCER: 422,
  UNKNOWN_BUYER: 422,
  BUYER_NOT_PUBLIC: 422,
  WEBHOOK_ENDPOINT_INVALID: 422,
  CHORUS_CREDENTIALS_REFUSED: 422,
  /** Fields each valid by the OpenAPI document that together break a rule it can only describe (a lineId twice, lines that do not cover the order, a total too large). */
  INCONSISTENT_DATA: 422,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorDetail {
  path: string;
  message: string;
}

/** Extra fields of an INVALID_STATE answer: what the invoice is now and what may be done with it. */
export interface StateInfo {
  status: string;
  chorusStatus: string | null;
  allowedActions: string[];
}

export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] } & Partial<StateInfo>;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode | (string & {}),
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly state?: StateInfo,
    readonly httpStatus: number = (ERROR_STATUS as Record<string, number>)[code] ?? 500,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details, ...(this.state ?? {}) } };
  }
}

export const validationError = (message: string, details: ErrorDetail[]) => new ApiError('VALIDATION_ERROR', message, details);
export const inconsistentData = (message: string, details: ErrorDetail[]) => new ApiError('INCONSISTENT_DATA', message, details);
export const notFound = (message: string, path?: string) =>
  new ApiError('NOT_FOUND', message, path ? [{ path, message }] : []);

/**
 * Message of an INVALID_STATE answer, in French like the workflow's refusals (producers read it): the reason,
 * then the current status and the allowed actions, which the contract wants in it.
 */
export function invalidState(reason: string, state: StateInfo): ApiError {
  const chorus = state.chorusStatus ? ` (Chorus : ${state.chorusStatus})` : '';
  const allowed = state.allowedActions.length > 0 ? state.allowedActions.join(', ') : 'aucune';
  const text = `${reason.replace(/\.$/, '')}. Statut actuel : ${state.status}${chorus} ; actions possibles : ${allowed}.`;
  return new ApiError('INVALID_STATE', text, [], state);
}

/** zod issues -> details with the field path ("lines.0.deliveredQuantity") and the reason. */
export function zodDetails(error: ZodError, prefix: string[] = []): ErrorDetail[] {
  return error.issues.flatMap((issue: core.$ZodIssue) => {
    const base = [...prefix, ...issue.path.map(String)];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...base, key].join('.'), message: 'unknown field: remove it' }));
    }
    return [{ path: base.join('.') || '(body)', message: issue.message }];
  });
}

/** Context a Temporal failure is read in: the invoice's state as PostgreSQL knows it, for INVALID_STATE messages. */
export interface TemporalErrorContext {
  state?: StateInfo;
}

const GRPC_UNAVAILABLE_CODES = new Set([1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */]);
const GRPC_INTERNAL = 13;

/**
 * A gRPC error that says the frontend is away: an outage code, or INTERNAL made by grpc-js itself when the HTTP/2
 * stream was reset under the call (a server shutting down mid-call: "Received RST_STREAM with code …"), which
 * is the transport's word, not the server's answer.
 */
function isTemporalAway(error: { code: number; details?: unknown }): boolean {
  if (GRPC_UNAVAILABLE_CODES.has(error.code)) return true;
  return error.code === GRPC_INTERNAL && typeof error.details === 'string' && error.details.startsWith('Received RST_STREAM');
}

const GRPC_FAILED_PRECONDITION = 9;
const WORKFLOW_RECOVERING =
  'The invoice workflow is recovering from an interrupted step (a worker stopped) and cannot take the action yet; nothing was changed. Retry in a moment with the same Idempotency-Key.';

/**
 * The server refuses an Update while the workflow's task is being retried (a worker died holding it, or a
 * failed task): transient, it passes once a worker completes the task.
 */
function isWorkflowTaskRetrying(error: { code: number; details?: unknown }): boolean {
  return error.code === GRPC_FAILED_PRECONDITION && typeof error.details === 'string' && /Workflow Task in failed state/i.test(error.details);
}
const TEMPORAL_DOWN = 'The workflow service (Temporal) cannot be reached right now; nothing was changed. Retry in a moment.';

/** A gRPC status of Temporal's frontend: 503 when it is transient, undefined (a bug, 500) otherwise. */
function fromGrpcStatus(error: { code: number; details?: unknown }): ApiError | undefined {
  if (isWorkflowTaskRetrying(error)) return new ApiError('UNAVAILABLE', WORKFLOW_RECOVERING);
  return isTemporalAway(error) ? new ApiError('UNAVAILABLE', TEMPORAL_DOWN) : undefined;
}

function fromRefusal(failure: ApplicationFailure, context: TemporalErrorContext): ApiError | undefined {
  if (!isRefusalCode(failure.type)) return undefined;
  const refusal = (failure.details?.[0] ?? {}) as RefusalDetails;
  const details = Array.isArray(refusal.details) ? refusal.details : [];
  if (failure.type === 'INVALID_STATE') {
    const state: StateInfo = {
      status: refusal.status ?? context.state?.status ?? 'UNKNOWN',
      chorusStatus: refusal.chorusStatus !== undefined ? refusal.chorusStatus : (context.state?.chorusStatus ?? null),
      allowedActions: refusal.allowedActions ?? context.state?.allowedActions ?? [],
    };
    return invalidState(failure.message, state);
  }
  return new ApiError(failure.type, failure.message, details, undefined, REFUSALS[failure.type]);
}

/** Temporal client errors -> ApiError; undefined when the error is not Temporal's. */
export function fromTemporalError(err: unknown, context: TemporalErrorContext = {}): ApiError | undefined {
  if (err instanceof WorkflowUpdateFailedError) {
    if (err.cause instanceof ApplicationFailure) {
      const refusal = fromRefusal(err.cause, context);
      if (refusal) return refusal;
    }
    return undefined; // an unexpected failure inside the workflow: a bug, answered as 500
  }
  if (err instanceof WorkflowNotFoundError) {
    return invalidState('Le traitement de cette facture est terminé : elle n’accepte plus aucune action', {
      status: context.state?.status ?? 'UNKNOWN',
      chorusStatus: context.state?.chorusStatus ?? null,
      allowedActions: [],
    });
  }
  if (err instanceof WorkflowUpdateRPCTimeoutOrCancelledError) {
    return new ApiError(
      'UNAVAILABLE',
      'The invoice workflow did not answer in time. The action may still be applied: retry with the same Idempotency-Key to get its result.',
    );
  }
  if (err instanceof ServiceError) {
    // Without a gRPC status (no connection at all), the frontend is away.
    return isGrpcServiceError(err.cause) ? fromGrpcStatus(err.cause) : new ApiError('UNAVAILABLE', TEMPORAL_DOWN);
  }
  return isGrpcServiceError(err) ? fromGrpcStatus(err) : undefined;
}

interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
  message?: string;
}

/** body-parser / http-errors thrown while reading the request. */
function fromHttpError(err: unknown): ApiError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as HttpError;
  const status = e.status ?? e.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  switch (e.type) {
    case 'entity.parse.failed':
      return new ApiError('VALIDATION_ERROR', `The body is not valid JSON (${e.message ?? 'parse error'}).`, [
        { path: '(body)', message: 'invalid JSON' },
      ]);
    case 'entity.too.large':
      return new ApiError('PAYLOAD_TOO_LARGE', 'The body is too large for this route.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', `${e.message ?? 'unsupported encoding'}: send UTF-8 JSON.`);
    default:
      return new ApiError('VALIDATION_ERROR', e.expose && e.message ? e.message : 'The request could not be read.');
  }
}

/** Seconds a client should wait before retrying a 503: enough for a PostgreSQL or Temporal restart. */
export const RETRY_AFTER_SECONDS = 2;

/** The one mapping from anything thrown to an answer. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ZodError) return validationError('The request is invalid.', zodDetails(err));
  const temporal = fromTemporalError(err);
  if (temporal) return temporal;
  if (isDatabaseUnavailable(err)) {
    return new ApiError('UNAVAILABLE', 'The database cannot be reached right now. Retry in a moment (actions with the same Idempotency-Key).');
  }
  const http = fromHttpError(err);
  if (http) return http;
  return new ApiError('INTERNAL', 'An unexpected error occurred. It has been logged; quote the request id when reporting it.');
}

/** Express error middleware: logs what is not a client error (with the stack, server-side only) and answers. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const apiError = toApiError(err);
  if (apiError.httpStatus >= 500) {
    const driver = err instanceof DriverException ? { sqlState: err.code } : {};
    req.log?.error({ err, ...driver, code: apiError.code }, 'request failed');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  if (apiError.httpStatus === 503 || apiError.code === 'DOCUMENT_NOT_READY') res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(apiError.httpStatus).json(apiError.toBody());
};

/**
 * A known path asked with a method it does not have: 405 with the `Allow` header (RFC 9110 §15.5.6), from the
 * OpenAPI document's paths. Placed before the 404.
 */
export function methodNotAllowedHandler(paths: Record<string, object>): RequestHandler {
  const routes = Object.entries(paths).map(([template, item]) => {
    const pattern = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}/?$`);
    const methods = Object.keys(item).map((m) => m.toUpperCase());
    if (methods.includes('GET')) methods.push('HEAD');
    return { pattern, allow: methods.join(', ') };
  });
  return (req, res, next) => {
    const route = routes.find((r) => r.pattern.test(req.path));
    if (!route) return next();
    res.setHeader('Allow', route.allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next(new ApiError('METHOD_NOT_ALLOWED', `${req.method} is not a method of ${req.path}: use ${route.allow}.`));
  };
}

/** Unknown route: a JSON 404 like every other error. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new ApiError('NOT_FOUND', `No route ${req.method} ${req.path}. See /openapi.json for the routes of this API.`));
};
