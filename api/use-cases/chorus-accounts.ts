/**
 * A producer's own Chorus technical account, given by the platform (PUT, DELETE) and shown on his profile
 * (GET): login and password expiry only, never the password. Before it is kept, Chorus is asked with it: a
 * refused login or password, or a structure not attached to it, is a 422 now rather than rejected flows later.
 */
import { ChorusAuthError } from '../../chorus';
import { removeProducerChorusAccount, saveProducerChorusAccount } from '../../db/chorus-accounts';
import { Producer } from '../../db/entities';
import { ApiError, notFound } from '../errors';
import { toProducer } from '../invoice-view';
import type { ChorusAccountBody, ProducerResponse } from '../schemas';
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

