/**
 * What PISTE does in front of Chorus Pro: the OAuth2 token endpoint, the bearer-token and `cpro-account` checks
 * (`PisteAccess`: the accepted credentials and the tokens issued), plus the sandbox's fault injection (latency,
 * 503, spurious 401, spurious invalid_client) and call counting.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { SandboxCredentials } from './model';
import type { SandboxState } from './state';

export const TOKEN_PATH = '/api/oauth/token';

const WWW_AUTHENTICATE = {
  missingToken: 'Bearer realm="PISTE",error="invalid_token",error_description="Missing access token"',
  invalidToken: 'Bearer realm="PISTE",error="invalid_token",error_description="Invalid access token"',
  expiredToken: 'Bearer realm="PISTE",error="invalid_token",error_description="Access token expired"',
  // Verbatim from a real answer (OCA PR #425).
  badAccount: 'Bearer realm="PISTE",error="Unauthorized",error_description="login or password incorrects"',
} as const;

/**
 * Accepted when none are given: the same values as the application's development defaults (DEV_DEFAULTS of
 * config/index.ts, which the simulator does not import; test/chorus/sandbox-http.test.ts checks they agree), so
 * that an app and a sandbox both left unconfigured talk to each other.
 */
export const SANDBOX_DEFAULT_CREDENTIALS: Readonly<SandboxCredentials> = {
  clientId: 'agrilocal-dev-client',
  clientSecret: 'agrilocal-dev-secret',
  techLogin: 'TECH_1_agrilocal@cpro.fr',
  techPassword: 'agrilocal-dev-password',
};

export type TokenCheck = 'valid' | 'expired' | 'unknown';

/**
 * PISTE's side of authentication: the OAuth client and technical account it accepts, and the tokens it issued
 * (kept in memory only, across resets; lifetime and clock taken from the state).
 */
export class PisteAccess {
  readonly credentials: SandboxCredentials;
  private readonly tokens = new Map<string, number>();

  constructor(
    credentials: Partial<SandboxCredentials> | undefined,
    private readonly state: Pick<SandboxState, 'now' | 'config'>,
  ) {
    this.credentials = {
      clientId: credentials?.clientId ?? SANDBOX_DEFAULT_CREDENTIALS.clientId,
      clientSecret: credentials?.clientSecret ?? SANDBOX_DEFAULT_CREDENTIALS.clientSecret,
      techLogin: credentials?.techLogin ?? SANDBOX_DEFAULT_CREDENTIALS.techLogin,
      techPassword: credentials?.techPassword ?? SANDBOX_DEFAULT_CREDENTIALS.techPassword,
    };
  }

  issueToken(): { access_token: string; expires_in: number } {
    const now = this.state.now();
    if (this.tokens.size > 10_000) {
      for (const [token, expiresAt] of this.tokens) if (expiresAt <= now) this.tokens.delete(token);
    }
    const token = randomBytes(24).toString('base64url');
    const lifetimeMs = this.state.config.tokenLifetimeMs;
    this.tokens.set(token, now + lifetimeMs);
    return { access_token: token, expires_in: Math.ceil(lifetimeMs / 1000) };
  }

  checkToken(token: string): TokenCheck {
    const expiresAt = this.tokens.get(token);
    if (expiresAt === undefined) return 'unknown';
    return this.state.now() < expiresAt ? 'valid' : 'expired';
  }

  checkClient(clientId: string, clientSecret: string): boolean {
    return sameText(clientId, this.credentials.clientId) && sameText(clientSecret, this.credentials.clientSecret);
  }

  /**
   * `cpro-account` = base64(UTF-8 "login:password"): the main technical account (`main`), another one registered
   * with its password (its login), or `refused` (unknown login or wrong password: the same answer, like PISTE).
   */
  checkCproAccount(header: string | undefined): { account: 'main' } | { account: 'other'; login: string } | { account: 'refused' } {
    if (!header) return { account: 'refused' };
    const decoded = Buffer.from(header.trim(), 'base64').toString('utf8');
    if (sameText(decoded, `${this.credentials.techLogin}:${this.credentials.techPassword}`)) return { account: 'main' };
    const colon = decoded.indexOf(':');
    const login = colon < 0 ? decoded : decoded.slice(0, colon);
    const other = this.state.config.technicalAccounts.find((a) => a.login === login);
    return other && sameText(decoded, `${other.login}:${other.password}`) ? { account: 'other', login } : { account: 'refused' };
  }
}

/** Counts every call received, before any check, under "METHOD /path" (query string dropped). */
export function countCalls(state: SandboxState): RequestHandler {
  return (req, _res, next) => {
    state.recordCall(`${req.method} ${req.originalUrl.split('?')[0] ?? ''}`);
    next();
  };
}

