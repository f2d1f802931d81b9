/**
 * Sign-in to the producer's web space: the platform asks for a single-use link (15 minutes); opening it starts
 * a browser session (8 hours) with its own CSRF token. Secrets travel once (in the link, in the cookie); only
 * their SHA-256 digests are stored, so a database dump opens nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { LoginLink, Producer, WebSession } from '../../db/entities';
import { ApiError } from '../errors';
import type { UseCaseContext } from './context';

export const LOGIN_LINK_TTL_MS = 15 * 60_000;
export const SESSION_TTL_MS = 8 * 60 * 60_000;

/** Secrets are 32 random bytes, base64url: 43 characters. */
const SECRET = /^[A-Za-z0-9_-]{43}$/;
const newSecret = (): string => randomBytes(32).toString('base64url');
export const digestOf = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

export interface LoginLinkResponse {
  url: string;
  expiresAt: string;
}

/** POST /producers/{siret}/login-links: a link for a producer who has a profile. */
export async function createLoginLink(ctx: Pick<UseCaseContext, 'em' | 'config'>, siret: string, now = new Date()): Promise<LoginLinkResponse> {
  const producer = await ctx.em.findOne(Producer, { siret });
  if (!producer) {
    throw new ApiError('UNKNOWN_PRODUCER', `No producer profile with SIRET ${siret}: create it with PUT /api/v1/producers/${siret} first.`, [
      { path: 'siret', message: 'unknown producer' },
    ]);
  }
  const token = newSecret();
  const expiresAt = new Date(now.getTime() + LOGIN_LINK_TTL_MS);
  ctx.em.create(LoginLink, { tokenHash: digestOf(token), producerSiret: siret, expiresAt, usedAt: null });
  await ctx.em.flush();
  return { url: `${ctx.config.PUBLIC_APP_URL.replace(/\/$/, '')}/connexion/${token}`, expiresAt: expiresAt.toISOString() };
}

export type SignIn =
  | { ok: true; sessionId: string; session: { producerSiret: string; csrfToken: string; expiresAt: Date } }
  | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/**
 * Consumes a link and opens a session. One conditional UPDATE takes the link, so two tabs opening it at once
 * get one session between them; then why a refused link was refused, for the page that says so.
 */
export async function signInWithLink(ctx: Pick<UseCaseContext, 'em'>, token: string, now = new Date()): Promise<SignIn> {
  if (!SECRET.test(token)) return { ok: false, reason: 'unknown' };
  const tokenHash = digestOf(token);
  const taken = await ctx.em.nativeUpdate(LoginLink, { tokenHash, usedAt: null, expiresAt: { $gt: now } }, { usedAt: now });
  const link = await ctx.em.findOne(LoginLink, { tokenHash });
  if (taken !== 1 || !link) return { ok: false, reason: !link ? 'unknown' : link.usedAt ? 'used' : 'expired' };
  const sessionId = newSecret();
  const session = { producerSiret: link.producerSiret, csrfToken: newSecret(), expiresAt: new Date(now.getTime() + SESSION_TTL_MS) };
  ctx.em.create(WebSession, { idHash: digestOf(sessionId), ...session });
  await ctx.em.flush();
  return { ok: true, sessionId, session };
}

export interface OpenSession {
  producerSiret: string;
  csrfToken: string;
  expiresAt: Date;
}

/** The session behind a cookie, while it lasts. */
export async function findSession(ctx: Pick<UseCaseContext, 'em'>, sessionId: string | undefined, now = new Date()): Promise<OpenSession | null> {
  if (!sessionId || !SECRET.test(sessionId)) return null;
  const row = await ctx.em.findOne(WebSession, { idHash: digestOf(sessionId), expiresAt: { $gt: now } });
  return row ? { producerSiret: row.producerSiret, csrfToken: row.csrfToken, expiresAt: row.expiresAt } : null;
}

/** Sign-out: the session ends now, whatever the browser keeps. Expired rows and links go at the same time. */
export async function signOut(ctx: Pick<UseCaseContext, 'em'>, sessionId: string, now = new Date()): Promise<void> {
  await ctx.em.nativeDelete(WebSession, { $or: [{ idHash: digestOf(sessionId) }, { expiresAt: { $lte: now } }] });
  await ctx.em.nativeDelete(LoginLink, { expiresAt: { $lte: new Date(now.getTime() - 24 * 60 * 60_000) } });
}
