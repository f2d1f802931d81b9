/**
 * The sandbox's state as plain JSON data: what `SandboxState.snapshot()` gives and `SandboxState.restore()` takes,
 * and the schema a state file is checked against before any of it is used (persistence.ts). Tokens and stats are
 * not part of it: clients fetch new tokens, stats start at zero. Below the schema: records to snapshot data
 * (`*SnapshotOf`), the per-record JSON cache behind `snapshotJson()`, and `restoreInto`, snapshot data back to
 * records.
 *
 * Bump `SNAPSHOT_VERSION` when the shape changes incompatibly: an older sandbox then refuses the file (and starts
 * from the seeds) rather than misreading it.
 */
import { z } from 'zod';
import { FLOW_STATES } from '../domain/statuses';
import { FlowIncident, type CiiInvoice } from './facturx';
import { SANDBOX_INVOICE_STATUSES } from './lifecycle';
import {
  cloneConfig,
  type SandboxAttachment,
  type SandboxFlow,
  type SandboxInvoice,
  type SandboxService,
  type SandboxStructure,
} from './model';
import type { SandboxCounters, SandboxState } from './state';

export const SNAPSHOT_VERSION = 1;

const id = z.number().int().positive();
const epochMs = z.number().finite();
const delayMs = z.number().finite().min(0);
const text = z.string();
const optionalText = z.string().optional();
const invoiceStatus = z.enum(SANDBOX_INVOICE_STATUSES);
// Known states, plus any code a control route forced (the sandbox may emit what the real host might).
const flowState = z.string().refine((state) => (FLOW_STATES as readonly string[]).includes(state) || /^[A-Z][A-Z0-9_]{2,80}$/.test(state), 'not a flow state code');
const rate = z.number().min(0).max(1);

const serviceSnapshot = z.object({
  idService: id,
  codeService: text,
  libelle: text,
  actif: z.boolean(),
  numeroEngagement: z.boolean(),
  dateDbtService: text,
});

const structureSnapshot = z.object({
  idStructureCPP: id,
  siret: text,
  designation: text,
  type: z.enum(['PUBLIC', 'SUPPLIER']),
  codeServiceDoitEtreRenseigne: z.boolean(),
  numeroEJDoitEtreRenseigne: z.boolean(),
  gestionNumeroEJOuCodeService: z.boolean(),
  // Saved before rattachement was modelled: every supplier was attached.
  attached: z.boolean().default(true),
  services: z.array(serviceSnapshot),
});

/** `CiiInvoice` (facturx.ts): absent keys are the terms the file did not carry. */
const ciiInvoiceSnapshot = z.object({
  numeroFacture: optionalText,
  typeCode: optionalText,
  // Absent from snapshots written before credit notes.
  cadreFacturation: optionalText,
  numeroFactureOrigine: optionalText,
  dateFacture: optionalText,
  siretFournisseur: optionalText,
  sellerName: optionalText,
  siretDestinataire: optionalText,
  buyerName: optionalText,
  codeService: optionalText,
  numeroEngagement: optionalText,
  numeroMarche: optionalText,
  paymentMeansCodes: z.array(text),
  currency: optionalText,
  taxBasisTotal: optionalText,
  grandTotal: optionalText,
  duePayable: optionalText,
});

const flowSnapshot = z.object({
  numeroFluxDepot: text.min(1),
  nomFichier: text,
  syntaxeFlux: text,
  deposeLe: epochMs,
  processingDelayMs: delayMs,
  etat: flowState,
  etatDepuis: epochMs,
  historiqueEtats: z.array(z.object({ etat: flowState, le: epochMs })),
  invoice: ciiInvoiceSnapshot.optional(),
  incident: z
    .object({ codeErreur: text, libelleErreur: text, natureErreur: z.enum(['IRRECEVABILITE', 'TECHNIQUE']) })
    .optional(),
  erreursDP: z.array(
    z.object({ identifiantDestinataire: text, identifiantFournisseur: text, numeroDP: text, libelleErreurDP: text }),
  ),
  identifiantFactureCPP: id.optional(),
  held: z.boolean().optional(),
  deposant: text.optional(),
});

