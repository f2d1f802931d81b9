/**
 * The Chorus Pro client built from the application's configuration (CHORUS_* variables). Lives with the worker, its
 * user, so that `chorus/` knows nothing of the configuration (docs/chorus.md).
 */
import { ChorusAccounts, ChorusClient, ChorusTransport, SlowDown, type ChorusClientOptions, type ChorusLogger, type TechnicalAccount, type TechnicalAccountCredentials } from '../chorus';
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
  /** Shared with the process's other clients: PISTE's 429 holds them all back. */
  slowDown?: SlowDown;
}

/** The client of the platform's technical account, or of `account` (a producer's own) on the same PISTE application. */
export function chorusClientFromConfig(config: ChorusConfig, extras: ChorusClientExtras = {}, account?: TechnicalAccountCredentials): ChorusClient {
  const transport = new ChorusTransport({
    apiUrl: config.CHORUS_API_URL,
    oauthUrl: config.CHORUS_OAUTH_URL,
    credentials: {
      clientId: config.CHORUS_CLIENT_ID,
      clientSecret: config.CHORUS_CLIENT_SECRET,
      techLogin: account?.login ?? config.CHORUS_TECH_LOGIN,
      techPassword: account?.password ?? config.CHORUS_TECH_PASSWORD,
    },
    timeoutMs: config.CHORUS_TIMEOUT,
    logger: extras.logger,
    fetch: extras.fetch,
    slowDown: extras.slowDown,
  });
  return new ChorusClient(transport, extras);
}

/** The platform's account and, built on demand, the producers' own ones (chorus/accounts.ts). */
export function chorusAccountsFromConfig(config: ChorusConfig, extras: ChorusClientExtras & { platformAccount?: TechnicalAccount } = {}): ChorusAccounts {
  const { platformAccount, ...given } = extras;
  // One quota for the PISTE application: every account's client waits on the same 429.
  const clientExtras = { ...given, slowDown: given.slowDown ?? new SlowDown() };
  return new ChorusAccounts({
    platform: { client: chorusClientFromConfig(config, clientExtras), login: config.CHORUS_TECH_LOGIN, ...(platformAccount ? { account: platformAccount } : {}) },
    clientFor: (account) => chorusClientFromConfig(config, clientExtras, account),
  });
}
