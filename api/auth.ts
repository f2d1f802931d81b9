/**
 * Who is calling (docs/reference/api-contract.md §2): the platform (AGRILOCAL_API_KEY), a producer (JWT HS256 signed with
 * PRODUCER_JWT_SECRET, `sub` = his SIRET, `role: "producer"`) or an admin (ADMIN_API_KEY, read-only).
 * Keys are compared on their SHA-256 digests with timingSafeEqual: same length, constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type * as Jose from 'jose' with { 'resolution-mode': 'import' };
import type { Config } from '../config';
import { ApiError } from './errors';
import { isSiret } from './checks';

export type Caller = { kind: 'platform' } | { kind: 'admin' } | { kind: 'producer'; siret: string };
export type CallerKind = Caller['kind'];

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `authenticate` on every /api/v1 route. */
    caller?: Caller;
  }
}

export type AuthConfig = Pick<Config, 'AGRILOCAL_API_KEY' | 'ADMIN_API_KEY' | 'PRODUCER_JWT_SECRET'>;

// jose is ESM-only: loaded once, lazily (Node 20.20 and jest's swc transform both resolve it).
let jose: Promise<typeof Jose> | undefined;
const loadJose = (): Promise<typeof Jose> => (jose ??= import('jose'));

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const MAX_CREDENTIAL_LENGTH = 4096;
const unauthenticated = (message: string) => new ApiError('UNAUTHENTICATED', message);

/** Reads the Authorization header and returns the caller, or throws 401 UNAUTHENTICATED. */
export function createAuthenticator(config: AuthConfig): (authorization: string | undefined) => Promise<Caller> {
  const platformKey = digest(config.AGRILOCAL_API_KEY);
  const adminKey = digest(config.ADMIN_API_KEY);
  const jwtKey = new TextEncoder().encode(config.PRODUCER_JWT_SECRET);

  return async (authorization) => {
    if (!authorization) throw unauthenticated('Missing credential: send "Authorization: Bearer <API key or producer token>".');
    const match = /^Bearer +(\S+) *$/i.exec(authorization);
    const credential = match?.[1];
    if (!credential || credential.length > MAX_CREDENTIAL_LENGTH) {
      throw unauthenticated('Malformed Authorization header: expected "Bearer <API key or producer token>".');
    }
    const given = digest(credential);
    // Both comparisons always run, so timing does not tell which key was close.
    const isPlatform = timingSafeEqual(given, platformKey);
    const isAdmin = timingSafeEqual(given, adminKey);
    if (isPlatform) return { kind: 'platform' };
    if (isAdmin) return { kind: 'admin' };
    if (credential.split('.').length !== 3) throw unauthenticated('Invalid credential.');
    try {
      const { jwtVerify } = await loadJose();
      const { payload } = await jwtVerify(credential, jwtKey, { algorithms: ['HS256'] });
      if (payload.role !== 'producer' || typeof payload.sub !== 'string' || !isSiret(payload.sub)) {
        throw unauthenticated('Invalid producer token: it needs "role": "producer" and "sub" = the producer\'s SIRET.');
      }
      return { kind: 'producer', siret: payload.sub };
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if ((err as { code?: string }).code === 'ERR_JWT_EXPIRED') throw unauthenticated('The producer token has expired: get a new one from the platform.');
      throw unauthenticated('Invalid credential.');
    }
  };
}

/** Express middleware: every /api/v1 route needs a caller. */
export function authenticate(config: AuthConfig): RequestHandler {
  const identify = createAuthenticator(config);
  return async (req, _res, next) => {
    req.caller = await identify(req.headers.authorization);
    next();
  };
}

const ROLE_TEXT: Record<CallerKind, string> = {
  platform: 'the platform (Agrilocal backend) key',
  producer: 'a producer token',
  admin: 'the admin key',
};

/** Express middleware: only these kinds of callers (403 FORBIDDEN otherwise). */
export function allow(...kinds: CallerKind[]): RequestHandler {
  return (req, _res, next) => {
    const caller = req.caller;
    if (!caller) throw unauthenticated('Missing credential.');
    if (!kinds.includes(caller.kind)) {
      throw new ApiError('FORBIDDEN', `This route is not open to ${ROLE_TEXT[caller.kind]}: it needs ${kinds.map((k) => ROLE_TEXT[k]).join(' or ')}.`);
    }
    next();
  };
}

export function callerOf(req: { caller?: Caller }): Caller {
  if (!req.caller) throw unauthenticated('Missing credential.');
  return req.caller;
}

/** A producer token as the platform would issue it (tests, docs, dev tooling). */
export async function signProducerToken(
  secret: string,
  siret: string,
  options: { expiresIn?: string | number; role?: string; algorithm?: string } = {},
): Promise<string> {
  const { SignJWT } = await loadJose();
  return new SignJWT({ role: options.role ?? 'producer' })
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setSubject(siret)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(secret));
}
