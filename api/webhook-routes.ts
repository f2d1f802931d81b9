/** The platform's webhook routes under /api/v1/webhooks (platform key only); the caller is authenticated (app.ts). */
import express, { Router } from 'express';
import { RequestContext } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { SecretBox } from '../lib/secret-box';
import { allow } from './auth';
import { jsonBodyOnly, parse } from './http';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, redeliver, type WebhookContext } from './use-cases/webhooks';
import type { WebhookDispatchers } from './webhook-dispatchers';
import * as s from './webhook-schemas';

export interface WebhookRouterDeps {
  dispatchers: WebhookDispatchers;
  secretBox: SecretBox;
  production: boolean;
  bodyLimit?: string;
}

export function webhookRouter({ dispatchers, secretBox, production, bodyLimit = '256kb' }: WebhookRouterDeps): Router {
  const router = Router();
  const platform = Router().use(allow('platform'), express.json({ limit: bodyLimit }), jsonBodyOnly);
  const context = (): WebhookContext => {
    const em = RequestContext.getEntityManager() as EntityManager | undefined;
    if (!em) throw new Error('No request context: the RequestContext middleware must run before the routes');
    return { em, dispatchers, secretBox, production };
  };

  router.post('/webhooks', platform, async (req, res) => {
    const out = await createWebhook(context(), parse(s.webhookBody, req.body, 'body'));
    res.status(201).location(`/api/v1/webhooks/${out.id}`).json(out);
  });

  router.get('/webhooks', platform, async (_req, res) => {
    res.json(await listWebhooks(context()));
  });

  router.delete('/webhooks/:webhookId', platform, async (req, res) => {
    const { webhookId } = parse(s.webhookIdParams, req.params, 'path');
    await deleteWebhook(context(), webhookId);
    res.status(204).end();
  });

  router.get('/webhooks/:webhookId/deliveries', platform, async (req, res) => {
    const { webhookId } = parse(s.webhookIdParams, req.params, 'path');
    res.json(await listDeliveries(context(), webhookId, parse(s.deliveryListQuery, req.query, 'query')));
  });

  router.post('/webhooks/:webhookId/deliveries/:deliveryId/redeliver', platform, async (req, res) => {
    const { webhookId, deliveryId } = parse(s.deliveryParams, req.params, 'path');
    parse(s.emptyBody, req.body, 'body');
    res.status(202).json(await redeliver(context(), webhookId, deliveryId));
  });

  return router;
}
