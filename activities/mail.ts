/**
 * One activity sends one mail of one kind for one invoice, once: the `sent_mail` row keyed by `invoiceId:kind[:n]`.
 *
 * 1. The attempt claims the row (committed) for MAIL_CLAIM_MS: another attempt (one Temporal retried while the
 *    first was still sending) finds it claimed and waits for the claim to end, then finds SENT, or takes over
 *    from an attempt that died.
 * 2. The SMTP exchange, outside any transaction: PostgreSQL restarting meanwhile changes nothing.
 * 3. The server's acceptance is recorded at once, in one statement (ACCEPTED): the mail is out.
 * 4. SENT is recorded with the webhook event, in one transaction; an attempt that finds the row ACCEPTED does only
 *    this. While PostgreSQL is away, steps 3 and 4 are retried in the attempt for as long as the claim lasts.
 * SMTP has no transaction of its own (RFC 1047, "Duplicate messages and SMTP"), so one window stays: a worker
 * killed between the server's acceptance and step 3 leaves the row unsent and a later attempt sends again; the
 * Message-ID, derived from the key, is then the same, so the copy is recognisable as one message. Step 3 is apart
 * from step 4 to keep that window to one round trip (the transaction takes five, a quarter of a second on a busy
 * machine, which the drill's worker kills hit).
 */
import { ApplicationFailure } from '@temporalio/activity';
import { ApplicationFailureCategory } from '@temporalio/common';
import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { isDatabaseUnavailable } from '../db/availability';
import { recordWebhookEvent } from '../db/webhook-outbox';
import { Buyer, Invoice, InvoiceDocument, Producer, SentMail } from '../db/entities';
import type { Orm } from '../db/orm';
import type { Mailer, OutgoingMail } from '../mail/mailer';
import { renderMail } from '../mail/templates';
import { invoiceDataError, loadInvoice } from './shared';
import type { SendMailInput, SendMailResult } from './types';

/**
 * How long an attempt has the mail: beyond any SMTP exchange the mailer allows (connection and greeting 15 s each,
 * 30 s of silence at most), so a live attempt is never overtaken; an attempt that died is taken over after it.
 */
export const MAIL_CLAIM_MS = 120_000;

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

      const event = { kind: input.kind, mailKey: input.mailKey, to: mail.to, recipient: to, messageId, reason: input.reason ?? null };
      return sendOnce(
        orm,
        mailer,
        { mailKey: input.mailKey, invoiceId: input.invoiceId, kind: input.kind, mail: { to, subject: mail.subject, text: mail.text, messageId, attachments } },
        async (tx) => {
          // The invoice lock orders the event among the invoice's others.
          const locked = await loadInvoice(tx, input.invoiceId, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
          await recordWebhookEvent(tx, locked, { type: 'invoice.mail_sent', at: new Date().toISOString(), details: { mail: event } });
        },
      );
    },
  };
}

export interface MailOnce {
  /** The business key: one mail per key, ever. */
  mailKey: string;
  /** The invoice it is about, if any (a password reminder is about none). */
  invoiceId: string | null;
  kind: string;
  mail: OutgoingMail;
}

/**
 * Sends the mail of `mailKey` unless it was sent (steps 1-3 above); `onSent` runs in the transaction that marks it
 * SENT. `alreadySent`: another attempt had sent it.
 */
