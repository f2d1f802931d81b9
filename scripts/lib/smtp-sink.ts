/**
 * The one in-process SMTP sink of the tests and the bench (npm `smtp-server`, loopback, any free port). It accepts
 * every mail, or refuses each with 451 while `setRefusing(true)` (an SMTP outage), and keeps what `read` makes of
 * each accepted mail: the tests parse whole mails (test/support/smtp.ts, mailparser); the bench and the drill keep
 * only the Message-ID (bench/lib/smtp-sink.ts), leaving the CPU to the product.
 */
import type { Readable } from 'node:stream';
import { SMTPServer } from 'smtp-server';

export interface SmtpSink<T> {
  url: string;
  port: number;
  /** What `read` made of each accepted mail, in arrival order. */
  received: T[];
  /** How many mails were refused while refusing. */
  readonly refused: number;
  /** Connections that ended in an error (a client killed mid-exchange: ECONNRESET); counted, never fatal. */
  readonly connectionErrors: number;
  /** Makes the server refuse mail (451) while true. */
  setRefusing(refusing: boolean): void;
  close(): Promise<void>;
}

export interface SmtpSinkOptions<T> {
  /** Reads one mail; it must consume the whole stream. A rejection refuses the mail with that error. */
  read(stream: Readable): Promise<T>;
  /** The SIZE the server announces (bytes). */
  size?: number;
}

export async function startSmtpSink<T>(options: SmtpSinkOptions<T>): Promise<SmtpSink<T>> {
  const received: T[] = [];
  let refusing = false;
  let refused = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...(options.size !== undefined ? { size: options.size } : {}),
    onData(stream, _session, callback) {
      if (refusing) {
        refused += 1;
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('Mailbox unavailable (simulated outage)'), { responseCode: 451 })));
        return;
      }
      options.read(stream).then(
        (mail) => {
          received.push(mail);
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  // A client killed in the middle of an SMTP exchange resets its connection; smtp-server reports it as an 'error'
  // event of the server, which, unheard, would crash the process that runs the sink.
  let connectionErrors = 0;
  server.on('error', () => {
    connectionErrors += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    get refused() {
      return refused;
    },
    get connectionErrors() {
      return connectionErrors;
    },
    setRefusing: (r) => {
      refusing = r;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
