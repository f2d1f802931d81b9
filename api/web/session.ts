/**
 * The web space's session plumbing: the session cookie (HttpOnly, SameSite=Lax, Secure in production), the page
 * a producer is sent back to after signing in, and the CSRF check of every form (a per-session token in a hidden
 * field, compared in constant time).
 */
import { timingSafeEqual } from 'node:crypto';
import type { CookieOptions, Request, Response } from 'express';
import type { Config } from '../../config';
import type { OpenSession } from '../use-cases/sessions';

export const SESSION_COOKIE = 'agrilocal_session';
/** Where a producer who opened a mail link without a session goes once signed in. */
export const NEXT_COOKIE = 'agrilocal_next';
const NEXT_TTL_MS = 30 * 60_000;

declare module 'express-serve-static-core' {
  interface Request {
    /** Set on the web space's pages once the session cookie is checked. */
    webSession?: OpenSession;
  }
}

/** The cookies of the request (the few this app reads; no dependency for a one-line header). */
export function readCookies(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

export function cookieOptions(config: Pick<Config, 'NODE_ENV'>, maxAgeMs?: number): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.NODE_ENV === 'production',
    path: '/',
    ...(maxAgeMs !== undefined ? { maxAge: maxAgeMs } : {}),
  };
}

/** Pages of the space a producer may be sent back to (never another site: open redirects are refused). */
const SPACE_PATH = /^\/(factures(\/[0-9a-fA-F-]{36})?|profil)(\?[\w=&%-]*)?$/;
export const isSpacePath = (path: string): boolean => SPACE_PATH.test(path);

export function rememberNext(res: Response, config: Pick<Config, 'NODE_ENV'>, path: string): void {
  if (isSpacePath(path)) res.cookie(NEXT_COOKIE, path, cookieOptions(config, NEXT_TTL_MS));
}

export function takeNext(req: Request, res: Response, config: Pick<Config, 'NODE_ENV'>): string {
  const next = readCookies(req)[NEXT_COOKIE];
  if (next !== undefined) res.clearCookie(NEXT_COOKIE, cookieOptions(config));
  return next && isSpacePath(next) ? next : '/factures';
}

/** The form's `_csrf` field is the session's token. */
export function csrfValid(session: OpenSession, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(session.csrfToken);
  return a.length === b.length && timingSafeEqual(a, b);
}
