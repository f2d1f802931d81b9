/**
 * The one place that talks HTTP to Chorus Pro through PISTE: OAuth2 token cache, the `cpro-account` header,
 * timeouts, one replay after a 401, and the classification of every failure into the three error classes.
 * Endpoint methods (client.ts) never see a Response.
 */
import type { SlowDown } from './slow-down';
import type { z } from 'zod';
import { ChorusAuthError, ChorusBusinessError, ChorusTransientError } from './errors';

export interface ChorusCredentials {
  /** PISTE OAuth client (application) id and secret. */
  clientId: string;
  clientSecret: string;
  /** Chorus Pro technical account (login `TECH_1_…@cpro.fr`-style) and its password. */
  techLogin: string;
  techPassword: string;
}

/** One line per HTTP exchange: no header, no body, so no secret can leak through it. */
export interface ChorusCallLog {
  kind: 'token' | 'api';
  method: 'GET' | 'POST';
  /** Path only, e.g. `/cpro/factures/v1/deposer/flux` or `/api/oauth/token`. */
  path: string;
  /** HTTP status, or null when no answer came (network error, timeout). */
  status: number | null;
  durationMs: number;
  /** 1, then 2 for the replay after a 401 (or the second token request after a spurious invalid_client). */
  attempt: number;
  outcome: 'ok' | 'business_error' | 'auth_error' | 'retry_with_new_token' | 'transient_error';
  codeRetour?: number;
}
export type ChorusLogger = (entry: ChorusCallLog) => void;
type CallLog = (status: number | null, outcome: ChorusCallLog['outcome'], codeRetour?: number) => void;

export interface ChorusTransportOptions {
  /** API base, e.g. `https://sandbox-api.piste.gouv.fr` or `http://127.0.0.1:4010` (no trailing `/cpro`). */
  apiUrl: string;
  /** Full token URL, e.g. `https://sandbox-oauth.piste.gouv.fr/api/oauth/token`. */
  oauthUrl: string;
  credentials: ChorusCredentials;
  /** Per HTTP exchange, token request included. */
  timeoutMs: number;
  /** Renew the token this long before it expires (OCA: 240 s); capped at half the token lifetime. */
  tokenRenewalMarginMs?: number;
  /** OAuth scope; PISTE wants `openid`. */
  scope?: string;
  /** How many times a token request refused with `invalid_client` is asked again (default 1), and after how long. */
  invalidClientRetries?: number;
  invalidClientRetryDelayMs?: number;
  logger?: ChorusLogger;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  /** Clock in ms, injected for tests of token renewal. */
  now?: () => number;
  /** Shared by the clients of one process: a 429 with Retry-After holds every call back (slow-down.ts). */
  slowDown?: SlowDown;
}

export interface CallOptions {
  /** Caller cancellation (e.g. a Temporal activity's cancellation signal); the timeout still applies. */
  signal?: AbortSignal;
}

interface CachedToken {
  value: string;
  /** When we stop using it and fetch a new one. */
  renewAt: number;
}

const DEFAULT_RENEWAL_MARGIN_MS = 240_000;
/** PISTE's documented lifetime, used if an answer omits `expires_in`. */
const DEFAULT_TOKEN_LIFETIME_S = 3600;

export class ChorusTransport {
  readonly apiUrl: string;
  readonly oauthUrl: string;
  readonly timeoutMs: number;
  // Private fields (#) so that logging or serialising the transport cannot print a credential.
  readonly #credentials: ChorusCredentials;
  readonly #cproAccount: string;
  readonly #renewalMarginMs: number;
  readonly #scope: string;
  readonly #invalidClientRetries: number;
  readonly #invalidClientRetryDelayMs: number;
  readonly #logger: ChorusLogger | undefined;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  readonly #slowDown: SlowDown | undefined;
  #token: CachedToken | undefined;
  #pendingToken: Promise<CachedToken> | undefined;

