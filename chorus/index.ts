/**
 * Chorus Pro client: the same code talks to our sandbox, the PISTE qualification environment or production;
 * only the options differ (docs/chorus.md). It knows nothing of the application's configuration: the worker builds
 * it from CHORUS_* (`worker/chorus-client.ts`).
 */
export * from './errors';
export * from './technical-account';
export * from './accounts';
export * from './client';
export * from './flow-report';
export * from './requirement';
export * from './transport';
export * from './wire';
export * from './slow-down';
export * from './buyer-directory';
