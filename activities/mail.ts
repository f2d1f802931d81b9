/**
 * One activity sends one mail of one kind for one invoice, at most once: the `sent_mail` row keyed by
 * `invoiceId:kind[:n]` is checked before sending and written right after, and the Message-ID is derived from
 * the key so that a receiving server can drop the copy in the few-milliseconds window between the two.
 */
import { Buyer, InvoiceDocument, Producer, SentMail } from '../db/entities';
import type { Orm } from '../db/orm';
import type { Mailer } from '../mail/mailer';
import { renderMail } from '../mail/templates';
import { invoiceDataError, loadInvoice } from './invoice-records';
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
      });
      const to = mail.to === 'BUYER' ? buyer.email : producer.email;
      let attachments;
      if (mail.attachInvoice) {
        const doc = await em.findOne(InvoiceDocument, { invoiceId: invoice.invoiceId });
        if (!doc) throw invoiceDataError(`The PDF of invoice ${invoice.invoiceId} is missing.`);
        attachments = [{ filename: doc.filename, content: Buffer.from(doc.pdf), contentType: 'application/pdf' }];
      }

      if (!existing) {
        em.create(SentMail, { mailKey: input.mailKey, invoiceId: input.invoiceId, kind: input.kind, recipient: to, messageId, state: 'SENDING', sentAt: null });
        await em.flush();
      }
      await mailer.send({ to, subject: mail.subject, text: mail.text, messageId, attachments });
      await em.nativeUpdate(SentMail, { mailKey: input.mailKey }, { state: 'SENT', sentAt: new Date() });
      return { messageId, alreadySent: false };
    },
  };
}
