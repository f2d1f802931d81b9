/**
 * Sandbox-only control routes under `/sandbox/v1` (docs/reference/api-contract.md §4): register structures, play the buyer's
 * side on invoices, configure delays, autopilot and faults, read stats, reset. Dev only: no authentication.
 * Errors answer `{error: {code, message, details}}` like our own API.
 */
import express, { Router, type ErrorRequestHandler, type Response } from 'express';
import { z } from 'zod';
import { chorusDate } from './dates';
import { SandboxControlError } from './errors';
import { autopilotPathError, SANDBOX_INVOICE_STATUSES } from './lifecycle';
import type { SandboxConfig, SandboxFlow, SandboxInvoice, SandboxStructure } from './model';
import { structureSnapshotOf } from './snapshot';
import type { SandboxState } from './state';
import { CREDIT_NOTE_TYPE_CODE } from './rules';

const siretParam = z.string().regex(/^\d{14}$/, 'a SIRET is 14 digits');
const shortText = z.string().trim().min(1).max(200);

const structureBody = z
  .strictObject({
    designation: shortText,
    type: z.enum(['PUBLIC', 'SUPPLIER']),
    codeServiceDoitEtreRenseigne: z.boolean().optional(),
    numeroEJDoitEtreRenseigne: z.boolean().optional(),
    gestionNumeroEJOuCodeService: z.boolean().optional(),
    attached: z.boolean().optional(),
    services: z
      .array(
        z.strictObject({
          codeService: z.string().trim().min(1).max(100),
          libelle: shortText,
          actif: z.boolean(),
          numeroEngagement: z.boolean().optional(),
        }),
      )
      .max(10_000)
      .optional(),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    for (const [index, service] of (body.services ?? []).entries()) {
      if (seen.has(service.codeService)) {
        ctx.addIssue({ code: 'custom', path: ['services', index, 'codeService'], message: `duplicate codeService ${service.codeService}` });
      }
      seen.add(service.codeService);
    }
  });

const invoicesQuery = z.strictObject({
  numeroFacture: z.string().min(1).optional(),
  siretFournisseur: siretParam.optional(),
});

const statusBody = z.strictObject({
  statut: z.enum(SANDBOX_INVOICE_STATUSES),
  motif: z.string().max(1000).optional(),
});

/** Any flow state, documented or not: the sandbox can emit what the real host might. */
const flowStateBody = z.strictObject({
  etat: z.string().regex(/^[A-Z][A-Z0-9_]{2,80}$/, 'a flow state code, e.g. QP_IRRECEVABLE'),
  erreurs: z.array(z.string().min(1).max(2000)).max(50).optional(),
});

/** Another technical account (a producer's own): its password, attached suppliers and password expiry. */
const technicalAccountBody = z.strictObject({
  password: z.string().min(1).max(200),
  attachedSirets: z.array(siretParam).max(10_000),
  /** Default: a year from now. */
  passwordExpiresAt: z.iso.datetime().optional(),
});
const loginParam = z.string().min(1).max(200).regex(/^[^:]+$/, 'a login has no ":"');

const rate = z.number().min(0).max(1);
const durationMs = z.number().int().min(0).max(86_400_000);
const configBody = z
  .strictObject({
    flowProcessingDelayMs: durationMs.optional(),
    tokenLifetimeMs: z.number().int().min(100).max(86_400_000).optional(),
    loneListItemAsObject: z.boolean().optional(),
    technicalAccountPasswordExpiresAt: z.iso.datetime().optional(),
    autopilot: z
      .strictObject({
        path: z.array(z.enum(SANDBOX_INVOICE_STATUSES)).min(1).max(50),
        stepDelayMs: durationMs,
        /** Each new invoice its own walk and pace (the bench's lifecycle mix); `path` is then unused. */
        plans: z
          .array(
            z
              .strictObject({ path: z.array(z.enum(SANDBOX_INVOICE_STATUSES)).min(1).max(50), stepDelaysMs: z.array(durationMs).max(50) })
              .refine((plan) => plan.stepDelaysMs.length === plan.path.length, { message: 'one delay per step of the path', path: ['stepDelaysMs'] }),
          )
          .max(100_000)
          .optional(),
      })
      .nullable()
      .optional(),
    faults: z
      .strictObject({
        errorRate5xx: rate.optional(),
        latencyMs: z.number().int().min(0).max(600_000).optional(),
        spurious401Rate: rate.optional(),
        invalidClientRate: rate.optional(),
        callsPerSecondQuota: z.number().int().min(0).max(100_000).optional(),
      })
      .optional(),
  })
  .superRefine((body, ctx) => {
    const problem = body.autopilot ? autopilotPathError(body.autopilot.path) : null;
    if (problem) ctx.addIssue({ code: 'custom', path: ['autopilot', 'path'], message: problem });
    for (const [index, plan] of (body.autopilot?.plans ?? []).entries()) {
      const wrong = autopilotPathError(plan.path);
      if (wrong) ctx.addIssue({ code: 'custom', path: ['autopilot', 'plans', index, 'path'], message: wrong });
    }
  });

