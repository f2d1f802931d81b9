/** Helpers every activity file uses: reading the invoice row, and failing for good on data a retry cannot fix. */
import { ApplicationFailure } from '@temporalio/activity';
import type { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChorusAccountHandle, ChorusAccounts } from '../chorus';
import { producerChorusCredentials } from '../db/chorus-accounts';
import { Invoice } from '../db/entities';

/** Data that cannot be fixed by retrying (missing order, bad numbers): fails the activity for good. */
export function invoiceDataError(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'InvoiceDataError');
}

/** The invoice row, or a for-good failure; `lockMode` e.g. to lock it for the rest of a transaction. */
export async function loadInvoice(em: EntityManager, invoiceId: string, options: { lockMode?: LockMode; refresh?: boolean } = {}) {
  const invoice = await em.findOne(Invoice, { invoiceId }, options);
  if (!invoice) throw invoiceDataError(`Invoice ${invoiceId} does not exist in the database.`);
  return invoice;
}

/** The Chorus account that acts for a producer: his own when he has one, else the platform's. */
export type ChorusForProducer = (em: EntityManager, producerSiret: string) => Promise<ChorusAccountHandle>;

export function chorusForProducer(accounts: ChorusAccounts, credentialsKey: Buffer): ChorusForProducer {
  return async (em, producerSiret) => accounts.for(await producerChorusCredentials(em, credentialsKey, producerSiret));
}
