/**
 * A producer's own Chorus technical account, given by the platform (PUT, DELETE) and shown on his profile
 * (GET): login and password expiry only, never the password. Before it is kept, Chorus is asked with it: a
 * refused login or password, or a structure not attached to it, is a 422 now rather than rejected flows later.
 * The admin reads every account's password expiry (GET /admin/chorus-accounts), as /readyz the platform's.
 */
import type { FilterQuery } from '@mikro-orm/core';
import { ChorusAuthError, type TechnicalAccount } from '../../chorus';
import { removeProducerChorusAccount, saveProducerChorusAccount } from '../../db/chorus-accounts';
import { Producer, ProducerChorusAccount, type IProducerChorusAccount } from '../../db/entities';
import { passwordDaysLeft, passwordExpiryRange, passwordExpiryState, type PasswordExpiryState } from '../../domain/password-expiry';
import { ApiError, notFound } from '../errors';
import { toProducer } from '../invoice-view';
import type { ChorusAccountBody, ChorusAccountsQuery, ChorusAccountsResponse, ProducerResponse } from '../schemas';
import type { UseCaseContext } from './context';
import { notAttached, type Upserted } from './profiles';

async function producerOf(ctx: UseCaseContext, siret: string) {
  const producer = await ctx.em.findOne(Producer, { siret });
  if (!producer) throw notFound(`No producer profile for SIRET ${siret}.`, 'path.siret');
  return producer;
}

/** What Chorus says of the account for this producer: refused, not attached, or its password expiry (undefined: no answer). */
async function askChorus(ctx: UseCaseContext, siret: string, body: ChorusAccountBody) {
  const { account } = ctx.chorusAccounts.for(body);
  try {
    const attached = await account.isAttached(siret);
    if (!attached) throw notAttached(siret, body.login, 'body.login');
    return { passwordExpiresAt: await account.passwordExpiresAt(), readAt: new Date() };
  } catch (error) {
    if (error instanceof ChorusAuthError) {
      const message = 'Chorus Pro refuse ce compte technique : identifiant ou mot de passe incorrect (ou mot de passe expiré).';
      throw new ApiError('CHORUS_CREDENTIALS_REFUSED', message, [{ path: 'body.password', message }]);
    }
    if (error instanceof ApiError) throw error;
    // Chorus unreachable: kept anyway; the attachment is checked again before each deposit.
    return undefined;
  }
}

export async function putChorusAccount(ctx: UseCaseContext, siret: string, body: ChorusAccountBody): Promise<Upserted<ProducerResponse>> {
  const producer = await producerOf(ctx, siret);
  const expiry = await askChorus(ctx, siret, body);
  const { created, row } = await saveProducerChorusAccount(ctx.em, ctx.credentialsKey, siret, body, expiry);
  return { created, value: toProducer(producer, row) };
}

/** Back to the platform's account (idempotent). */
export async function deleteChorusAccount(ctx: UseCaseContext, siret: string): Promise<void> {
  await producerOf(ctx, siret);
  await removeProducerChorusAccount(ctx.em, siret);
}

/**
 * What /readyz says of our Chorus technical account: when its password expires, as last read, and how old that
 * reading is. Information only (Chorus being unreachable does not make the API unready: invoices wait and retry),
 * so it never waits for Chorus: a stale value is refreshed in the background (bounded by the health-check
 * deadline) and a failed read is not asked again for 30 s. `unreachable`: the last read failed; the value before
 * it, if any, is still given with its age. `checking`: the first read is under way.
 */
export function technicalAccountStatus(account: TechnicalAccount, timeoutMs: number, now = Date.now()) {
  const reading = account.peekPasswordExpiry({ timeoutMs });
  const expiresAt = reading.value ?? null;
  const daysLeft = passwordDaysLeft(expiresAt, now);
  const known = reading.value === undefined ? ('checking' as const) : passwordExpiryState(expiresAt, now);
  const failed = reading.failedAt !== undefined;
  return {
    status: failed ? ('unreachable' as const) : known,
    passwordExpiresAt: expiresAt,
    daysLeft,
    /** When the value was read from Chorus, and its age in seconds (null: never read). */
    readAt: reading.readAt === undefined ? null : new Date(reading.readAt).toISOString(),
    ageSeconds: reading.readAt === undefined ? null : Math.round((now - reading.readAt) / 1000),
    ...(failed ? { lastFailureAt: new Date(reading.failedAt ?? now).toISOString() } : {}),
  };
}

/** The rows in `state` as of `now` (the boundaries are domain/password-expiry.ts'). */
function inState(state: PasswordExpiryState | undefined, now: number): FilterQuery<IProducerChorusAccount> {
  if (state === undefined) return {};
  const range = passwordExpiryRange(state, now);
  if (range === null) return { passwordExpiresAt: null };
  const { gt, gte, lt, lte } = range;
  return { passwordExpiresAt: { ...(gt && { $gt: gt }), ...(gte && { $gte: gte }), ...(lt && { $lt: lt }), ...(lte && { $lte: lte }) } };
}

/** Every technical account and its password expiry: the platform's (as this process last read it), then the producers' own. */
export async function listChorusAccounts(ctx: UseCaseContext, query: ChorusAccountsQuery, rpcTimeoutMs = 5_000): Promise<ChorusAccountsResponse> {
  const now = Date.now();
  const platform = technicalAccountStatus(ctx.chorusAccounts.platform.account, rpcTimeoutMs, now);
  const rows = await ctx.em.find(
    ProducerChorusAccount,
    { $and: [query.after ? { producerSiret: { $gt: query.after } } : {}, inState(query.state, now)] },
    { orderBy: { producerSiret: 'asc' }, limit: query.pageSize + 1 },
  );
  const page = rows.slice(0, query.pageSize);
  const names = new Map(
    (await ctx.em.find(Producer, { siret: { $in: page.map((r) => r.producerSiret) } }, { fields: ['siret', 'name'] })).map((p) => [p.siret, p.name]),
  );
  return {
    platform: {
      login: ctx.chorusAccounts.platform.login,
      state: platform.status,
      passwordExpiresAt: platform.passwordExpiresAt,
      daysLeft: platform.daysLeft,
      readAt: platform.readAt,
    },
    producers: page.map((r) => ({
      producerSiret: r.producerSiret,
      producerName: names.get(r.producerSiret) ?? null,
      login: r.login,
      // Recomputed against `now` (the stored one is a date, the state moves with time).
      state: passwordExpiryState(r.passwordExpiresAt ?? null, now),
      passwordExpiresAt: r.passwordExpiresAt?.toISOString() ?? null,
      daysLeft: passwordDaysLeft(r.passwordExpiresAt ?? null, now),
      readAt: r.expiryReadAt?.toISOString() ?? null,
    })),
    next: rows.length > query.pageSize ? (page[page.length - 1]?.producerSiret ?? null) : null,
  };
}
