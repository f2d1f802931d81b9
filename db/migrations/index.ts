/** Every migration, in order. New ones are appended here (see `npm run migration:create`). */
import { Migration20261127000000Initial } from './Migration20261127000000Initial';
import { Migration20261127200000InvoiceListIndex } from './Migration20261127200000InvoiceListIndex';
import { Migration20261202180000Webhooks } from './Migration20261202180000Webhooks';
import { Migration20261202190000CreditNotes } from './Migration20261202190000CreditNotes';
import { Migration20261202190000ProducerChorusAccount } from './Migration20261202190000ProducerChorusAccount';
import { Migration20261202190000ProducerSessions } from './Migration20261202190000ProducerSessions';
import { Migration20261203090000SentMailClaim } from './Migration20261203090000SentMailClaim';
import { Migration20261203140000SentMailWithoutInvoice } from './Migration20261203140000SentMailWithoutInvoice';
import { Migration20261203150000ProducerVatExemption } from './Migration20261203150000ProducerVatExemption';
import { Migration20261203190000SentMailAccepted } from './Migration20261203190000SentMailAccepted';
import { Migration20261203191000InvoiceChorusSeenAt } from './Migration20261203191000InvoiceChorusSeenAt';

export const migrationsList = [
  { name: 'Migration20261127000000Initial', class: Migration20261127000000Initial },
  { name: 'Migration20261127200000InvoiceListIndex', class: Migration20261127200000InvoiceListIndex },
  { name: 'Migration20261202180000Webhooks', class: Migration20261202180000Webhooks },
  { name: 'Migration20261202190000CreditNotes', class: Migration20261202190000CreditNotes },
  { name: 'Migration20261202190000ProducerChorusAccount', class: Migration20261202190000ProducerChorusAccount },
  { name: 'Migration20261202190000ProducerSessions', class: Migration20261202190000ProducerSessions },
  { name: 'Migration20261203090000SentMailClaim', class: Migration20261203090000SentMailClaim },
  { name: 'Migration20261203140000SentMailWithoutInvoice', class: Migration20261203140000SentMailWithoutInvoice },
  { name: 'Migration20261203150000ProducerVatExemption', class: Migration20261203150000ProducerVatExemption },
  { name: 'Migration20261203190000SentMailAccepted', class: Migration20261203190000SentMailAccepted },
  { name: 'Migration20261203191000InvoiceChorusSeenAt', class: Migration20261203191000InvoiceChorusSeenAt },
];
