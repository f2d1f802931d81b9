/**
 * The mail viewer URL that `npm start` prints works as a browser uses it: the page it serves says its base
 * (`<base href>`), its assets and the API the page calls, both resolved against that base, answer, and a mail sent
 * to the catcher's SMTP port is listed. (The banner used to print /index.html, whose page called
 * /index.html/api/... and showed nothing.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { loadConfig } from '../../config';
import { createMailer } from '../../mail/mailer';
import { banner } from '../../scripts/lib/banner';
import { mailCatcherCommand } from '../../scripts/lib/mail-catcher';
import { freePort } from '../../scripts/lib/ports';

let child: ChildProcess | undefined;
let mailDir = '';

afterAll(async () => {
  if (child && child.exitCode === null) {
    const gone = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await gone;
  }
  fs.rmSync(mailDir, { recursive: true, force: true });
});

describe('mail viewer of npm start', () => {
  it('When the banner URL is opened as a browser does, then the page, its assets and the mails it lists all answer', async () => {
    const config = loadConfig({ NODE_ENV: 'development', SMTP_URL: `smtp://127.0.0.1:${await freePort()}`, MAIL_WEB_PORT: String(await freePort()) });
    mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mail-viewer-'));
    const [command, args] = mailCatcherCommand(config, mailDir);
    child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('MailDev did not start within 30 s')), 30_000);
      readline.createInterface({ input: child!.stdout! }).on('line', (line) => {
        if (/MailDev API running/.test(line)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child!.once('exit', (code) => reject(new Error(`MailDev exited (code ${code ?? 'null'})`)));
    });

    const printed = banner(config, 'postgres://u:secret@127.0.0.1:5433/agrilocal', { address: '127.0.0.1:7233', uiUrl: 'http://127.0.0.1:8233' });
    const url = /Mail viewer\s+(\S+)/.exec(printed)?.[1];
    expect(url).toBe(`http://127.0.0.1:${config.MAIL_WEB_PORT}/`);

    const mailer = createMailer(config.SMTP_URL, config.MAIL_FROM);
    try {
      await mailer.send({ to: 'acheteur@example.test', subject: 'Facture F-1', text: 'Bonjour', messageId: '<viewer-test@agrilocal.local>' });
    } finally {
      mailer.close();
    }

    const page = await fetch(url!, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    const baseHref = /<base href="([^"]+)"/.exec(html)?.[1];
    expect(baseHref).toBeDefined();
    const base = new URL(baseHref!, url);
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(new URL(script!, base))).status).toBe(200);
    // The page's REST prefix is derived from document.baseURI, i.e. this base.
    const summary = await fetch(new URL('api/email/summary', base));
    expect(summary.status).toBe(200);
    const body = (await summary.json()) as { total: number; items: { subject: string }[] };
    expect(body.total).toBe(1);
    expect(body.items[0]?.subject).toBe('Facture F-1');
  });
});
