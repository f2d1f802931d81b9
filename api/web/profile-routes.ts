/** `/profil`: the producer's own settings, saved by the same use case and schema as PUT /producers. */
import { randomUUID } from 'node:crypto';
import express, { type Request, type Router } from 'express';
import { toApiError } from '../errors';
import { getProducer, updateProducerSettings } from '../use-cases/profiles';
import { frenchFieldErrors, frenchMessage } from './fr';
import { requireCsrf, type WebRequestTools } from './forms';
import { profilePage } from './views/profile';

const field = (req: Request, name: string): string => {
  const value = (req.body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value.trim() : '';
};

/** The form as the use case takes it: a checkbox is sent only when ticked; an empty VAT number or mention is none. */
function settingsOf(req: Request) {
  const type = field(req, 'paymentType');
  const bic = field(req, 'bic');
  return {
    chorusEnabled: field(req, 'chorusEnabled') === 'on',
    paymentMethod: type === 'CHEQUE' ? { type } : type === 'VIREMENT' ? { type, iban: field(req, 'iban') || undefined, ...(bic ? { bic } : {}) } : { type },
    vatNumber: field(req, 'vatNumber') || null,
    vatExemptionMention: field(req, 'vatExemptionMention') || null,
  };
}

export function profileRoutes(router: Router, t: WebRequestTools): void {
  router.get('/profil', async (req, res) => {
    const ctx = t.context(req);
    const [producer, session] = await Promise.all([getProducer(ctx, ctx.caller.kind === 'producer' ? ctx.caller.siret : ''), t.frame(req)]);
    t.html(res, 200, profilePage({ session, producer, formKey: randomUUID(), ...(req.query.fait ? { notice: 'Votre profil est enregistré.' } : {}) }));
  });
  router.post('/profil', express.urlencoded({ extended: false, limit: '16kb' }), requireCsrf, async (req, res) => {
    const ctx = t.context(req);
    const siret = ctx.caller.kind === 'producer' ? ctx.caller.siret : '';
    try {
      await updateProducerSettings(ctx, siret, settingsOf(req));
      res.redirect(303, '/profil?fait=1');
    } catch (err) {
      const error = toApiError(err);
      if (error.httpStatus >= 500 || error.code === 'NOT_FOUND') throw err;
      const values = Object.fromEntries(['chorusEnabled', 'paymentType', 'iban', 'bic', 'vatNumber', 'vatExemptionMention'].map((name) => [name, field(req, name)]));
      const [producer, session] = await Promise.all([getProducer(t.context(req), siret), t.frame(req)]);
      t.html(res, error.httpStatus, profilePage({ session, producer, formKey: randomUUID(), values, fields: frenchFieldErrors(error), message: frenchMessage(error) }));
    }
  });
}
