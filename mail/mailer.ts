/**
 * Outgoing mail over real SMTP (nodemailer). `SMTP_URL` e.g. smtp://127.0.0.1:1025 (dev catcher) or
 * smtps://user:pass@smtp.example.org:465.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import { htmlOf } from './html';

export interface OutgoingMail {
  to: string;
  /** Kept informed (e.g. the platform's contact on a producer's password reminder). */
  cc?: string;
  subject: string;
  text: string;
  messageId: string;
  attachments?: { filename: string; content: Buffer; contentType: string }[];
}

export interface Mailer {
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
  close(): void;
}

export function createMailer(smtpUrl: string, from: string): Mailer {
  // nodemailer waits up to 2 min to connect and 10 min on a silent socket; a mail is sent while its sent_mail row
  // is claimed (activities/mail.ts), so a server that hangs fails the attempt sooner, to be retried.
  const transport: Transporter = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 });
  return {
    async send(mail) {
      const info = await transport.sendMail({
        from,
        to: mail.to,
        cc: mail.cc,
        subject: mail.subject,
        // multipart/alternative: the plain text first, then its HTML rendering (clients show the last they can).
        text: mail.text,
        html: htmlOf(mail.text, mail.subject),
        messageId: mail.messageId,
        attachments: mail.attachments,
        headers: { 'Content-Language': 'fr' },
      });
      return { messageId: String(info.messageId ?? mail.messageId) };
    },
    close: () => transport.close(),
  };
}