function validate<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new SandboxControlError(400, 'VALIDATION_ERROR', `Invalid ${what}: ${details.map((d) => `${d.path || '(root)'}: ${d.message}`).join('; ')}`, details);
}

function identifiant(raw: string | undefined): number {
  const value = validate(z.string().regex(/^\d+$/, 'identifiantFactureCPP is numeric'), raw, 'identifiantFactureCPP');
  return Number(value);
}

// ------------------------------------------------------------------------------------------------ views

/** The structure as a snapshot holds it (one mapper, snapshot.ts), without the services' start dates. */
export function structureView(s: SandboxStructure) {
  const { services, ...fields } = structureSnapshotOf(s);
  return { ...fields, services: services.map(({ dateDbtService: _dateDbtService, ...service }) => service) };
}

export function invoiceView(state: SandboxState, inv: SandboxInvoice) {
  return {
    identifiantFactureCPP: inv.identifiantFactureCPP,
    numeroFacture: inv.numeroFacture,
    numeroFluxDepot: inv.numeroFluxDepot,
    statut: inv.statut,
    typeFacture: inv.typeCode === CREDIT_NOTE_TYPE_CODE ? 'AVOIR' : 'FACTURE',
    siretFournisseur: inv.siretFournisseur,
    siretDestinataire: inv.siretDestinataire,
    codeServiceExecutant: inv.codeServiceExecutant ?? null,
    numeroEngagement: inv.numeroEngagement ?? null,
    numeroMarche: inv.numeroMarche ?? null,
    dateFacture: inv.dateFacture ?? null,
    dateDepot: chorusDate(new Date(inv.dateDepot)),
    montantTTC: inv.montantTTC ?? null,
    devise: inv.devise,
    /** Flows that carried this number for this supplier, rejected ones included. */
    depositCount: state.depositCount(inv),
    histoStatut: inv.histo.map((h) => ({
      histoStatutCode: h.histoStatutCode,
      histoStatutDatePassage: h.histoStatutDatePassage,
      /** The exact moment (Chorus' own date has minute precision; the bench's scaled days need better). */
      le: new Date(h.le).toISOString(),
      histoStatutCommentaire: h.histoStatutCommentaire,
    })),
    piecesJointes: inv.piecesJointes.map((pieceJointeId) => {
      const attachment = state.attachment(pieceJointeId);
      return { pieceJointeId, pieceJointeNom: attachment?.pieceJointeNom ?? null, taille: attachment?.taille ?? null };
    }),
    autopilot: inv.autopilot ? { path: inv.autopilot.path, next: inv.autopilot.path[inv.autopilot.index] ?? null, stepDelaysMs: inv.autopilot.stepDelaysMs ?? null } : null,
  };
}

/** The configuration, the other technical accounts without their passwords. */
function configView(config: SandboxConfig) {
  return { ...config, technicalAccounts: config.technicalAccounts.map(({ password: _password, ...account }) => account) };
}

export function flowView(flow: SandboxFlow) {
  return {
    numeroFluxDepot: flow.numeroFluxDepot,
    nomFichier: flow.nomFichier,
    syntaxeFlux: flow.syntaxeFlux,
    etatCourantDepotFlux: flow.etat,
    etats: flow.historiqueEtats.map((e) => ({ etat: e.etat, le: new Date(e.le).toISOString() })),
    numeroFacture: flow.invoice?.numeroFacture ?? null,
    siretFournisseur: flow.invoice?.siretFournisseur ?? null,
    siretDestinataire: flow.invoice?.siretDestinataire ?? null,
    identifiantFactureCPP: flow.identifiantFactureCPP ?? null,
    /** The technical account that deposited it; null: the main one. */
    deposant: flow.deposant ?? null,
    listeErreurDP: flow.erreursDP,
    listeErreurTechnique:
      flow.etat === 'IN_INCIDENTE' && flow.incident
        ? [{ codeErreur: flow.incident.codeErreur, libelleErreur: flow.incident.libelleErreur, natureErreur: flow.incident.natureErreur }]
        : [],
  };
}

// ------------------------------------------------------------------------------------------------ router