  constructor(options: ChorusTransportOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.oauthUrl = options.oauthUrl;
    this.timeoutMs = options.timeoutMs;
    this.#credentials = { ...options.credentials };
    this.#cproAccount = Buffer.from(`${options.credentials.techLogin}:${options.credentials.techPassword}`, 'utf8').toString(
      'base64',
    );
    this.#renewalMarginMs = options.tokenRenewalMarginMs ?? DEFAULT_RENEWAL_MARGIN_MS;
    this.#scope = options.scope ?? 'openid';
    this.#invalidClientRetries = options.invalidClientRetries ?? 1;
    this.#invalidClientRetryDelayMs = options.invalidClientRetryDelayMs ?? 500;
    this.#logger = options.logger;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#now = options.now ?? Date.now;
    this.#slowDown = options.slowDown;
  }

  /** POST JSON to a business endpoint and validate the answer's shape. */
  post<S extends z.ZodType>(path: string, body: unknown, schema: S, options?: CallOptions): Promise<z.output<S>> {
    return this.call('POST', path, body, schema, options);
  }

  get<S extends z.ZodType>(path: string, schema: S, options?: CallOptions): Promise<z.output<S>> {
    return this.call('GET', path, undefined, schema, options);
  }

  /** Forget the cached token (e.g. after the credentials were rotated). */
  clearToken(): void {
    this.#token = undefined;
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
    options: CallOptions | undefined,
  ): Promise<z.output<S>> {
    const operation = `${method} ${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      const token = await abortable(this.getToken(), options?.signal);
      const started = this.#now();
      const log: CallLog = (status, outcome, codeRetour) =>
        this.log({ kind: 'api', method, path, status, durationMs: this.#now() - started, attempt, outcome, codeRetour });

      let response: Response;
      let text: string;
      try {
        await this.#slowDown?.wait(options?.signal);
        ({ response, text } = await this.exchange(method, path, payload, token, options?.signal));
      } catch (error) {
        log(null, 'transient_error');
        throw this.networkError(error, operation, options?.signal);
      }
      if (response.status === 401 && attempt === 1) {
        // Expired or revoked on the PISTE side before our margin: one replay with a fresh token.
        log(response.status, 'retry_with_new_token');
        this.invalidate(token);
        continue;
      }
      this.refuseByStatus(response, operation, log);
      return this.readAnswer(response.status, text, schema, operation, log);
    }
  }

  /** One HTTP exchange with the business API, with our headers and timeout. */
  private async exchange(
    method: 'GET' | 'POST',
    path: string,
    payload: string | undefined,
    token: CachedToken,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; text: string }> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token.value}`,
      'cpro-account': this.#cproAccount,
      Accept: 'application/json',
    };
    if (payload !== undefined) headers['Content-Type'] = 'application/json;charset=utf-8';
    const response = await this.#fetch(`${this.apiUrl}${path}`, { method, headers, body: payload, signal: this.signalFor(signal) });
    return { response, text: await response.text() };
  }

  /** HTTP statuses that say no before any body is read: authentication, and the host being unavailable. */
  private refuseByStatus(response: Response, operation: string, log: CallLog): void {
    const status = response.status;
    if (status === 401) {
      log(status, 'auth_error');
      throw new ChorusAuthError({
        operation,
        reason: 'unauthorized',
        httpStatus: status,
        wwwAuthenticate: response.headers.get('www-authenticate') ?? undefined,
      });
    }
    if (status === 403) {
      log(status, 'auth_error');
      throw new ChorusAuthError({ operation, reason: 'forbidden', httpStatus: status });
    }
    if (status === 408 || status === 429 || status >= 500) {
      log(status, 'transient_error');
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.#now());
      // Over the quota: every call of the process waits, not just this one.
      if (status === 429) this.#slowDown?.pause(retryAfterMs);
      throw new ChorusTransientError(`Chorus Pro is unavailable for ${operation} (HTTP ${status})`, { operation, httpStatus: status, retryAfterMs });
    }
  }

  /** The envelope's business verdict (`codeRetour`), then the answer's shape. */
  private readAnswer<S extends z.ZodType>(status: number, text: string, schema: S, operation: string, log: CallLog): z.output<S> {
    const json = parseJson(text);
    const envelope = readEnvelope(json);
    if (status >= 400 || (envelope.codeRetour !== null && envelope.codeRetour !== 0)) {
      log(status, 'business_error', envelope.codeRetour ?? undefined);
      throw new ChorusBusinessError({
        operation,
        httpStatus: status,
        codeRetour: envelope.codeRetour,
        libelle: envelope.libelle ?? (status >= 400 ? (summarize(text) ?? `HTTP ${status}`) : ''),
      });
    }
    // A non-JSON body is handed to the schema as text: only an endpoint that accepts text (health-check) takes it.
    const parsed = schema.safeParse(json === undefined ? text : json);
    if (!parsed.success) {
      log(status, 'transient_error');
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown shape';
      throw new ChorusTransientError(`Chorus Pro sent an unexpected answer to ${operation} (${where})`, {
        operation,
        httpStatus: status,
      });
    }
    log(status, 'ok', envelope.codeRetour ?? undefined);
    return parsed.data;
  }

  /** The cached token while it is fresh enough; otherwise one shared request for every concurrent caller. */
  private getToken(): Promise<CachedToken> {
    const token = this.#token;
    if (token && this.#now() < token.renewAt) return Promise.resolve(token);
    if (!this.#pendingToken) {
      // Not tied to any caller's signal: it is shared, one caller's cancellation must not fail the others.
      this.#pendingToken = this.fetchToken()
        .then((fresh) => {
          this.#token = fresh;
          return fresh;
        })
        .finally(() => {
          this.#pendingToken = undefined;
        });
    }
    return this.#pendingToken;
  }

  /** Drop a token PISTE refused, unless a concurrent caller already replaced it. */
  private invalidate(refused: CachedToken): void {
    if (this.#token?.value === refused.value) this.#token = undefined;
  }

  private async fetchToken(): Promise<CachedToken> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.requestToken(attempt);
      } catch (error) {
        // PISTE now and then answers invalid_client to valid credentials (docs/reference/chorus-pro-api.md §1): ask again before
        // declaring the configuration wrong. A real misconfiguration still fails, only a little later.
        if (error instanceof ChorusAuthError && error.error === 'invalid_client' && attempt <= this.#invalidClientRetries) {
          await new Promise((resolve) => setTimeout(resolve, this.#invalidClientRetryDelayMs));
          continue;
        }
        throw error;
      }
    }
  }

  private async requestToken(attempt: number): Promise<CachedToken> {
    const path = pathOf(this.oauthUrl);
    const operation = `POST ${path}`;
    const started = this.#now();
    const log = (status: number | null, outcome: ChorusCallLog['outcome']) =>
      this.log({ kind: 'token', method: 'POST', path, status, durationMs: this.#now() - started, attempt, outcome });

    let response: Response;
    let text: string;
    try {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: this.#credentials.clientId,
        client_secret: this.#credentials.clientSecret,
        scope: this.#scope,
      });
      response = await this.#fetch(this.oauthUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal: this.signalFor(undefined),
      });
      text = await response.text();
    } catch (error) {
      log(null, 'transient_error');
      throw this.networkError(error, operation, undefined);
    }

    const status = response.status;
    if (status === 429 || status >= 500) {
      log(status, 'transient_error');
      throw new ChorusTransientError(`PISTE token endpoint is unavailable (HTTP ${status})`, {
        operation,
        httpStatus: status,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), this.#now()),
      });
    }
    const json = parseJson(text);
    const fields = isRecord(json) ? json : {};
    if (status >= 400) {
      log(status, 'auth_error');
      throw new ChorusAuthError({
        operation,
        reason: 'token_refused',
        httpStatus: status,
        error: typeof fields.error === 'string' ? fields.error : undefined,
        error_description: typeof fields.error_description === 'string' ? fields.error_description : undefined,
      });
    }
    const accessToken = fields.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
      log(status, 'transient_error');
      throw new ChorusTransientError(`PISTE token endpoint answered HTTP ${status} without an access_token`, {
        operation,
        httpStatus: status,
      });
    }
    const expiresIn = Number(fields.expires_in);
    const lifetimeMs = (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_LIFETIME_S) * 1000;
    // With short-lived tokens (tests, odd gateways) a 240 s margin would mean "never cache": cap it.
    const margin = Math.min(this.#renewalMarginMs, lifetimeMs / 2);
    log(status, 'ok');
    return { value: accessToken, renewAt: started + lifetimeMs - margin };
  }

  private signalFor(callerSignal: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    return callerSignal ? AbortSignal.any([timeout, callerSignal]) : timeout;
  }

  /** Transport failures become transient, except a cancellation by the caller, which is passed through. */
  private networkError(error: unknown, operation: string, callerSignal: AbortSignal | undefined): unknown {
    if (callerSignal?.aborted) return callerSignal.reason;
    // Duck-typed: fetch's DOMException may come from another realm (vm contexts, test runners).
    const name = errorField(error, 'name');
    if (name === 'TimeoutError' || name === 'AbortError') {
      return new ChorusTransientError(`${operation} timed out after ${this.timeoutMs} ms`, {
        operation,
        timedOut: true,
        cause: error,
      });
    }
    const cause = errorField(errorCause(error), 'message');
    const detail = errorField(error, 'message') ?? String(error);
    return new ChorusTransientError(`${operation} failed before Chorus Pro answered: ${detail}${cause ? ` (${cause})` : ''}`, {
      operation,
      cause: error,
    });
  }

  private log(entry: ChorusCallLog): void {
    if (!this.#logger) return;
    try {
      this.#logger(entry);
    } catch {
      // A broken logger must not turn a successful call into a failure.
    }
  }
}

/**
 * The shared token request, waited for until the caller's signal aborts: that caller stops waiting (with the
 * signal's reason), the request goes on for the others.
 */
function abortable<T>(shared: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return shared;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A string property of a thrown value, whatever realm its class comes from. */
function errorField(error: unknown, field: 'name' | 'message'): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}

function errorCause(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>).cause : undefined;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The Chorus envelope, if the body has one (`codeRetour` is sometimes sent as a string). */
function readEnvelope(json: unknown): { codeRetour: number | null; libelle: string | null } {
  if (!isRecord(json)) return { codeRetour: null, libelle: null };
  const raw = json.codeRetour;
  const code = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : null;
  const libelle = typeof json.libelle === 'string' ? json.libelle : null;
  return { codeRetour: code, libelle };
}

/** A short, single-line excerpt of a non-JSON error body (an HTML error page, a proxy message). */
function summarize(text: string): string | undefined {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return undefined;
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}
