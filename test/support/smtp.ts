/**
 * The shared SMTP sink (scripts/lib/smtp-sink.ts) with every received mail parsed by mailparser, so tests assert on
 * subjects, recipients and attachments.
 */
import { simpleParser, type ParsedMail } from 'mailparser';
import { startSmtpSink as startSharedSmtpSink, type SmtpSink as SharedSmtpSink } from '../../scripts/lib/smtp-sink';

export interface SmtpSink extends SharedSmtpSink<ParsedMail> {
  /** The parsed mails (the same array as `received`). */
  messages: ParsedMail[];
  waitFor(predicate: (m: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const sink = await startSharedSmtpSink({ read: (stream) => simpleParser(stream) });
  const messages = sink.received;
  return Object.assign(sink, {
    messages,
    async waitFor(predicate: (m: ParsedMail) => boolean, timeoutMs = 20_000): Promise<ParsedMail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = messages.map((m) => `${m.subject ?? ''} -> ${JSON.stringify(m.to && 'text' in m.to ? m.to.text : m.to)}`).join('\n  ');
          throw new Error(`No matching mail within ${timeoutMs} ms. Received:\n  ${seen || '(none)'}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  });
}
