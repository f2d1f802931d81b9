/**
 * The /api/v1 routes (docs/reference/api-contract.md §2); the caller is already authenticated (app.ts). Each one authorises, parses its inputs with the schemas that also
 * make the OpenAPI document, calls one use case and answers; errors go to the one mapper in errors.ts.
 */
import type { ChorusAccounts } from '../chorus';
import express, { Router, type Request, type RequestHandler } from 'express';
import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from '../config';
import { allow, callerOf } from './auth';
import { jsonBodyOnly, parse, requestKey } from './http';
import * as s from './schemas';
import type { UseCaseContext } from './use-cases/context';
import { getProducer, putBuyer, putProducer } from './use-cases/profiles';
import { deleteChorusAccount, listChorusAccounts, putChorusAccount } from './use-cases/chorus-accounts';
import { createLoginLink } from './use-cases/sessions';
import { cancelOrder, createOrder, validateQuantities } from './use-cases/orders';
import { reissueInvoice } from './use-cases/credit-notes';
import {
  archiveInvoice,
  completeInvoice,
  getInvoice,
  getInvoicePdf,
  listInvoices,
  markProcessed,
  recycleInvoice,
  sendInvoice,
} from './use-cases/invoices';
import type { InvoiceWorkflowGateway } from './invoice-workflow-gateway';

export interface RouterDeps {
  config: Config;
  workflows: InvoiceWorkflowGateway;
  chorusAccounts: ChorusAccounts;
  credentialsKey: Buffer;
  /** Body limits: small everywhere, large where attachments travel (10 MB each, base64). */
  bodyLimit?: string;
  attachmentBodyLimit?: string;
}

export function apiRouter({ config, workflows, chorusAccounts, credentialsKey, bodyLimit = '256kb', attachmentBodyLimit = '15mb' }: RouterDeps): Router {
  const router = Router();
  // The caller's rights are checked before any body is read: a producer on a platform route is a 403 whatever he sends.
  const writers = (who: RequestHandler, limit: string): RequestHandler => Router().use(who, express.json({ limit }), jsonBodyOnly);
  const platform = writers(allow('platform'), bodyLimit);
  const readers = allow('platform', 'producer', 'admin');
  const actors = writers(allow('platform', 'producer'), bodyLimit);
  const actorsWithFiles = writers(allow('platform', 'producer'), attachmentBodyLimit);

  const context = (req: Request): UseCaseContext => {
    const em = RequestContext.getEntityManager() as EntityManager | undefined;
    if (!em) throw new Error('No request context: the RequestContext middleware must run before the routes');
    return { em, workflows, chorusAccounts, credentialsKey, config, caller: callerOf(req), requestKey: req.method === 'GET' ? req.requestId : requestKey(req) };
  };

  // Platform: profiles (and reading them) and orders.
  profileRoutes(router, context, platform, readers);

  router.post('/orders', platform, async (req, res) => {
    const out = await createOrder(context(req), parse(s.orderBody, req.body, 'body'));
    res.status(out.created ? 201 : 200).location(out.location).json(out.value);
  });

  router.post('/orders/:orderId/quantity-validation', platform, async (req, res) => {
    const { orderId } = parse(s.orderIdParams, req.params, 'path');
    res.json(await validateQuantities(context(req), orderId, parse(s.quantityValidationBody, req.body, 'body')));
  });

  router.post('/orders/:orderId/cancel', platform, async (req, res) => {
    const { orderId } = parse(s.orderIdParams, req.params, 'path');
    res.json(await cancelOrder(context(req), orderId, parse(s.cancelBody, req.body, 'body')));
  });

  // Producers (and the platform for them; the admin key reads).
  router.get('/invoices', readers, async (req, res) => {
    res.json(await listInvoices(context(req), parse(s.listQuery, req.query, 'query')));
  });

  router.get('/invoices/:invoiceId', readers, async (req, res) => {
    const { invoiceId } = parse(s.invoiceIdParams, req.params, 'path');
    res.json(await getInvoice(context(req), invoiceId));
  });

  router.get('/invoices/:invoiceId/pdf', readers, async (req, res) => {
    const { invoiceId } = parse(s.invoiceIdParams, req.params, 'path');
    const { filename, pdf } = await getInvoicePdf(context(req), invoiceId);
    res.type('application/pdf').attachment(filename).send(pdf);
  });

  router.post('/invoices/:invoiceId/send', actors, async (req, res) => {
    const { invoiceId } = parse(s.invoiceIdParams, req.params, 'path');
    res.json(await sendInvoice(context(req), invoiceId, parse(s.sendBody, req.body, 'body')));
  });

  router.post('/invoices/:invoiceId/mark-processed', actors, async (req, res) => {
    const { invoiceId } = parse(s.invoiceIdParams, req.params, 'path');
    parse(s.emptyBody, req.body, 'body');
    res.json(await markProcessed(context(req), invoiceId));
  });

  router.post('/invoices/:invoiceId/archive', actors, async (req, res) => {
    const { invoiceId } = parse(s.invoiceIdParams, req.params, 'path');
    parse(s.emptyBody, req.body, 'body');
    res.json(await archiveInvoice(context(req), invoiceId));
  });

  router.post('/invoices/:invoiceId/recycle', actors, async (req, res) => {
    const { invoiceId } = parse(s.invoiceIdParams, req.params, 'path');
    res.json(await recycleInvoice(context(req), invoiceId, parse(s.recycleBody, req.body, 'body')));
  });

  router.post('/invoices/:invoiceId/reissue', actors, async (req, res) => {
    const { invoiceId } = parse(s.invoiceIdParams, req.params, 'path');
    res.json(await reissueInvoice(context(req), invoiceId, parse(s.reissueBody, req.body, 'body')));
  });

  router.post('/invoices/:invoiceId/complete', actorsWithFiles, async (req, res) => {
    const { invoiceId } = parse(s.invoiceIdParams, req.params, 'path');
    res.json(await completeInvoice(context(req), invoiceId, parse(s.completeBody, req.body, 'body')));
  });

  return router;
}

