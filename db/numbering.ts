/**
 * Gapless, chronological invoice numbers per producer and calendar year, one series for invoices and credit notes (CGI art. 242 nonies A: "numéro unique basé
 * sur une séquence chronologique et continue"; separate series per year are allowed).
 *
 * Format `AGL-<year>-<sequence, 6 digits at least>`, e.g. `AGL-2026-000042`: 15 characters, 16 past 999 999
 * invoices a year, always within Chorus Pro's 20 (BT-1). The series is per producer (the seller), so two producers
 * both have an `AGL-2026-000001`; the database keeps (producer, number) unique.
 *
 * One PostgreSQL transaction:
 * 1. `SELECT ... FOR UPDATE` on the invoice row: a second assignment of the same invoice waits, then sees the number
 *    (a retried activity, or the same order twice, gets the same number);
 * 2. `INSERT ... ON CONFLICT DO UPDATE ... RETURNING` on the (producer, year) counter: the row lock serialises
 *    concurrent invoices of one producer, and a rolled-back transaction gives its value back, so no gap;
 * 3. the number and its issue date are written on the invoice together.
 */
import type { EntityManager } from '@mikro-orm/postgresql';

export const INVOICE_NUMBER_PREFIX = 'AGL';
const SEQUENCE_DIGITS = 6;
/** Chorus Pro limit on BT-1. */
export const MAX_NUMBER_LENGTH = 20;
const NUMBER_RE = /^AGL-(\d{4})-(\d{6,})$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type InvoiceNumberingErrorCode = 'INVALID_INPUT' | 'INVOICE_NOT_FOUND' | 'PRODUCER_MISMATCH';

export class InvoiceNumberingError extends Error {
  override name = 'InvoiceNumberingError';
  constructor(
    readonly code: InvoiceNumberingErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function formatInvoiceNumber(year: number, sequence: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`year out of range: ${year}`);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`sequence must be a positive integer: ${sequence}`);
  const number = `${INVOICE_NUMBER_PREFIX}-${year}-${String(sequence).padStart(SEQUENCE_DIGITS, '0')}`;
  if (number.length > MAX_NUMBER_LENGTH) throw new RangeError(`invoice number ${number} exceeds ${MAX_NUMBER_LENGTH} characters (Chorus Pro BT-1)`);
  return number;
}

export function parseInvoiceNumber(number: string): { year: number; sequence: number } | undefined {
  const match = NUMBER_RE.exec(number);
  return match ? { year: Number(match[1]), sequence: Number(match[2]) } : undefined;
}

/**
 * The next number of a producer's series for a year, inside the caller's transaction (the counter row stays locked
 * until it commits; a rollback gives the value back). Invoices and credit notes share this one series: a credit
 * note is "assimilée à une facture" (CGI art. 289, I-1, c), so it takes the next number like any invoice.
 */
export async function nextNumber(tx: EntityManager, producerSiret: string, year: number): Promise<string> {
  const counters = await tx.execute<{ last_value: number }[]>(
    `insert into "invoice_number_counter" ("producer_siret", "year", "last_value") values (?, ?, 1)
     on conflict ("producer_siret", "year") do update set "last_value" = "invoice_number_counter"."last_value" + 1
     returning "last_value"`,
    [producerSiret, year],
  );
  const sequence = counters[0]?.last_value;
  if (sequence === undefined) throw new Error('invoice_number_counter upsert returned no row');
  return formatInvoiceNumber(year, sequence);
}

export interface AssignInvoiceNumberInput {
  invoiceId: string;
  producerSiret: string;
  /** YYYY-MM-DD, the day the invoice is issued (Europe/Paris): its year picks the series. */
  issueDate: string;
}

/**
 * The invoice's number: the one it already has, or the next of its producer's series for the issue year.
 * Takes any EntityManager (a fork per activity); runs in its own transaction (a savepoint inside the caller's).
 */
export async function assignInvoiceNumber(em: EntityManager, input: AssignInvoiceNumberInput): Promise<string> {
  const { invoiceId, producerSiret, issueDate } = input;
  if (!UUID_RE.test(invoiceId)) throw new InvoiceNumberingError('INVALID_INPUT', `invoiceId: expected a UUID, got ${JSON.stringify(invoiceId)}`);
  if (!/^\d{14}$/.test(producerSiret)) throw new InvoiceNumberingError('INVALID_INPUT', `producerSiret: expected 14 digits, got ${JSON.stringify(producerSiret)}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(issueDate)) throw new InvoiceNumberingError('INVALID_INPUT', `issueDate: expected YYYY-MM-DD, got ${JSON.stringify(issueDate)}`);
  const year = Number(issueDate.slice(0, 4));

  return em.transactional(async (tx) => {
    // Fail (and let the activity retry) rather than wait forever behind a stuck transaction.
    await tx.execute(`set local lock_timeout = '15s'`);
    const rows = await tx.execute<{ number: string | null; producer_siret: string }[]>('select "number", "producer_siret" from "invoice" where "invoice_id" = ? for update', [
      invoiceId,
    ]);
    const invoice = rows[0];
    if (!invoice) throw new InvoiceNumberingError('INVOICE_NOT_FOUND', `invoice ${invoiceId} does not exist`);
    if (invoice.producer_siret !== producerSiret) {
      throw new InvoiceNumberingError('PRODUCER_MISMATCH', `invoice ${invoiceId} belongs to producer ${invoice.producer_siret}, not ${producerSiret}`);
    }
    if (invoice.number) return invoice.number;

    const number = await nextNumber(tx, producerSiret, year);
    await tx.execute('update "invoice" set "number" = ?, "issue_date" = ?, "updated_at" = now() where "invoice_id" = ?', [number, issueDate, invoiceId]);
    return number;
  });
}
