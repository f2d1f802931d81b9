/** Helpers every activity file uses: reading the invoice row, and failing for good on data a retry cannot fix. */
import { ApplicationFailure } from '@temporalio/activity';
import type { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
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
