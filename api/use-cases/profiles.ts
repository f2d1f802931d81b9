/** Producer and buyer profiles, pushed by the Agrilocal backend: PUT creates (201) or replaces (200). */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Buyer, Producer } from '../../db/entities';
import { toBuyer, toProducer } from '../invoice-view';
import { producerBody, type BuyerBody, type BuyerResponse, type ProducerBody, type ProducerResponse } from '../schemas';
import { ApiError, notFound } from '../errors';
import { parse } from '../http';
import type { UseCaseContext } from './context';

export interface Upserted<T> {
  created: boolean;
  value: T;
}

/** Find-then-write, retried once as an update when a concurrent PUT created the row first. */
async function upsert<T>(attempt: () => Promise<Upserted<T>>, ctx: UseCaseContext): Promise<Upserted<T>> {
  try {
    return await attempt();
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
    ctx.em.clear();
    return attempt();
  }
}

/**
 * Opening the Chorus flow needs our technical account attached to the producer's structure: refused now, when
 * the platform can tell him, rather than on his first invoice. When Chorus cannot answer, the profile is taken
 * and the check runs again before each deposit.
 */
async function checkChorusAttachment(ctx: UseCaseContext, siret: string, body: ProducerBody): Promise<void> {
  if (!body.chorusEnabled) return;
  const existing = await ctx.em.findOne(Producer, { siret });
  if (existing?.chorusEnabled) return;
  let attached: boolean;
  try {
    attached = await ctx.chorusAccount.isAttached(siret);
  } catch {
    return;
  }
  if (attached) return;
  const message =
    `La structure ${siret} n'est pas rattachée au compte technique Agrilocal sur Chorus Pro : sur le portail Chorus Pro, ` +
    "le producteur doit demander le rattachement de sa structure au compte technique d'Agrilocal (rubrique « Gestion des rattachements ») avant d'ouvrir le flux.";
  throw new ApiError('CHORUS_ACCOUNT_NOT_ATTACHED', message, [{ path: 'body.chorusEnabled', message }]);
}

export async function putProducer(ctx: UseCaseContext, siret: string, body: ProducerBody): Promise<Upserted<ProducerResponse>> {
  await checkChorusAttachment(ctx, siret, body);
  const data = {
    name: body.name,
    email: body.email,
    address: body.address,
    vatNumber: body.vatNumber ?? null,
    chorusEnabled: body.chorusEnabled,
    paymentMethod: body.paymentMethod,
  };
  return upsert(async () => {
    const existing = await ctx.em.findOne(Producer, { siret });
    const row = existing ? ctx.em.assign(existing, data, { mergeObjectProperties: false }) : ctx.em.create(Producer, { siret, ...data });
    await ctx.em.flush();
    return { created: !existing, value: toProducer(row) };
  }, ctx);
}

export async function putBuyer(ctx: UseCaseContext, siret: string, body: BuyerBody): Promise<Upserted<BuyerResponse>> {
  const data = {
    name: body.name,
    email: body.email,
    kind: body.kind,
    address: body.address,
    vatNumber: body.vatNumber ?? null,
    serviceCode: body.serviceCode ?? null,
  };
  return upsert(async () => {
    const existing = await ctx.em.findOne(Buyer, { siret });
    const row = existing ? ctx.em.assign(existing, data, { mergeObjectProperties: false }) : ctx.em.create(Buyer, { siret, ...data });
    await ctx.em.flush();
    return { created: !existing, value: toBuyer(row) };
  }, ctx);
}

export async function getProducer(ctx: UseCaseContext, siret: string): Promise<ProducerResponse> {
  const row = await ctx.em.findOne(Producer, { siret });
  if (!row) throw notFound(`No producer profile with SIRET ${siret}.`, 'siret');
  return toProducer(row);
}

/** What a producer may change himself (his web space's profile page); the platform keeps his name, e-mail and address. */
export interface ProducerSettings {
  chorusEnabled: unknown;
  paymentMethod: unknown;
  vatNumber: unknown;
}

/**
 * The producer's own changes, saved through the same schema and the same use case as PUT /producers: the
 * fields he may not change are taken from his stored profile.
 */
export async function updateProducerSettings(ctx: UseCaseContext, siret: string, settings: ProducerSettings): Promise<ProducerResponse> {
  const current = await getProducer(ctx, siret);
  const body = parse(producerBody, { name: current.name, email: current.email, address: current.address, ...settings }, 'body');
  return (await putProducer(ctx, siret, body)).value;
}
