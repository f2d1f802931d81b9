/**
 * One activity sends one mail of one kind for one invoice, once: the `sent_mail` row keyed by `invoiceId:kind[:n]`
 * is marked SENT inside a transaction opened before the SMTP exchange and committed as soon as the server accepts
 * the message. The row lock keeps a second attempt (one Temporal retried while the first was still sending) from
 * sending too: it waits, then finds SENT. SMTP has no transaction of its own (RFC 1047, "Duplicate messages and
 * SMTP"), so one window stays: a worker or PostgreSQL lost between the server's acceptance and our COMMIT leaves
 * the row unsent and the retry sends again; the Message-ID, derived from the key, is then the same, so the copy
 * is recognisable as one message (mail clients and archives keep one). The invoice lock is held during the
 * exchange, bounded by the mailer's socket timeouts: a status change of that invoice waits at most that long.
 */
import { LockMode } from '@mikro-orm/core';
import { recordWebhookEvent } from '../db/webhook-outbox';
import { Buyer, Invoice, InvoiceDocument, Producer, SentMail } from '../db/entities';
import type { Orm } from '../db/orm';
import type { Mailer, OutgoingMail } from '../mail/mailer';
import { renderMail } from '../mail/templates';
import { invoiceDataError, loadInvoice } from './shared';
import type { SendMailInput, SendMailResult } from './types';

export function messageIdFor(mailKey: string): string {
  return `<${mailKey.replace(/[^A-Za-z0-9.-]/g, '.')}@invoicing.agrilocal>`;
}

export function createMailActivities(orm: Orm, mailer: Mailer, publicAppUrl: string) {
  return {
    async sendMail(input: SendMailInput): Promise<SendMailResult> {
      const em = orm.em.fork();
      const messageId = messageIdFor(input.mailKey);
      const existing = await em.findOne(SentMail, { mailKey: input.mailKey });
      if (existing?.state === 'SENT') return { messageId: existing.messageId, alreadySent: true };

      const invoice = await loadInvoice(em, input.invoiceId);
      const [producer, buyer] = await Promise.all([
        em.findOne(Producer, { siret: invoice.producerSiret }),
        em.findOne(Buyer, { siret: invoice.buyerSiret }),
      ]);
      if (!producer || !buyer) throw invoiceDataError(`Producer or buyer profile missing for invoice ${input.invoiceId}.`);
      const mail = renderMail(input.kind, {
        invoiceId: invoice.invoiceId,
        orderId: invoice.orderId,
        number: invoice.number ?? '(sans numéro)',
        producerName: producer.name,
        buyerName: buyer.name,
        totalTtc: invoice.totalTtc ?? '0.00',
        dueDate: invoice.dueDate ?? null,
        chorusErrors: invoice.chorusErrors ?? [],
        identifiantFactureCPP: invoice.identifiantFactureCPP ?? null,
        link: `${publicAppUrl.replace(/\/$/, '')}/factures/${invoice.invoiceId}`,
        reason: input.reason,
        cancelsNumber: invoice.cancelsInvoiceId ? ((await em.findOne(Invoice, { invoiceId: invoice.cancelsInvoiceId }))?.number ?? null) : null,
      });
      const to = mail.to === 'BUYER' ? buyer.email : producer.email;
      let attachments: OutgoingMail['attachments'];
      if (mail.attachInvoice) {
        const doc = await em.findOne(InvoiceDocument, { invoiceId: invoice.invoiceId });
        if (!doc) throw invoiceDataError(`The PDF of invoice ${invoice.invoiceId} is missing.`);
        attachments = [{ filename: doc.filename, content: Buffer.from(doc.pdf), contentType: 'application/pdf' }];
      }

      if (!existing) {
        em.create(SentMail, { mailKey: input.mailKey, invoiceId: input.invoiceId, kind: input.kind, recipient: to, messageId, state: 'SENDING', sentAt: null });
        await em.flush();
      }
      // The UPDATE takes the row lock and is committed only if the SMTP server accepted the message (a throw
      // rolls it back). A concurrent attempt blocks on the lock, then updates nothing: the mail is sent.
      const sent = await em.transactional(async (tx) => {
        const marked = await tx.nativeUpdate(SentMail, { mailKey: input.mailKey, state: 'SENDING' }, { state: 'SENT', sentAt: new Date() });
        if (marked === 0) return false;
        // The webhook event commits with SENT; the invoice lock orders it among the invoice's other events. Both
        // are written before the SMTP exchange so that, once the server has accepted the message, only our
        // COMMIT remains: the duplicate window of RFC 1047 is one round trip to PostgreSQL, nothing more.
        const locked = await loadInvoice(tx, input.invoiceId, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        await recordWebhookEvent(tx, locked, {
          type: 'invoice.mail_sent',
          at: new Date().toISOString(),
          details: { mail: { kind: input.kind, mailKey: input.mailKey, to: mail.to, recipient: to, messageId, reason: input.reason ?? null } },
        });
        await mailer.send({ to, subject: mail.subject, text: mail.text, messageId, attachments });
        return true;
      });
      return { messageId, alreadySent: !sent };
    },
  };
}
