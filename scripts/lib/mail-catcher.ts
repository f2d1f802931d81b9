/**
 * The mail catcher of `npm start`: MailDev 3 (SMTP + web viewer + REST API), bound to loopback, its mails kept in
 * a folder. Its viewer must be opened at the base path `/`: MailDev adds `<base href="/">` to the page it serves
 * there, and the page derives its API prefix from it. `/index.html` is served as a raw file without that tag, and
 * the page then calls `/index.html/api/...` (404): the viewer showed nothing (issue 16).
 */
import path from 'node:path';
import type { Config } from '../../config';

const root = path.resolve(__dirname, '../..');

export function mailCatcherCommand(config: Pick<Config, 'SMTP_URL' | 'MAIL_WEB_PORT'>, mailDirectory: string): [string, string[]] {
  const smtpPort = new URL(config.SMTP_URL).port || '1025';
  return [
    path.join(root, 'node_modules', '.bin', 'maildev'),
    ['--smtp', smtpPort, '--web', String(config.MAIL_WEB_PORT), '--ip', '127.0.0.1', '--web-ip', '127.0.0.1', '--base-pathname', '/', '--mail-directory', mailDirectory],
  ];
}

/** The viewer's URL, as the banner prints it. */
export function mailViewerUrl(config: Pick<Config, 'MAIL_WEB_PORT'>): string {
  return `http://127.0.0.1:${config.MAIL_WEB_PORT}/`;
}