export function controlRouter(state: SandboxState): Router {
  const router = Router();
  router.use(express.json({ limit: '5mb' }));

  router.put('/structures/:siret', (req, res: Response) => {
    const siret = validate(siretParam, req.params.siret, 'SIRET');
    const body = validate(structureBody, req.body, 'structure');
    const { created, structure } = state.upsertStructure({ siret, ...body });
    res.status(created ? 201 : 200).json(structureView(structure));
  });

  router.put('/technical-accounts/:login', (req, res) => {
    const login = validate(loginParam, req.params.login, 'login');
    const body = validate(technicalAccountBody, req.body, 'technical account');
    const passwordExpiresAt = body.passwordExpiresAt ?? new Date(state.now() + 365 * 86_400_000).toISOString();
    const { created, account } = state.upsertTechnicalAccount({ login, password: body.password, attachedSirets: body.attachedSirets, passwordExpiresAt });
    res.status(created ? 201 : 200).json({ login: account.login, attachedSirets: account.attachedSirets, passwordExpiresAt: account.passwordExpiresAt });
  });

  router.get('/technical-accounts', (_req, res) => {
    const accounts = state.config.technicalAccounts.map((a) => ({ login: a.login, attachedSirets: a.attachedSirets, passwordExpiresAt: a.passwordExpiresAt }));
    res.json({ technicalAccounts: accounts });
  });

  router.get('/structures', (_req, res) => {
    res.json({ structures: state.listStructures().map(structureView) });
  });

  router.get('/invoices', (req, res) => {
    const query = validate(invoicesQuery, req.query, 'query');
    const invoices = state.searchInvoices({ numeroFacture: query.numeroFacture, siretFournisseur: query.siretFournisseur });
    const flows = state.listFlows({ numeroFacture: query.numeroFacture, siretFournisseur: query.siretFournisseur });
    res.json({ invoices: invoices.map((inv) => invoiceView(state, inv)), flows: flows.map(flowView) });
  });

  router.get('/invoices/:id', (req, res) => {
    const id = identifiant(req.params.id);
    const inv = state.invoice(id);
    if (!inv) throw new SandboxControlError(404, 'NOT_FOUND', `No invoice with identifiantFactureCPP ${id}`);
    res.json(invoiceView(state, inv));
  });

  router.post('/invoices/:id/status', (req, res) => {
    const id = identifiant(req.params.id);
    const body = validate(statusBody, req.body, 'status move');
    const inv = state.moveStatus(id, body.statut, body.motif);
    res.json(invoiceView(state, inv));
  });

  router.get('/flows/:numeroFluxDepot', (req, res) => {
    const flow = state.flow(req.params.numeroFluxDepot);
    if (!flow) throw new SandboxControlError(404, 'NOT_FOUND', `No flow ${req.params.numeroFluxDepot}`);
    res.json(flowView(flow));
  });

  router.post('/flows/:numeroFluxDepot/etat', (req, res) => {
    const body = validate(flowStateBody, req.body, 'flow state');
    const flow = state.forceFlowState(req.params.numeroFluxDepot, body.etat, body.erreurs);
    if (!flow) throw new SandboxControlError(404, 'NOT_FOUND', `No flow ${req.params.numeroFluxDepot}`);
    res.json(flowView(flow));
  });

  router.get('/config', (_req, res) => {
    res.json(configView(state.config));
  });

  router.put('/config', (req, res) => {
    const body = validate(configBody, req.body, 'configuration');
    res.json(configView(state.updateConfig(body)));
  });

  router.get('/stats', (_req, res) => {
    res.json(state.stats());
  });

  router.post('/reset', (_req, res) => {
    state.reset();
    res.status(204).end();
  });

  router.use((req, res) => {
    res.status(404).json({ error: { code: 'NOT_FOUND', message: `No control route ${req.method} ${req.baseUrl}${req.path}`, details: [] } });
  });

  return router;
}

export function controlErrorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    if (error instanceof SandboxControlError) {
      res.status(error.httpStatus).json({ error: { code: error.code, message: error.message, details: error.details } });
      return;
    }
    const type = typeof error === 'object' && error !== null && 'type' in error ? error.type : undefined;
    if (type === 'entity.parse.failed') {
      res.status(400).json({ error: { code: 'VALIDATION_ERROR', message: 'The body is not valid JSON', details: [] } });
      return;
    }
    if (type === 'entity.too.large') {
      res.status(413).json({ error: { code: 'PAYLOAD_TOO_LARGE', message: 'The body is too large', details: [] } });
      return;
    }
    log(`chorus-sandbox: ${req.method} ${req.originalUrl} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    res.status(500).json({ error: { code: 'INTERNAL', message: 'Sandbox internal error', details: [] } });
  };
}
