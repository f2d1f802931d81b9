/**
 * Activities that write the invoice's own records in PostgreSQL. Each is one transaction and idempotent:
 * retried after a crash, it leaves the same rows as a single run.
 */
import { LockMode } from '@mikro-orm/core';
import { computeInvoiceTotals, toCents } from '../domain/money';
import { dueDateOf } from '../domain/terms';
import { InvoiceHistory, Producer } from '../db/entities';
import type { BuildInvoiceInput, BuiltInvoice, RecordStatusInput } from './types';
import type { Orm } from '../db/orm';
import { invoiceDataError, loadInvoice } from './shared';
import { assignInvoiceNumber as assignNumber } from '../db/numbering';
import { recordWebhookEvent, type OutboxEvent } from '../db/webhook-outbox';
import type { InvoiceStatus } from '../domain/statuses';

/** A status change as a webhook event: `invoice.chorus_status_changed` when only the Chorus status moved. */
function statusChangeEvent(before: { status: InvoiceStatus; chorusStatus: string | null }, input: RecordStatusInput): OutboxEvent {
  const chorusOnly = before.status === input.status && before.chorusStatus !== input.chorusStatus;
  return {
    type: chorusOnly ? 'invoice.chorus_status_changed' : 'invoice.status_changed',
    at: new Date(input.at).toISOString(),
    details: {
      change: {
        seq: input.seq,
        previousStatus: before.status,
        status: input.status,
        previousChorusStatus: before.chorusStatus,
        chorusStatus: input.chorusStatus,
        detail: input.detail ?? null,
      },
    },
  };
}
import { CreditNoteError, issueCreditNote, type IssueCreditNoteInput, type IssuedCreditNote } from '../db/credit-notes';


export function createInvoiceRecordActivities(orm: Orm) {
  return {
    /** Current state + one history row keyed by (invoiceId, seq): a replayed write changes nothing. */
    async recordStatus(input: RecordStatusInput): Promise<void> {
      await orm.em.fork().transactional(async (em) => {
        const invoice = await loadInvoice(em, input.invoiceId, { lockMode: LockMode.PESSIMISTIC_WRITE });
        if (invoice.historySeq >= input.seq) return; // already written by an earlier attempt
        const before = { status: invoice.status, chorusStatus: invoice.chorusStatus ?? null };
        em.assign(invoice, { ...(input.patch ?? {}), status: input.status, chorusStatus: input.chorusStatus, historySeq: input.seq });
        em.create(InvoiceHistory, {
          invoiceId: input.invoiceId,
          seq: input.seq,
          at: new Date(input.at),
          status: input.status,
          chorusStatus: input.chorusStatus,
          detail: input.detail ?? null,
        });
        // Same transaction: the webhook event exists if and only if this change was committed.
        await recordWebhookEvent(em, invoice, statusChangeEvent(before, input));
      });
    },

    /** Delivered quantities, line totals and invoice totals (exact decimals), due date. */
    async buildInvoice(input: BuildInvoiceInput): Promise<BuiltInvoice> {
      return orm.em.fork().transactional(async (em) => {
        const invoice = await loadInvoice(em, input.invoiceId);
        const delivered = new Map(input.deliveredLines.map((l) => [l.lineId, l.deliveredQuantity]));
        const computed = computeInvoiceTotals(
          invoice.lines.map((l) => ({
            lineId: l.lineId,
            quantity: delivered.get(l.lineId) ?? '0',
            unitPriceHT: l.unitPriceHT,
            vatRate: l.vatRate,
          })),
        );
        const totalsByLine = new Map(computed.lines.map((l) => [l.lineId, l.totalHT]));
        const dueDate = dueDateOf(input.issueDate);
        em.assign(invoice, {
          lines: invoice.lines.map((l) => ({ ...l, deliveredQuantity: delivered.get(l.lineId) ?? '0', totalHT: totalsByLine.get(l.lineId) })),
          validatedBy: input.validatedBy,
          issueDate: input.issueDate,
          dueDate,
          totalHt: computed.totals.ht,
          totalTva: computed.totals.tva,
          totalTtc: computed.totals.ttc,
        });
        return { totals: computed.totals, amountTtcCents: toCents(computed.totals.ttc), dueDate };
      });
    },

    /** The producer's next number (gapless, transactional); the same invoice always gets the same one. */
    async assignInvoiceNumber(input: { invoiceId: string; producerSiret: string; issueDate: string }): Promise<string> {
      return assignNumber(orm.em.fork(), input);
    },

    /** The credit note (and replacement) of an invoice, numbered, in one transaction; a retry answers the same. */
    async issueCreditNote(input: IssueCreditNoteInput): Promise<IssuedCreditNote> {
      try {
        return await issueCreditNote(orm.em.fork(), input);
      } catch (error) {
        if (error instanceof CreditNoteError) throw invoiceDataError(error.message);
        throw error;
      }
    },

    async loadProducerProfile(input: { siret: string }): Promise<{ chorusEnabled: boolean } | null> {
      const producer = await orm.em.fork().findOne(Producer, { siret: input.siret });
      return producer ? { chorusEnabled: producer.chorusEnabled } : null;
    },
  };
}
