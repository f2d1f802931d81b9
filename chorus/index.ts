/**
 * Chorus Pro client: the same code talks to our sandbox, the PISTE qualification environment or production;
 * only the configuration differs (docs/chorus.md).
 */
import type { Config } from '../config';
import { ChorusClient, type ChorusClientOptions } from './client';
import { ChorusTransport, type ChorusLogger } from './transport';

export * from './errors';
export * from './client';
export * from './flow-report';
export * from './requirement';
export * from './transport';
export * from './wire';

export type ChorusConfig = Pick<
  Config,
  | 'CHORUS_API_URL'
  | 'CHORUS_OAUTH_URL'
  | 'CHORUS_CLIENT_ID'
  | 'CHORUS_CLIENT_SECRET'
  | 'CHORUS_TECH_LOGIN'
  | 'CHORUS_TECH_PASSWORD'
  | 'CHORUS_TIMEOUT'
>;

export interface ChorusClientExtras extends ChorusClientOptions {
  logger?: ChorusLogger;
  fetch?: typeof fetch;
}

export function chorusClientFromConfig(config: ChorusConfig, extras: ChorusClientExtras = {}): ChorusClient {
  const transport = new ChorusTransport({
    apiUrl: config.CHORUS_API_URL,
    oauthUrl: config.CHORUS_OAUTH_URL,
    credentials: {
      clientId: config.CHORUS_CLIENT_ID,
      clientSecret: config.CHORUS_CLIENT_SECRET,
      techLogin: config.CHORUS_TECH_LOGIN,
      techPassword: config.CHORUS_TECH_PASSWORD,
    },
    timeoutMs: config.CHORUS_TIMEOUT,
    logger: extras.logger,
    fetch: extras.fetch,
  });
  return new ChorusClient(transport, extras);
}
