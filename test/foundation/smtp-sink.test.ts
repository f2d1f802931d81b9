/**
 * The harness' SMTP sink (tests, bench, drill) survives a client that dies in the middle of an exchange: a worker
 * killed -9 while sending resets its connection (ECONNRESET inside a transaction), which smtp-server reports as an
 * 'error' event — unheard, that crashed the drill (issue 17, seed 23).
 */
import net from 'node:net';
import { startSmtpSink } from '../../scripts/lib/smtp-sink';
import { createMailer } from '../../mail/mailer';

const readHead = (stream: NodeJS.ReadableStream) =>
  new Promise<string>((resolve, reject) => {
    let text = '';
    stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
    stream.on('end', () => resolve(text.split(/\r?\n/)[0] ?? ''));
    stream.on('error', reject);
  });

/** Speaks SMTP up to the middle of DATA, then resets the connection (RST), as a killed process does. */
async function dieMidMail(port: number): Promise<void> {
  const socket = net.connect({ host: '127.0.0.1', port });
  const lines: string[] = [];
  let buffer = '';
  socket.on('data', (c: Buffer) => {
    buffer += c.toString('utf8');
    const parts = buffer.split('\r\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  const waitFor = async (code: string) => {
    for (let i = 0; i < 200 && !lines.some((l) => l.startsWith(`${code} `)); i++) await new Promise((r) => setTimeout(r, 10));
    lines.length = 0;
  };
  await waitFor('220');
  socket.write('EHLO killed.test\r\n');
  await waitFor('250');
  socket.write('MAIL FROM:<worker@killed.test>\r\n');
  await waitFor('250');
  socket.write('RCPT TO:<buyer@example.test>\r\n');
  await waitFor('250');
  socket.write('DATA\r\n');
  await waitFor('354');
  socket.write('Message-ID: <half@killed.test>\r\nSubject: half a mail\r\n\r\nthe worker dies here');
  await new Promise((r) => setTimeout(r, 50));
  socket.resetAndDestroy();
}

describe('SMTP sink of the harness', () => {
  it('When a client resets its connection in the middle of a mail, then the sink counts it, keeps running and accepts the next mail', async () => {
    const sink = await startSmtpSink({ read: readHead });
    try {
      await dieMidMail(sink.port);
      for (let i = 0; i < 100 && sink.connectionErrors === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(sink.connectionErrors).toBe(1);
      expect(sink.received).toEqual([]);
      const mailer = createMailer(sink.url, 'test <test@agrilocal.local>');
      try {
        await mailer.send({ to: 'buyer@example.test', subject: 'after the reset', text: 'ok', messageId: '<next@agrilocal.local>' });
      } finally {
        mailer.close();
      }
      expect(sink.received).toHaveLength(1);
    } finally {
      await sink.close();
    }
  });
});