const invoiceSnapshot = z.object({
  identifiantFactureCPP: id,
  numeroFacture: text,
  numeroFluxDepot: text,
  typeCode: text,
  idFournisseur: id,
  siretFournisseur: text,
  designationFournisseur: text,
  idDestinataire: id,
  siretDestinataire: text,
  designationDestinataire: text,
  codeServiceExecutant: optionalText,
  numeroEngagement: optionalText,
  numeroMarche: optionalText,
  dateFacture: optionalText,
  dateDepot: epochMs,
  montantHT: z.number().optional(),
  montantTTC: z.number().optional(),
  montantAPayer: z.number().optional(),
  devise: text,
  statut: invoiceStatus,
  dateHeureEtatCourant: epochMs,
  histo: z.array(
    z.object({
      histoStatutId: id,
      histoStatutCode: invoiceStatus,
      histoStatutDatePassage: text,
      histoStatutCommentaire: text,
      le: epochMs,
    }),
  ),
  piecesJointes: z.array(id),
  autopilot: z
    .object({ path: z.array(invoiceStatus), index: z.number().int().min(0), stepDelayMs: delayMs, stepDelaysMs: z.array(delayMs).optional() })
    .optional(),
});

const attachmentSnapshot = z.object({
  pieceJointeId: id,
  pieceJointeNom: text,
  pieceJointeTypeMime: text,
  pieceJointeExtension: text,
  taille: z.number().int().min(0),
  /** The file itself, base64. */
  contenu: z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64'),
});

const configSnapshot = z.object({
  flowProcessingDelayMs: delayMs,
  tokenLifetimeMs: z.number().finite().positive(),
  autopilot: z
    .object({ path: z.array(invoiceStatus), stepDelayMs: delayMs, plans: z.array(z.object({ path: z.array(invoiceStatus), stepDelaysMs: z.array(delayMs) })).optional() })
    .nullable(),
  faults: z.object({ errorRate5xx: rate, latencyMs: delayMs, spurious401Rate: rate, invalidClientRate: rate, callsPerSecondQuota: z.number().int().min(0).default(0) }),
  loneListItemAsObject: z.boolean().default(false),
  technicalAccountPasswordExpiresAt: z.iso.datetime().default(() => new Date(Date.now() + 365 * 86_400_000).toISOString()),
  technicalAccounts: z.array(z.object({ login: text.min(1), password: text.min(1), attachedSirets: z.array(text), passwordExpiresAt: z.iso.datetime() })).default([]),
});

/** The next id of each sequence: flow, invoice, attachment and history ids are never given twice. */
const countersSnapshot = z.object({
  nextStructureId: id,
  nextServiceId: id,
  flowSequence: z.number().int().min(0),
  nextInvoiceId: id,
  nextAttachmentId: id,
  nextHistoId: id,
});

export const sandboxSnapshotSchema = z.object({
  version: z.literal(SNAPSHOT_VERSION),
  savedAt: text,
  counters: countersSnapshot,
  config: configSnapshot,
  structures: z.array(structureSnapshot),
  /** In deposit order. */
  flows: z.array(flowSnapshot),
  /** In creation order. */
  invoices: z.array(invoiceSnapshot),
  attachments: z.array(attachmentSnapshot),
});

export type SandboxSnapshot = z.infer<typeof sandboxSnapshotSchema>;
export type FlowSnapshot = z.infer<typeof flowSnapshot>;
export type InvoiceSnapshot = z.infer<typeof invoiceSnapshot>;
export type StructureSnapshot = z.infer<typeof structureSnapshot>;
export type AttachmentSnapshot = z.infer<typeof attachmentSnapshot>;

/** Why a state file cannot be used, in words for the person who reads stderr. */
export class SnapshotError extends Error {
  override readonly name = 'SnapshotError';
}

