/**
 * The invoice pages: the two lists, one invoice, its PDF, and its actions. Each action parses its form with the
 * JSON route's schema and calls the same use case; a success redirects to the invoice (POST-redirect-GET), a
 * refusal shows the invoice again with the refusal next to the form.
 */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import multer from 'multer';
import type { InvoiceAction } from '../../domain/statuses';
import { ApiError, toApiError } from '../errors';
import { parse } from '../http';
import * as s from '../schemas';
import type { InvoiceResponse } from '../schemas';
import type { UseCaseContext } from '../use-cases/context';
import { archiveInvoice, completeInvoice, getInvoice, getInvoicePdf, listInvoices, markProcessed, recycleInvoice, sendInvoice } from '../use-cases/invoices';
import { buyerNames, chorusStatusDates, invoicesVersion } from '../use-cases/space';
import { frenchFieldErrors, frenchMessage } from './fr';
import { csrfAccepted, formKeyOf, isView, requireCsrf, type WebRequestTools } from './forms';
import { invoicePage, type FormProblem } from './views/invoice';
import { listPage } from './views/list';

const NOTICES: Record<string, string> = {
  chorus: 'C’est envoyé : la facture est transmise à Chorus Pro.',
  mail: 'C’est envoyé : la facture est partie par mail à l’acheteur.',
  traitee: 'La facture est marquée comme traitée.',
  archivee: 'La facture est archivée.',
  recyclee: 'La facture est renvoyée au nouveau destinataire.',
  completee: 'La facture est complétée : les pièces jointes sont transmises à Chorus Pro.',
};

const invoiceIdOf = (req: Request): string => parse(s.invoiceIdParams, req.params, 'path').invoiceId;
const form = (req: Request): Record<string, unknown> => (req.body ?? {}) as Record<string, unknown>;
/** A form's text field: trimmed; empty means not given. */
const textField = (req: Request, name: string): string | undefined => {
  const value = form(req)[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
};

async function showInvoice(t: WebRequestTools, req: Request, res: Response, status: number, extra: { notice?: string; problem?: FormProblem } = {}) {
  const ctx = t.context(req);
  const invoice = await getInvoice(ctx, invoiceIdOf(req));
  const [buyers, version, session] = await Promise.all([buyerNames(ctx, [invoice.buyerSiret]), invoicesVersion(ctx, invoice.invoiceId), t.frame(req)]);
  const body = invoicePage({ session, invoice, buyerName: buyers.get(invoice.buyerSiret) ?? invoice.buyerSiret, version, formKey: randomUUID(), ...extra });
  t.html(res, status, body);
}

/** Runs one action; a refusal the producer can act on is shown on the invoice page, anything else is an error page. */
async function act(
  t: WebRequestTools,
  req: Request,
  res: Response,
  action: InvoiceAction,
  run: (ctx: UseCaseContext, invoiceId: string) => Promise<InvoiceResponse>,
  notice: (result: InvoiceResponse) => string,
) {
  const invoiceId = invoiceIdOf(req);
  try {
    const result = await run(t.context(req, formKeyOf(req)), invoiceId);
    res.redirect(303, `/factures/${invoiceId}?fait=${notice(result)}`);
  } catch (err) {
    const error = toApiError(err);
    if (error.httpStatus >= 500 || error.code === 'NOT_FOUND' || error.code === 'FORBIDDEN') throw err;
    const values = Object.fromEntries(Object.entries(form(req)).filter(([k, v]) => !k.startsWith('_') && typeof v === 'string')) as Record<string, string>;
    await showInvoice(t, req, res, error.httpStatus, { problem: { form: action, message: frenchMessage(error), fields: frenchFieldErrors(error), values } });
  }
}

const MB = 1024 * 1024;
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: s.MAX_ATTACHMENT_BYTES, files: s.MAX_ATTACHMENTS, fields: 10, fieldSize: 64 * 1024 },
}).array('attachments', s.MAX_ATTACHMENTS);

/** The multipart form of "compléter": files over the limits are a refusal of the field, not a failure. */
function readUpload(req: Request, res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    upload(req, res, (err: unknown) => {
      if (!err) return resolve();
      if (err instanceof multer.MulterError) {
        const message = err.code === 'LIMIT_FILE_SIZE' ? `must decode to at most ${s.MAX_ATTACHMENT_BYTES / MB} MB` : `must have at most ${s.MAX_ATTACHMENTS} files`;
        return reject(new ApiError('VALIDATION_ERROR', 'Invalid attachments.', [{ path: 'attachments', message }]));
      }
      reject(err instanceof Error ? err : new Error('upload failed'));
    });
  });
}

function completeBodyOf(req: Request): s.CompleteBody {
  const files = ((req.files ?? []) as Express.Multer.File[]).filter((f) => f.size > 0 && f.originalname !== '');
  const comment = textField(req, 'comment');
  return parse(
    s.completeBody,
    {
      ...(comment ? { comment } : {}),
      attachments: files.map((f) => ({ filename: f.originalname, contentType: f.mimetype, contentBase64: f.buffer.toString('base64') })),
    },
    'body',
  );
}

