/** The one error mapper (pure): Temporal refusals, outages, body-parser and zod errors become the contract's answers. */
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import { ServiceError, WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError } from '@temporalio/client';
import { z } from 'zod';
import { DriverException } from '@mikro-orm/core';
import { ApiError, fromTemporalError, toApiError } from '../../api/errors';

const state = { status: 'A_TRAITER', chorusStatus: null, allowedActions: ['SEND_CHORUS', 'SEND_EMAIL'] };
const refused = (type: string, message: string, details?: unknown) =>
  new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type, message, nonRetryable: true, details: details ? [details] : [] }));
/** gRPC status codes: 3 INVALID_ARGUMENT, 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE. */
const grpcStatus = { INVALID_ARGUMENT: 3, DEADLINE_EXCEEDED: 4, UNAVAILABLE: 14 };
const grpcError = (code: number, details = 'x') => Object.assign(new Error(`${code} grpc`), { code, details, metadata: { get: () => [] } });

describe('Error mapping', () => {
  it('When the workflow refuses with INVALID_STATE and its details, then 409 names the current status and allowed actions', () => {
    const err = fromTemporalError(
      refused('INVALID_STATE', 'La facture ne peut pas être archivée maintenant', { status: 'EN_ATTENTE_TRAITEMENT', chorusStatus: null, allowedActions: [] }),
      { state },
    );
    expect(err?.httpStatus).toBe(409);
    expect(err?.toBody()).toEqual({
      error: {
        code: 'INVALID_STATE',
        message: 'La facture ne peut pas être archivée maintenant. Statut actuel : EN_ATTENTE_TRAITEMENT ; actions possibles : aucune.',
        details: [],
        status: 'EN_ATTENTE_TRAITEMENT',
        chorusStatus: null,
        allowedActions: [],
      },
    });
  });

  it('When the refusal carries no state, then the state PostgreSQL knows completes the message', () => {
    const err = fromTemporalError(refused('INVALID_STATE', 'Pas maintenant.'), { state: { ...state, status: 'DEPOSEE_CHORUS', chorusStatus: 'SUSPENDUE', allowedActions: ['COMPLETE'] } });
    expect(err?.message).toBe('Pas maintenant. Statut actuel : DEPOSEE_CHORUS (Chorus : SUSPENDUE) ; actions possibles : COMPLETE.');
  });

  it('When the workflow refuses with a business code, then its HTTP status and details come through', () => {
    const err = fromTemporalError(refused('ENGAGEMENT_CODE_REQUIRED', 'The buyer requires an engagement code.', { details: [{ path: 'engagementCode', message: 'required' }] }));
    expect(err?.httpStatus).toBe(422);
    expect(err?.toBody().error).toEqual({ code: 'ENGAGEMENT_CODE_REQUIRED', message: 'The buyer requires an engagement code.', details: [{ path: 'engagementCode', message: 'required' }] });
    expect(fromTemporalError(refused('CHORUS_NOT_ENABLED', 'x'))?.httpStatus).toBe(422);
  });

  it('When the Update fails with an unknown type, then it is not a refusal but an internal error', () => {
    expect(fromTemporalError(refused('TypeError', 'boom'))).toBeUndefined();
    expect(toApiError(refused('TypeError', 'boom')).toBody()).toEqual({
      error: { code: 'INTERNAL', message: expect.stringMatching(/unexpected error/) as string, details: [] },
    });
  });

  it('When the workflow is closed or missing, then 409 INVALID_STATE says so with no allowed action', () => {
    const err = fromTemporalError(new WorkflowNotFoundError('workflow execution already completed', 'invoice-1', undefined), { state });
    expect(err?.code).toBe('INVALID_STATE');
    expect(err?.message).toMatch(/traitement de cette facture est terminé.*Statut actuel : A_TRAITER ; actions possibles : aucune\./);
  });

  it('When Temporal is unreachable or the Update times out, then 503 UNAVAILABLE', () => {
    expect(toApiError(new ServiceError('Failed to start', { cause: grpcError(grpcStatus.UNAVAILABLE) })).httpStatus).toBe(503);
    expect(toApiError(new ServiceError('x', { cause: grpcError(grpcStatus.DEADLINE_EXCEEDED) })).code).toBe('UNAVAILABLE');
    expect(toApiError(new WorkflowUpdateRPCTimeoutOrCancelledError('timeout')).message).toMatch(/Idempotency-Key/);
    expect(toApiError(new ServiceError('x', { cause: grpcError(grpcStatus.INVALID_ARGUMENT) })).code).toBe('INTERNAL');
  });

  it('When the frontend shuts down under a call (grpc-js INTERNAL for a reset stream), then 503, but a server INTERNAL stays 500', () => {
    const reset = grpcError(13, 'Received RST_STREAM with code 0 (Call ended without gRPC status)');
    expect(toApiError(new ServiceError('Failed to start Workflow', { cause: reset })).httpStatus).toBe(503);
    expect(toApiError(reset).httpStatus).toBe(503);
    expect(toApiError(new ServiceError('x', { cause: grpcError(13, 'persistence: unexpected row') })).httpStatus).toBe(500);
  });

  it('When an Update meets a workflow task being retried (a worker died holding it), then 503 to retry, not 500', () => {
    const failedTask = grpcError(9, 'Unable to perform workflow execution update due to Workflow Task in failed state.');
    const err = toApiError(new ServiceError('Workflow Update failed', { cause: failedTask }));
    expect([err.httpStatus, err.code]).toEqual([503, 'UNAVAILABLE']);
    expect(err.message).toMatch(/Idempotency-Key/);
    expect(toApiError(new ServiceError('x', { cause: grpcError(9, 'Namespace is not active') })).httpStatus).toBe(500);
  });

  it.each([
    ['a pooled client whose connection was cut', 'Client was closed and is not queryable'],
    ['a connection cut under a query', 'Connection terminated unexpectedly'],
    ['a connect timeout while PostgreSQL restarts', 'timeout expired'],
    ['a pool full of dead connections', 'Knex: Timeout acquiring a connection. The pool is probably full.'],
  ])('When PostgreSQL is away (%s), then 503 UNAVAILABLE, not 500', (_case, message) => {
    const err = toApiError(new DriverException(new Error(message)));
    expect([err.httpStatus, err.code]).toEqual([503, 'UNAVAILABLE']);
  });

  it('When PostgreSQL refuses the query itself (a bug), then 500', () => {
    expect(toApiError(new DriverException(Object.assign(new Error('column "x" does not exist'), { code: '42703' }))).httpStatus).toBe(500);
  });

  it('When body-parser fails, then invalid JSON is 400 and a big body 413', () => {
    const parseFailed = Object.assign(new SyntaxError('Unexpected token'), { status: 400, type: 'entity.parse.failed', expose: true });
    expect(toApiError(parseFailed).toBody().error).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ path: '(body)', message: 'invalid JSON' }] });
    expect(toApiError(Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large' })).httpStatus).toBe(413);
  });

  it('When zod fails, then each issue becomes a detail with its path', () => {
    const result = z.strictObject({ a: z.object({ b: z.string() }) }).safeParse({ a: { b: 1 }, c: 2 });
    const err = toApiError(result.error);
    expect(err.httpStatus).toBe(400);
    expect(err.details.map((d) => d.path).sort()).toEqual(['a.b', 'c']);
  });

  it('When anything else is thrown, then 500 INTERNAL without its message or stack', () => {
    const body = toApiError(new Error('password=hunter2 at /srv/app.ts:12')).toBody();
    expect(JSON.stringify(body)).not.toMatch(/hunter2|app\.ts/);
  });

  it('When an ApiError is thrown, then it passes unchanged', () => {
    const err = new ApiError('CONFLICT', 'x');
    expect(toApiError(err)).toBe(err);
  });
});
