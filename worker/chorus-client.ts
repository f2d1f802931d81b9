/**
 * The Chorus Pro client built from the application's configuration (CHORUS_* variables). Lives with the worker, its
 * user, so that `chorus/` knows nothing of the configuration (docs/chorus.md).
 */
import { ChorusClient, ChorusTransport, type ChorusClientOptions, type ChorusLogger } from '../chorus';
import type { Config } from '../config';

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