function actionRoutes(router: Router, t: WebRequestTools): void {
  const forms = [express.urlencoded({ extended: false, limit: '64kb' }), requireCsrf];
  router.post('/factures/:invoiceId/envoyer', ...forms, (req, res) => {
    const channel = form(req).canal === 'EMAIL' ? 'EMAIL' : 'CHORUS';
    const engagementCode = textField(req, 'engagementCode');
    return act(t, req, res, channel === 'EMAIL' ? 'SEND_EMAIL' : 'SEND_CHORUS', (ctx, id) => sendInvoice(ctx, id, parse(s.sendBody, { channel, ...(engagementCode ? { engagementCode } : {}) }, 'body')), (r) =>
      r.status.startsWith('ENVOYEE_MAIL') ? 'mail' : 'chorus',
    );
  });
  router.post('/factures/:invoiceId/traitee', ...forms, (req, res) => act(t, req, res, 'MARK_PROCESSED', markProcessed, () => 'traitee'));
  router.post('/factures/:invoiceId/archiver', ...forms, (req, res) => act(t, req, res, 'ARCHIVE', archiveInvoice, () => 'archivee'));
  router.post('/factures/:invoiceId/recycler', ...forms, (req, res) => {
    const fields = Object.fromEntries(['buyerSiret', 'serviceCode', 'engagementCode'].flatMap((name) => (textField(req, name) ? [[name, textField(req, name)]] : [])));
    return act(t, req, res, 'RECYCLE', (ctx, id) => recycleInvoice(ctx, id, parse(s.recycleBody, fields, 'body')), () => 'recyclee');
  });
  router.post('/factures/:invoiceId/completer', async (req, res) => {
    let refused: ApiError | undefined;
    try {
      await readUpload(req, res);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      refused = err;
    }
    // Files over the limits stop the upload before every field is read: the page shown again changes nothing.
    if (refused) return act(t, req, res, 'COMPLETE', () => Promise.reject(refused), () => 'completee');
    if (!csrfAccepted(req, res)) return;
    return act(t, req, res, 'COMPLETE', (ctx, id) => completeInvoice(ctx, id, completeBodyOf(req)), () => 'completee');
  });
}

function readRoutes(router: Router, t: WebRequestTools): void {
  router.get('/factures', async (req, res) => {
    const view = isView(req.query.vue) ? req.query.vue : 'a_traiter';
    const pageNumber = Math.max(1, Math.min(100_000, Number.parseInt(typeof req.query.page === 'string' ? req.query.page : '1', 10) || 1));
    const ctx = t.context(req);
    const list = await listInvoices(ctx, { view, page: pageNumber, pageSize: 20 });
    const [buyers, chorusDates, version, session] = await Promise.all([
      buyerNames(ctx, list.items.map((i) => i.buyerSiret)),
      chorusStatusDates(ctx, list.items.map((i) => i.invoiceId)),
      invoicesVersion(ctx),
      t.frame(req),
    ]);
    t.html(res, 200, listPage({ session, view, items: list.items, buyers, chorusDates, page: list.page, pageSize: list.pageSize, total: list.total, version }));
  });
  router.get('/factures/version', async (req, res) => {
    res.set('Cache-Control', 'no-store').json({ version: await invoicesVersion(t.context(req)) });
  });
  router.get('/factures/:invoiceId', async (req, res) => {
    const done = typeof req.query.fait === 'string' ? NOTICES[req.query.fait] : undefined;
    await showInvoice(t, req, res, 200, done ? { notice: done } : {});
  });
  router.get('/factures/:invoiceId/version', async (req, res) => {
    const ctx = t.context(req);
    const invoice = await getInvoice(ctx, invoiceIdOf(req));
    res.set('Cache-Control', 'no-store').json({ version: await invoicesVersion(ctx, invoice.invoiceId) });
  });
  router.get('/factures/:invoiceId/pdf', async (req, res) => {
    const { filename, pdf } = await pdfOnceDrawn(() => getInvoicePdf(t.context(req), invoiceIdOf(req)));
    const disposition = req.query.telechargement ? 'attachment' : 'inline';
    res.type('application/pdf').set('Cache-Control', 'private, no-store').set('Content-Disposition', `${disposition}; filename="${filename.replace(/[^\w.-]/g, '_')}"`).send(pdf);
  });
}

/**
 * A browser waits the seconds the Factur-X takes to draw after the validation was answered (the API answers 409
 * DOCUMENT_NOT_READY instead, for clients that retry themselves).
 */
async function pdfOnceDrawn<T>(get: () => Promise<T>, waitMs = 10_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await get();
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'DOCUMENT_NOT_READY') || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export function invoiceRoutes(router: Router, t: WebRequestTools): void {
  readRoutes(router, t);
  actionRoutes(router, t);
}
