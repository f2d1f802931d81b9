/** Producer and buyer profiles, pushed by the Agrilocal backend: PUT creates (201) or replaces (200). */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { producerChorusCredentials } from '../../db/chorus-accounts';
import { Buyer, Invoice, Producer, ProducerChorusAccount } from '../../db/entities';
import { vatRateConflicts } from '../../domain/vat';
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

/** 422 CHORUS_ACCOUNT_NOT_ATTACHED, saying on which account the producer must attach his structure (French). */
export function notAttached(siret: string, ownLogin: string | null, path: string): ApiError {
  const account = ownLogin ? `à son compte technique ${ownLogin}` : "au compte technique Agrilocal";
  const message =
    `La structure ${siret} n'est pas rattachée ${account} sur Chorus Pro : sur le portail Chorus Pro, ` +
    `le producteur doit demander le rattachement de sa structure ${ownLogin ? 'à ce compte technique' : "au compte technique d'Agrilocal"} (rubrique « Gestion des rattachements ») avant d'ouvrir le flux.`;
  return new ApiError('CHORUS_ACCOUNT_NOT_ATTACHED', message, [{ path, message }]);
}

/**
 * Opening the Chorus flow needs the producer's technical account (his own, else ours) attached to his structure:
 * refused now, when the platform can tell him, rather than on his first invoice. When Chorus cannot answer, the
 * profile is taken and the check runs again before each deposit.
 */
async function checkChorusAttachment(ctx: UseCaseContext, siret: string, body: ProducerBody): Promise<void> {
  if (!body.chorusEnabled) return;
  const existing = await ctx.em.findOne(Producer, { siret });
  if (existing?.chorusEnabled) return;
  const own = await producerChorusCredentials(ctx.em, ctx.credentialsKey, siret);
  let attached: boolean;
  try {
    attached = await ctx.chorusAccounts.for(own).account.isAttached(siret);
  } catch {
    return;
  }
  if (!attached) throw notAttached(siret, own?.login ?? null, 'body.chorusEnabled');
}

/**
 * The orders still waiting for their quantities are invoiced with the profile as it will be: a profile that
 * would make one of them an illegal invoice (VAT charged without VAT number, or by a producer stating an
 * exemption) is refused now, naming the profile field, rather than when the buyer validates the delivery.
 */
async function checkPendingOrdersVat(ctx: UseCaseContext, siret: string, body: ProducerBody): Promise<void> {
  const profile = { vatNumber: body.vatNumber ?? null, vatExemptionMention: body.vatExemptionMention ?? null };
  const pending = await ctx.em.find(
    Invoice,
    { producerSiret: siret, status: 'EN_ATTENTE_VALIDATION', documentType: 'INVOICE' },
    { fields: ['orderId', 'lines'], orderBy: { orderId: 'asc' }, limit: 1000 },
  );
  const details: { path: string; message: string }[] = [];
  const orders: string[] = [];
  for (const order of pending) {
    const conflicts = vatRateConflicts(profile, order.lines);
    const first = conflicts[0];
    if (!first) continue;
    orders.push(order.orderId);
    const rates = [...new Set(conflicts.map((c) => `${c.rate} %`))].join(', ');
    const path = first.field;
    if (details.some((d) => d.path === path)) continue;
    details.push({
      path,
      message:
        first.field === 'vatExemptionMention'
          ? `Le producteur ne peut pas se déclarer exonéré de TVA : sa commande ${order.orderId}, en attente de validation, porte de la TVA (${rates}).`
          : `Le producteur ne peut pas rester sans numéro de TVA : sa commande ${order.orderId}, en attente de validation, porte de la TVA (${rates}).`,
    });
  }
  if (details.length === 0) return;
  throw new ApiError(
    'INVOICE_DATA_INVALID',
    `Profil refusé : il rendrait illégale la facture de ${orders.length === 1 ? 'la commande' : 'les commandes'} ${orders.join(', ')} en attente de validation ` +
      '(une facture qui porte de la TVA doit indiquer le numéro de TVA du vendeur, un producteur exonéré ne facture pas de TVA). ' +
      'Gardez le numéro de TVA, ou annulez et renvoyez ces commandes avec des lignes à 0 %.',
    details,
  );
}

export async function putProducer(ctx: UseCaseContext, siret: string, body: ProducerBody): Promise<Upserted<ProducerResponse>> {
  await checkPendingOrdersVat(ctx, siret, body);
  await checkChorusAttachment(ctx, siret, body);
  const data = {
    name: body.name,
    email: body.email,
    address: body.address,
    vatNumber: body.vatNumber ?? null,
    vatExemptionMention: body.vatExemptionMention ?? null,
    chorusEnabled: body.chorusEnabled,
    paymentMethod: body.paymentMethod,
  };
  return upsert(async () => {
    const existing = await ctx.em.findOne(Producer, { siret });
    const row = existing ? ctx.em.assign(existing, data, { mergeObjectProperties: false }) : ctx.em.create(Producer, { siret, ...data });
    await ctx.em.flush();
    return { created: !existing, value: toProducer(row, await ctx.em.findOne(ProducerChorusAccount, { producerSiret: siret })) };
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

/** A producer's profile, with his own Chorus technical account if any (never its password); a producer sees only his own. */
export async function getProducer(ctx: UseCaseContext, siret: string): Promise<ProducerResponse> {
  if (ctx.caller.kind === 'producer' && ctx.caller.siret !== siret) throw notFound(`No producer profile for SIRET ${siret}.`, 'path.siret');
  const row = await ctx.em.findOne(Producer, { siret });
  if (!row) throw notFound(`No producer profile with SIRET ${siret}.`, 'siret');
  return toProducer(row, await ctx.em.findOne(ProducerChorusAccount, { producerSiret: siret }));
}

/** What a producer may change himself (his web space's profile page); the platform keeps his name, e-mail and address. */
export interface ProducerSettings {
  chorusEnabled: unknown;
  paymentMethod: unknown;
  vatNumber: unknown;
  vatExemptionMention: unknown;
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