/** Producer and buyer profiles, and a producer's own Chorus technical account. */
function profileRoutes(router: Router, context: (req: Request) => UseCaseContext, platform: RequestHandler, readers: RequestHandler): void {
  router.put('/producers/:siret', platform, async (req, res) => {
    const { siret } = parse(s.siretParams, req.params, 'path');
    const out = await putProducer(context(req), siret, parse(s.producerBody, req.body, 'body'));
    res.status(out.created ? 201 : 200).json(out.value);
  });

  router.get('/producers/:siret', readers, async (req, res) => {
    const { siret } = parse(s.siretParams, req.params, 'path');
    res.json(await getProducer(context(req), siret));
  });

  router.put('/producers/:siret/chorus-account', platform, async (req, res) => {
    const { siret } = parse(s.siretParams, req.params, 'path');
    const out = await putChorusAccount(context(req), siret, parse(s.chorusAccountBody, req.body, 'body'));
    res.status(out.created ? 201 : 200).json(out.value);
  });

  router.delete('/producers/:siret/chorus-account', allow('platform'), async (req, res) => {
    const { siret } = parse(s.siretParams, req.params, 'path');
    await deleteChorusAccount(context(req), siret);
    res.status(204).end();
  });

  router.get('/admin/chorus-accounts', allow('admin'), async (req, res) => {
    res.json(await listChorusAccounts(context(req), parse(s.chorusAccountsQuery, req.query, 'query')));
  });

  router.post('/producers/:siret/login-links', platform, async (req, res) => {
    const { siret } = parse(s.siretParams, req.params, 'path');
    parse(s.emptyBody, req.body, 'body');
    res.status(201).json(await createLoginLink(context(req), siret));
  });

  router.put('/buyers/:siret', platform, async (req, res) => {
    const { siret } = parse(s.siretParams, req.params, 'path');
    const out = await putBuyer(context(req), siret, parse(s.buyerBody, req.body, 'body'));
    res.status(out.created ? 201 : 200).json(out.value);
  });
}