export async function sendOnce(
  orm: Orm,
  mailer: Mailer,
  once: MailOnce,
  onSent: (tx: EntityManager) => Promise<void> = async () => undefined,
): Promise<SendMailResult> {
  const { mailKey, mail } = once;
  const claim = await claimMail(orm, { mailKey, invoiceId: once.invoiceId, kind: once.kind, recipient: mail.to, messageId: mail.messageId });
  if (claim.kind === 'sent') return { messageId: mail.messageId, alreadySent: true };
  if (claim.kind === 'accepted') {
    // An earlier attempt's mail was accepted; only its record is missing.
    await whileDatabaseAway(new Date(Date.now() + MAIL_CLAIM_MS), () => recordSent(orm, mailKey, onSent));
    return { messageId: mail.messageId, alreadySent: true };
  }
  if (claim.kind === 'claimed') {
    throw ApplicationFailure.create({
      message: `Mail ${mailKey} is being sent by another attempt until ${claim.until.toISOString()}.`,
      type: 'MailBeingSent',
      category: ApplicationFailureCategory.BENIGN,
      nextRetryDelay: Math.max(1000, claim.until.getTime() - Date.now() + 500),
    });
  }
  try {
    await mailer.send(mail);
  } catch (error) {
    // Not accepted: the next attempt may send at once.
    await orm.em.fork().nativeUpdate(SentMail, { mailKey, state: 'SENDING' }, { claimedUntil: null }).catch(() => undefined);
    throw error;
  }
  await whileDatabaseAway(claim.until, () => orm.em.fork().nativeUpdate(SentMail, { mailKey, state: 'SENDING' }, { state: 'ACCEPTED', claimedUntil: null }));
  const sent = await whileDatabaseAway(claim.until, () => recordSent(orm, mailKey, onSent));
  return { messageId: mail.messageId, alreadySent: !sent };
}

type Claim = { kind: 'ours'; until: Date } | { kind: 'sent' } | { kind: 'accepted' } | { kind: 'claimed'; until: Date };

/** Takes the mail's row for this attempt, unless it is out (ACCEPTED, SENT) or another attempt has it. Committed at once. */
async function claimMail(orm: Orm, row: { mailKey: string; invoiceId: string | null; kind: string; recipient: string; messageId: string }): Promise<Claim> {
  const em = orm.em.fork();
  const connection = em.getConnection();
  await connection.execute(
    `insert into "sent_mail" ("mail_key", "invoice_id", "kind", "recipient", "message_id", "state", "claimed_until", "sent_at", "created_at")
     values (?, ?, ?, ?, ?, 'SENDING', null, null, now()) on conflict ("mail_key") do nothing`,
    [row.mailKey, row.invoiceId, row.kind, row.recipient, row.messageId],
  );
  // The database's clock decides who has the mail, whatever the workers' clocks say.
  const taken: { claimed_until: Date }[] = await connection.execute(
    `update "sent_mail" set "claimed_until" = now() + make_interval(secs => ?) where "mail_key" = ? and "state" = 'SENDING'
       and ("claimed_until" is null or "claimed_until" < now()) returning "claimed_until"`,
    [MAIL_CLAIM_MS / 1000, row.mailKey],
  );
  // This attempt's own deadline, on its clock, kept short of the claim's end.
  if (taken.length > 0) return { kind: 'ours', until: new Date(Date.now() + MAIL_CLAIM_MS - 10_000) };
  const current = await em.findOneOrFail(SentMail, { mailKey: row.mailKey }, { refresh: true });
  const left = current.claimedUntil ? Math.max(0, current.claimedUntil.getTime() - Date.now()) : 0;
  if (current.state === 'SENT') return { kind: 'sent' };
  if (current.state === 'ACCEPTED') return { kind: 'accepted' };
  return { kind: 'claimed', until: new Date(Date.now() + Math.min(left, MAIL_CLAIM_MS)) };
}

/** SENT, with what `onSent` records, in one transaction; false when another attempt had recorded it. */
async function recordSent(orm: Orm, mailKey: string, onSent: (tx: EntityManager) => Promise<void>): Promise<boolean> {
  return orm.em.fork().transactional(async (tx) => {
    const marked = await tx.nativeUpdate(SentMail, { mailKey, state: 'ACCEPTED' }, { state: 'SENT', sentAt: new Date() });
    if (marked === 0) return false;
    await onSent(tx);
    return true;
  });
}

/** Retries `write` while PostgreSQL is away (restarting, connections cut), until `deadline`. */
async function whileDatabaseAway<T>(deadline: Date, write: () => Promise<T>): Promise<T> {
  for (let wait = 250; ; wait = Math.min(wait * 2, 4000)) {
    try {
      return await write();
    } catch (error) {
      if (!isDatabaseUnavailable(error) || Date.now() + wait >= deadline.getTime()) throw error;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