/**
 * PISTE's quota (`faults.callsPerSecondQuota`): beyond it in the current second, 429 with Retry-After until the
 * next second. Counted per application (every account's calls together), like PISTE.
 */
export function enforceQuota(state: SandboxState): RequestHandler {
  let second = 0;
  let used = 0;
  return (_req, res, next) => {
    const quota = state.config.faults.callsPerSecondQuota;
    if (quota > 0) {
      const now = state.now();
      const current = Math.floor(now / 1000);
      if (current !== second) {
        second = current;
        used = 0;
      }
      used += 1;
      if (used > quota) {
        state.recordCall('429');
        res
          .status(429)
          .set('Retry-After', '1')
          .json({ error: 'too_many_requests', error_description: `Quota exceeded: ${quota} calls per second for this application (sandbox)` });
        return;
      }
    }
    next();
  };
}

/** Latency then random 503, as configured under `faults`. */
export function injectFaults(state: SandboxState): RequestHandler {
  return async (_req: Request, res: Response, next: NextFunction) => {
    const { latencyMs, errorRate5xx } = state.config.faults;
    if (latencyMs > 0) await state.sleep(latencyMs);
    if (state.chance(errorRate5xx)) {
      res
        .status(503)
        .set('Retry-After', '1')
        .json({ error: 'service_unavailable', error_description: 'Service temporarily unavailable (sandbox fault injection)' });
      return;
    }
    next();
  };
}

/** `POST /api/oauth/token`, form-encoded `grant_type=client_credentials`, `client_id`, `client_secret`, `scope`. */
export function tokenEndpoint(state: SandboxState, piste: PisteAccess): RequestHandler[] {
  const handler: RequestHandler = (req, res) => {
    const form = (typeof req.body === 'object' && req.body !== null ? req.body : {}) as Record<string, unknown>;
    const field = (name: string): string | undefined => (typeof form[name] === 'string' ? form[name] : undefined);
    res.set('Cache-Control', 'no-store');
    const grantType = field('grant_type');
    if (grantType === undefined) {
      res.status(400).json({ error: 'invalid_request', error_description: 'Missing grant_type (form-encoded body expected)' });
      return;
    }
    if (grantType !== 'client_credentials') {
      res.status(400).json({ error: 'unsupported_grant_type', error_description: `Unsupported grant_type ${grantType}` });
      return;
    }
    const basic = basicCredentials(req.get('authorization'));
    const clientId = field('client_id') ?? basic?.id ?? '';
    const clientSecret = field('client_secret') ?? basic?.secret ?? '';
    // Same answer for an unknown id and a wrong secret, like PISTE.
    if (!piste.checkClient(clientId, clientSecret) || state.chance(state.config.faults.invalidClientRate)) {
      res.status(400).json({ error: 'invalid_client', error_description: 'Client authentication failed' });
      return;
    }
    const { access_token, expires_in } = piste.issueToken();
    res.json({ access_token, token_type: 'Bearer', expires_in, scope: field('scope') ?? 'openid' });
  };
  return [express.urlencoded({ extended: false, limit: '16kb' }), handler];
}

/** Bearer token issued by us and not expired, then the technical account; 401 with PISTE's header otherwise. */
export function requirePisteAuth(state: SandboxState, piste: PisteAccess): RequestHandler {
  return (req, res, next) => {
    const refuse = (wwwAuthenticate: string, description: string) => {
      res.status(401).set('WWW-Authenticate', wwwAuthenticate).json({ error: 'unauthorized', error_description: description });
    };
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    const token = match?.[1];
    if (!token) return refuse(WWW_AUTHENTICATE.missingToken, 'Missing access token');
    const check = piste.checkToken(token);
    if (check === 'unknown') return refuse(WWW_AUTHENTICATE.invalidToken, 'Invalid access token');
    if (check === 'expired') return refuse(WWW_AUTHENTICATE.expiredToken, 'Access token expired');
    const account = piste.checkCproAccount(req.get('cpro-account'));
    if (account.account === 'refused') return refuse(WWW_AUTHENTICATE.badAccount, 'login or password incorrects');
    // The routes answer for this account (its attachments, its password expiry); unset for the main one.
    if (account.account === 'other') res.locals.technicalAccount = account.login;
    // PISTE sometimes refuses a valid token when calls come fast (docs/reference/chorus-pro-api.md §1): simulate it.
    if (state.chance(state.config.faults.spurious401Rate)) return refuse(WWW_AUTHENTICATE.expiredToken, 'Access token expired');
    next();
  };
}

function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** Constant-time comparison (of the UTF-8 bytes), so that a wrong secret takes as long as a right one. */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
