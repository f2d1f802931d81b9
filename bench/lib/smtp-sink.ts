/**
 * A counting SMTP server for the bench and the drill (npm `smtp-server`, loopback, any free port). Unlike the
 * test sink it does not parse whole mails (PDF attachments cost CPU the bench wants for the product): it keeps
 * the Message-ID of each mail accepted, which the product derives from the mail key `invoiceId:kind[:n]`.
 * It can refuse mail (451) for a while, as an SMTP outage.
 */
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  /** The mail key read back from the Message-ID: `invoiceId`, `kind` (e.g. PRODUCER_INVOICE_READY), `n`. */
  invoiceId: string | undefined;
  kind: string | undefined;
  n: number;
  at: number;
}

export interface SmtpSink {
  url: string;
  received: ReceivedMail[];
  refused: number;
  setRefusing(refusing: boolean): void;
  close(): Promise<void>;
}

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

export async function startSmtpSink(): Promise<SmtpSink> {
  const received: ReceivedMail[] = [];
  let refusing = false;
  let refused = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, _session, callback) {
      // Headers only: read until the blank line, then drain the rest without keeping it.
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
      stream.on('end', () => {
        if (refusing) {
          refused += 1;
          callback(Object.assign(new Error('Mailbox unavailable (drill outage)'), { responseCode: 451 }));
          return;
        }
        const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
        const messageId = /^message-id:\s*(.+)$/im.exec(unfolded)?.[1]?.trim() ?? '';
        const key = parseMailKey(messageId);
        received.push({ messageId, invoiceId: key.invoiceId, kind: key.kind, n: key.n, at: Date.now() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    get refused() {
      return refused;
    },
    setRefusing: (r) => {
      refusing = r;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
