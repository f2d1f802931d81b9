/**
 * The producer's web space, served by the API process in French: sign-in by link, `/factures` (the guide's two
 * lists), `/factures/{id}` (check, send, recycle, complete, mark processed, archive) and `/profil`. Every page
 * reads and acts through the same use cases as the JSON routes; forms are plain HTML (POST, then redirect to a
 * GET), each with the session's CSRF token; a little script refreshes a page when its invoice moves.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type ErrorRequestHandler, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChorusAccounts } from '../../chorus';
import type { Config } from '../../config';
import type { Orm } from '../../db/orm';
import { toApiError } from '../errors';
import type { InvoiceWorkflowGateway } from '../invoice-workflow-gateway';
import type { UseCaseContext } from '../use-cases/context';
import { getProducer } from '../use-cases/profiles';
import { findSession, signInWithLink, signOut } from '../use-cases/sessions';
import { SESSION_COOKIE, cookieOptions, readCookies, rememberNext, takeNext } from './session';
import { html, requireCsrf, type WebRequestTools } from './forms';
import { invoiceRoutes } from './invoice-routes';
import { profileRoutes } from './profile-routes';
import { linkRefusedPage, messagePage, signInNeededPage, signedOutPage } from './views/pages';

export interface WebDeps {
  config: Config;
  orm: Orm;
  workflows: InvoiceWorkflowGateway;
  chorusAccounts: ChorusAccounts;
  credentialsKey: Buffer;
}

const em = (): EntityManager => {
  const found = RequestContext.getEntityManager() as EntityManager | undefined;
  if (!found) throw new Error('No request context on a web page');
  return found;
};

function tools(deps: WebDeps): WebRequestTools {
  const context = (req: Request, requestKey?: string): UseCaseContext => {
    const session = req.webSession;
    if (!session) throw new Error('No session on a signed-in page');
    return { em: em(), workflows: deps.workflows, chorusAccounts: deps.chorusAccounts, credentialsKey: deps.credentialsKey, config: deps.config, caller: { kind: 'producer', siret: session.producerSiret }, requestKey: requestKey ?? req.requestId };
  };
  const frame = async (req: Request) => {
    const session = req.webSession!;
    const name = await getProducer(context(req), session.producerSiret).then((p) => p.name, () => `SIRET ${session.producerSiret}`);
    return { csrfToken: session.csrfToken, producerName: name };
  };
  return { context, frame, html };
}

/** Signed-in pages: the session cookie must open a live session; without one, the sign-in page (and back here after). */
function requireSession(config: Config): RequestHandler {
  return async (req, res, next) => {
    const session = await findSession({ em: em() }, readCookies(req)[SESSION_COOKIE]);
    if (!session) {
      if (req.method === 'GET') rememberNext(res, config, req.originalUrl);
      html(res, 401, signInNeededPage());
      return;
    }
    req.webSession = session;
    next();
  };
}

function signInRoutes(router: Router, config: Config): void {
  router.get('/connexion', (_req, res) => html(res, 200, signInNeededPage()));
  router.get('/connexion/:token', async (req, res) => {
    const outcome = await signInWithLink({ em: em() }, req.params.token ?? '');
    if (!outcome.ok) {
      html(res, outcome.reason === 'unknown' ? 404 : 410, linkRefusedPage(outcome.reason));
      return;
    }
    res.cookie(SESSION_COOKIE, outcome.sessionId, cookieOptions(config, outcome.session.expiresAt.getTime() - Date.now()));
    res.redirect(303, takeNext(req, res, config));
  });
  router.post('/deconnexion', requireSession(config), express.urlencoded({ extended: false, limit: '8kb' }), requireCsrf, async (req, res) => {
    await signOut({ em: em() }, readCookies(req)[SESSION_COOKIE] ?? '');
    res.clearCookie(SESSION_COOKIE, cookieOptions(config));
    html(res, 200, signedOutPage());
  });
}

function assetRoutes(router: Router): void {
  const assets = path.join(__dirname, 'assets');
  const files: Record<string, { type: string; body: Buffer }> = {
    'espace.css': { type: 'text/css; charset=utf-8', body: fs.readFileSync(path.join(assets, 'espace.css')) },
    'espace.js': { type: 'text/javascript; charset=utf-8', body: fs.readFileSync(path.join(assets, 'espace.js')) },
  };
  router.get('/espace/:file', (req, res, next) => {
    const file = files[req.params.file ?? ''];
    if (!file) return next();
    res.type(file.type).set('Cache-Control', 'public, max-age=3600').send(file.body);
  });
}

const pageErrors: ErrorRequestHandler = (err: unknown, req: Request, res: Response, _next: NextFunction) => {
  const error = toApiError(err);
  if (error.httpStatus >= 500) req.log?.error({ err, code: error.code }, 'web page failed');
  if (res.headersSent) return void res.end();
  if (error.code === 'NOT_FOUND') return html(res, 404, messagePage('Page introuvable', ['Cette page ou cette facture n’existe pas dans votre espace.']));
  if (error.code === 'UNAVAILABLE') return html(res, 503, messagePage('Service momentanément indisponible', ['Rien n’a été modifié. Réessayez dans un instant.']));
  html(res, error.httpStatus >= 500 ? 500 : error.httpStatus, messagePage('Une erreur est survenue', [`Réessayez dans un instant. Si le problème continue, signalez-le à Agrilocal en citant la référence ${req.requestId}.`]));
};

export function webRouter(deps: WebDeps): Router {
  const router = Router();
  const t = tools(deps);
  assetRoutes(router);
  router.use(['/connexion', '/deconnexion', '/factures', '/profil'], (_req, _res, next) => RequestContext.create(deps.orm.em, next));
  signInRoutes(router, deps.config);
  router.get('/', (_req, res) => res.redirect(303, '/factures'));
  // Every page under /factures and /profil needs a session (mount paths are restored after the middleware).
  router.use(['/factures', '/profil'], requireSession(deps.config));
  invoiceRoutes(router, t);
  profileRoutes(router, t);
  router.use(['/factures', '/profil'], (_req, res) => html(res, 404, messagePage('Page introuvable', ['Cette page ou cette facture n’existe pas dans votre espace.'])));
  router.use(pageErrors);
  return router;
}
