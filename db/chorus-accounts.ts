/**
 * The producers' own Chorus technical accounts, the one place their passwords are sealed and opened (the API
 * writes them, the worker reads them). The sealed value is bound to the producer's SIRET.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TechnicalAccountCredentials } from '../chorus';
import { openSecret, sealSecret } from '../lib/secret-box';
import { ProducerChorusAccount, type IProducerChorusAccount } from './entities';

const context = (siret: string) => `producer_chorus_account:${siret}`;

/** The producer's own account, password opened; null when he uses the platform's. */
export async function producerChorusCredentials(em: EntityManager, key: Buffer, siret: string): Promise<TechnicalAccountCredentials | null> {
  const row = await em.findOne(ProducerChorusAccount, { producerSiret: siret });
  return row ? { login: row.login, password: openSecret(key, row.passwordSealed, context(siret)) } : null;
}

/** Creates or replaces the producer's own account (the expiry Chorus gave for it, if read). */
export async function saveProducerChorusAccount(
  em: EntityManager,
  key: Buffer,
  siret: string,
  credentials: TechnicalAccountCredentials,
  expiry: { passwordExpiresAt: string | null; readAt: Date } | undefined,
): Promise<{ created: boolean; row: IProducerChorusAccount }> {
  const data = {
    login: credentials.login,
    passwordSealed: sealSecret(key, credentials.password, context(siret)),
    passwordExpiresAt: expiry?.passwordExpiresAt ? new Date(expiry.passwordExpiresAt) : null,
    expiryReadAt: expiry?.readAt ?? null,
  };
  const existing = await em.findOne(ProducerChorusAccount, { producerSiret: siret });
  const row = existing ? em.assign(existing, data) : em.create(ProducerChorusAccount, { producerSiret: siret, ...data });
  await em.flush();
  return { created: !existing, row };
}

/** Back to the platform's account; false when the producer had none of his own. */
export async function removeProducerChorusAccount(em: EntityManager, siret: string): Promise<boolean> {
  return (await em.nativeDelete(ProducerChorusAccount, { producerSiret: siret })) > 0;
}

/** Records the expiry Chorus now gives for the producer's own account (the daily sweep). */
export async function recordProducerAccountExpiry(em: EntityManager, siret: string, passwordExpiresAt: string | null, readAt: Date): Promise<void> {
  await em.nativeUpdate(ProducerChorusAccount, { producerSiret: siret }, { passwordExpiresAt: passwordExpiresAt ? new Date(passwordExpiresAt) : null, expiryReadAt: readAt });
}
