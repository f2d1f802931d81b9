/** Shared by the space's route files: the HTML answer, the page tools, and what every form carries (CSRF, key). */
import type { Request, RequestHandler, Response } from 'express';
import { INVOICE_VIEWS, type InvoiceView } from '../../domain/statuses';
import type { UseCaseContext } from '../use-cases/context';
import { csrfValid } from './session';
import { messagePage } from './views/pages';

/** What a page handler gets: the use-case context of the signed-in producer, and the frame of his pages. */
export interface WebRequestTools {
  /** `requestKey`: the form's one-time key, so a form posted twice is one workflow Update. */
  context(req: Request, requestKey?: string): UseCaseContext;
  frame(req: Request): Promise<{ csrfToken: string; producerName: string }>;
  html(res: Response, status: number, body: string): void;
}

/** Pages carry personal data: never stored by a cache. */
export function html(res: Response, status: number, body: string): void {
  res.status(status).set('Cache-Control', 'no-store').type('html').send(body);
}

const TOKEN = /^[A-Za-z0-9._:-]{1,128}$/;
export function formKeyOf(req: Request): string | undefined {
  const key = (req.body as Record<string, unknown> | undefined)?._key;
  return typeof key === 'string' && TOKEN.test(key) ? key : undefined;
}

export const isView = (value: unknown): value is InvoiceView => typeof value === 'string' && (INVOICE_VIEWS as readonly string[]).includes(value);

/** Every state-changing form carries the session's token: a page of another site cannot post here for him. False when refused (answered). */
export function csrfAccepted(req: Request, res: Response): boolean {
  const given = (req.body as Record<string, unknown> | undefined)?._csrf;
  if (req.webSession && csrfValid(req.webSession, given)) return true;
  html(res, 403, messagePage('Formulaire expiré', ['Ce formulaire n’est plus valable (page trop ancienne ou session changée) : rechargez la page et recommencez.']));
  return false;
}

export const requireCsrf: RequestHandler = (req, res, next) => {
  if (csrfAccepted(req, res)) next();
};
