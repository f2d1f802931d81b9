/**
 * The bench's and the drill's reading of the shared SMTP sink (scripts/lib/smtp-sink.ts). Unlike the tests it does
 * not parse whole mails (PDF attachments cost CPU the bench wants for the product): it keeps the Message-ID of each
 * mail accepted, which the product derives from the mail key `invoiceId:kind[:n]`. It can refuse mail (451) for a
 * while, as an SMTP outage.
 */
import type { Readable } from 'node:stream';
import { startSmtpSink as startSharedSmtpSink, type SmtpSink as SharedSmtpSink } from '../../scripts/lib/smtp-sink';

export interface ReceivedMail {
  messageId: string;
  /** The mail key read back from the Message-ID: `invoiceId`, `kind` (e.g. PRODUCER_INVOICE_READY), `n`. */
  invoiceId: string | undefined;
  kind: string | undefined;
  n: number;
  at: number;
}

export type SmtpSink = SharedSmtpSink<ReceivedMail>;

const UUID = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(.+)$/i;

/**
 * `<{invoiceId}.{KIND with _ as .}[.n]@invoicing.agrilocal>` (activities/mail.ts `messageIdFor`) back to its parts.
 */
export function parseMailKey(messageId: string): { invoiceId?: string; kind?: string; n: number } {
  const local = messageId.replace(/^</, '').replace(/>$/, '').split('@')[0] ?? '';
  const m = UUID.exec(local);
  if (!m) return { n: 1 };
  let rest = m[2] ?? '';
  let n = 1;
  const counter = /\.(\d+)$/.exec(rest);
  if (counter) {
    n = Number(counter[1]);
    rest = rest.slice(0, counter.index);
  }
  return { invoiceId: m[1]!.toLowerCase(), kind: rest.replace(/\./g, '_'), n };
}

/** Headers only: reads until the blank line, then drains the rest without keeping it. */
function readMailKey(stream: Readable): Promise<ReceivedMail> {
  return new Promise((resolve, reject) => {
    let head = '';
    let headDone = false;
    stream.on('data', (chunk: Buffer) => {
      if (headDone) return;
      head += chunk.toString('latin1');
      const end = head.search(/\r?\n\r?\n/);
      if (end >= 0) {
        head = head.slice(0, end);
        headDone = true;
      }
    });
    stream.on('error', reject);
    stream.on('end', () => {
      const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
      const messageId = /^message-id:\s*(.+)$/im.exec(unfolded)?.[1]?.trim() ?? '';
      const key = parseMailKey(messageId);
      resolve({ messageId, invoiceId: key.invoiceId, kind: key.kind, n: key.n, at: Date.now() });
    });
  });
}

export function startSmtpSink(): Promise<SmtpSink> {
  return startSharedSmtpSink({ read: readMailKey, size: 50 * 1024 * 1024 });
}