/** Parses and checks a state file's text; throws `SnapshotError` naming the first problems. */
export function parseSnapshot(json: string): SandboxSnapshot {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new SnapshotError(`not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new SnapshotError('not a JSON object');
  const version = (data as { version?: unknown }).version;
  if (version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(`version ${JSON.stringify(version) ?? 'missing'} is not supported (this sandbox reads version ${SNAPSHOT_VERSION})`);
  }
  const result = sandboxSnapshotSchema.safeParse(data);
  if (!result.success) {
    const issues = result.error.issues;
    const shown = issues.slice(0, 3).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new SnapshotError(`unexpected content: ${shown.join('; ')}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ''}`);
  }
  return result.data;
}

// ------------------------------------------------------------------------------------------ records to data

/** Everything `SandboxState.snapshot()` holds, built fresh (records copied, nothing shared with the state). */
export function snapshotOf(state: SandboxState): SandboxSnapshot {
  const { flows, invoices, attachments } = state.records();
  return {
    ...snapshotHead(state),
    structures: state.listStructures().map(structureSnapshotOf),
    flows: [...flows].map(flowSnapshotOf),
    invoices: [...invoices].map(invoiceSnapshotOf),
    attachments: [...attachments].map(attachmentSnapshotOf),
  };
}

/**
 * `JSON.stringify(snapshotOf(state))`, only faster: each record's JSON is kept until `forget(record)` (the state
 * calls it on every change of a record), so a save re-serialises the few records that moved and joins the rest.
 */
export class SnapshotJsonCache {
  private readonly cache = new WeakMap<object, string>();

  forget(record: object): void {
    this.cache.delete(record);
  }

  snapshotJson(state: SandboxState): string {
    const head = JSON.stringify(snapshotHead(state));
    const { flows, invoices, attachments } = state.records();
    return (
      `${head.slice(0, -1)},"structures":[${this.recordsJson(state.listStructures(), structureSnapshotOf)}]` +
      `,"flows":[${this.recordsJson(flows, flowSnapshotOf)}]` +
      `,"invoices":[${this.recordsJson(invoices, invoiceSnapshotOf)}]` +
      `,"attachments":[${this.recordsJson(attachments, attachmentSnapshotOf)}]}`
    );
  }

  private recordsJson<T extends object>(records: Iterable<T>, toSnapshot: (record: T) => unknown): string {
    const parts: string[] = [];
    for (const record of records) {
      let json = this.cache.get(record);
      if (json === undefined) {
        json = JSON.stringify(toSnapshot(record));
        this.cache.set(record, json);
      }
      parts.push(json);
    }
    return parts.join(',');
  }
}

function snapshotHead(state: SandboxState): Pick<SandboxSnapshot, 'version' | 'savedAt' | 'counters' | 'config'> {
  const c = state.counters;
  return {
    version: SNAPSHOT_VERSION,
    savedAt: new Date(state.now()).toISOString(),
    counters: { ...c },
    config: cloneConfig(state.config),
  };
}

// Records as snapshot data: plain fields spread, nested values copied; live-only state (an autopilot's timerPending) left out.

export function structureSnapshotOf(s: SandboxStructure): StructureSnapshot {
  return {
    idStructureCPP: s.idStructureCPP,
    siret: s.siret,
    designation: s.designation,
    type: s.type,
    codeServiceDoitEtreRenseigne: s.codeServiceDoitEtreRenseigne,
    numeroEJDoitEtreRenseigne: s.numeroEJDoitEtreRenseigne,
    gestionNumeroEJOuCodeService: s.gestionNumeroEJOuCodeService,
    attached: s.attached,
    services: [...s.services.values()].map((service) => ({ ...service })),
  };
}

function flowSnapshotOf(f: SandboxFlow): FlowSnapshot {
  return {
    ...f,
    historiqueEtats: f.historiqueEtats.map((e) => ({ etat: e.etat, le: e.le })),
    invoice: f.invoice && { ...f.invoice, paymentMeansCodes: [...f.invoice.paymentMeansCodes] },
    incident: f.incident && { codeErreur: f.incident.codeErreur, libelleErreur: f.incident.libelleErreur, natureErreur: f.incident.natureErreur },
    erreursDP: f.erreursDP.map((e) => ({ ...e })),
    identifiantFactureCPP: f.identifiantFactureCPP,
  };
}

function invoiceSnapshotOf(i: SandboxInvoice): InvoiceSnapshot {
  // The snapshot leaves out the live timer flag; every other field is plain data, copied so the file is a snapshot.
  const { autopilot, ...fields } = i;
  return {
    ...fields,
    histo: i.histo.map((h) => ({ ...h })),
    piecesJointes: [...i.piecesJointes],
    autopilot: autopilot && {
      path: [...autopilot.path],
      index: autopilot.index,
      stepDelayMs: autopilot.stepDelayMs,
      ...(autopilot.stepDelaysMs ? { stepDelaysMs: [...autopilot.stepDelaysMs] } : {}),
    },
  };
}

function attachmentSnapshotOf(a: SandboxAttachment): AttachmentSnapshot {
  return {
    pieceJointeId: a.pieceJointeId,
    pieceJointeNom: a.pieceJointeNom,
    pieceJointeTypeMime: a.pieceJointeTypeMime,
    pieceJointeExtension: a.pieceJointeExtension,
    taille: a.taille,
    contenu: a.contenu.toString('base64'),
  };
}

// ------------------------------------------------------------------------------------------ data to records

/**
 * Replaces the state's records, configuration and counters with a snapshot's (checked by `parseSnapshot`);
 * pending timers are cancelled, and resuming flows and walks is left to the caller (`SandboxState.restore`).
 * Counters never go back: each continues after the highest id of the snapshot.
 */
export function restoreInto(state: SandboxState, snapshot: SandboxSnapshot): void {
  state.clearRecords();
  const c = snapshot.counters;
  const counters: SandboxCounters = { ...c };
  for (const s of snapshot.structures) {
    const services = new Map<string, SandboxService>();
    for (const service of s.services) {
      services.set(service.codeService, { ...service });
      counters.nextServiceId = Math.max(counters.nextServiceId, service.idService + 1);
    }
    state.indexStructure({ ...s, services });
    counters.nextStructureId = Math.max(counters.nextStructureId, s.idStructureCPP + 1);
  }
  for (const a of snapshot.attachments) {
    state.indexAttachment({ ...a, contenu: Buffer.from(a.contenu, 'base64') });
    counters.nextAttachmentId = Math.max(counters.nextAttachmentId, a.pieceJointeId + 1);
  }
  for (const f of snapshot.flows) {
    state.indexFlow(restoredFlow(f));
    const sequence = /^CPP001111(\d{16})$/.exec(f.numeroFluxDepot)?.[1];
    if (sequence !== undefined) counters.flowSequence = Math.max(counters.flowSequence, Number(sequence));
  }
  for (const i of snapshot.invoices) {
    state.indexInvoice(restoredInvoice(i));
    counters.nextInvoiceId = Math.max(counters.nextInvoiceId, i.identifiantFactureCPP + 1);
    for (const h of i.histo) counters.nextHistoId = Math.max(counters.nextHistoId, h.histoStatutId + 1);
  }
  Object.assign(state.counters, counters);
  state.config = cloneConfig(snapshot.config);
}

function restoredFlow(f: FlowSnapshot): SandboxFlow {
  return {
    ...f,
    historiqueEtats: f.historiqueEtats.map((e) => ({ ...e })),
    invoice: f.invoice && restoredCiiInvoice(f.invoice),
    incident: f.incident && new FlowIncident(f.incident.codeErreur, f.incident.libelleErreur, f.incident.natureErreur),
    erreursDP: f.erreursDP.map((e) => ({ ...e })),
    identifiantFactureCPP: f.identifiantFactureCPP,
  };
}

function restoredInvoice(i: InvoiceSnapshot): SandboxInvoice {
  const { codeServiceExecutant, numeroEngagement, numeroMarche, dateFacture, montantHT, montantTTC, montantAPayer } = i;
  return {
    ...i,
    // Optional in the file, present (possibly undefined) in memory.
    ...{ codeServiceExecutant, numeroEngagement, numeroMarche, dateFacture, montantHT, montantTTC, montantAPayer },
    histo: i.histo.map((h) => ({ ...h })),
    piecesJointes: [...i.piecesJointes],
    autopilot: i.autopilot && {
      ...i.autopilot,
      path: [...i.autopilot.path],
      ...(i.autopilot.stepDelaysMs ? { stepDelaysMs: [...i.autopilot.stepDelaysMs] } : {}),
      timerPending: false,
    },
  };
}

/** Every key of `CiiInvoice`, absent ones (dropped by JSON) back as undefined. */
function restoredCiiInvoice(i: NonNullable<FlowSnapshot['invoice']>): CiiInvoice {
  return {
    numeroFacture: i.numeroFacture,
    typeCode: i.typeCode,
    cadreFacturation: i.cadreFacturation,
    numeroFactureOrigine: i.numeroFactureOrigine,
    dateFacture: i.dateFacture,
    siretFournisseur: i.siretFournisseur,
    sellerName: i.sellerName,
    siretDestinataire: i.siretDestinataire,
    buyerName: i.buyerName,
    codeService: i.codeService,
    numeroEngagement: i.numeroEngagement,
    numeroMarche: i.numeroMarche,
    paymentMeansCodes: [...i.paymentMeansCodes],
    currency: i.currency,
    taxBasisTotal: i.taxBasisTotal,
    grandTotal: i.grandTotal,
    duePayable: i.duePayable,
  };
}
