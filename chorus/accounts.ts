/**
 * Several Chorus technical accounts behind one PISTE application: the platform's (CHORUS_TECH_LOGIN) and the
 * producers' own ones. Each account gets its own client (its `cpro-account` header) and its own TechnicalAccount
 * cache (attachments, password expiry), built once and kept, so the worker and the API ask each account's
 * questions of that account. Knows nothing of where the credentials come from.
 */
import { createHash } from 'node:crypto';
import type { ChorusClient } from './client';
import { RecentMap } from './recent-map';
import { TechnicalAccount, type TechnicalAccountOptions } from './technical-account';

export interface TechnicalAccountCredentials {
  login: string;
  password: string;
}

export interface ChorusAccountHandle {
  client: ChorusClient;
  account: TechnicalAccount;
  /** The account's login (the platform's, or the producer's own). */
  login: string;
  ownAccount: boolean;
}

export interface ChorusAccountsOptions {
  /** The platform's account. */
  platform: { client: ChorusClient; login: string; account?: TechnicalAccount };
  /** Builds the client of another technical account (same PISTE application and host). */
  clientFor: (credentials: TechnicalAccountCredentials) => ChorusClient;
  /** How many producer accounts stay built (least recently used dropped first). Default 1000. */
  maxAccounts?: number;
  accountOptions?: TechnicalAccountOptions;
}

export class ChorusAccounts {
  readonly platform: ChorusAccountHandle;
  private readonly clientFor: ChorusAccountsOptions['clientFor'];
  private readonly accountOptions: TechnicalAccountOptions | undefined;
  /** By login and a digest of the password: a new password builds a new client. */
  private readonly handles: RecentMap<string, ChorusAccountHandle>;

  constructor(options: ChorusAccountsOptions) {
    const { client, login } = options.platform;
    this.platform = { client, login, ownAccount: false, account: options.platform.account ?? new TechnicalAccount(client, options.accountOptions) };
    this.clientFor = options.clientFor;
    this.handles = new RecentMap(options.maxAccounts ?? 1000);
    this.accountOptions = options.accountOptions;
  }

  /** The producer's own account when he has one, else the platform's. */
  for(credentials: TechnicalAccountCredentials | null | undefined): ChorusAccountHandle {
    if (!credentials) return this.platform;
    const key = `${credentials.login}\u0000${createHash('sha256').update(credentials.password, 'utf8').digest('base64url')}`;
    const known = this.handles.get(key);
    if (known) return known;
    const client = this.clientFor(credentials);
    const handle: ChorusAccountHandle = { client, login: credentials.login, ownAccount: true, account: new TechnicalAccount(client, this.accountOptions) };
    this.handles.set(key, handle);
    return handle;
  }
}
