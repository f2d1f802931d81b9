/**
 * The sandbox's state as plain JSON data: what `SandboxState.snapshot()` gives and `SandboxState.restore()` takes,
 * and the schema a state file is checked against before any of it is used (persistence.ts). Tokens and stats are
 * not part of it: clients fetch new tokens, stats start at zero.
 *
 * Bump `SNAPSHOT_VERSION` when the shape changes incompatibly: an older sandbox then refuses the file (and starts
 * from the seeds) rather than misreading it.
 */
import { z } from 'zod';
import { FLOW_STATES } from '../domain/statuses';
import { SANDBOX_INVOICE_STATUSES } from './lifecycle';

export const SNAPSHOT_VERSION = 1;

const id = z.number().int().positive();
const epochMs = z.number().finite();
const delayMs = z.number().finite().min(0);
const text = z.string();
const optionalText = z.string().optional();
const invoiceStatus = z.enum(SANDBOX_INVOICE_STATUSES);
/** `FlowState` is an open string type (the client accepts unknown codes); the sandbox only ever sets known ones. */
const flowState = z.string().refine((state) => (FLOW_STATES as readonly string[]).includes(state), 'not a known flow state');
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
  services: z.array(serviceSnapshot),
});

/** `CiiInvoice` (facturx.ts): absent keys are the terms the file did not carry. */
const ciiInvoiceSnapshot = z.object({
  numeroFacture: optionalText,
  typeCode: optionalText,
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
    .object({ path: z.array(invoiceStatus), index: z.number().int().min(0), stepDelayMs: delayMs })
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
  autopilot: z.object({ path: z.array(invoiceStatus), stepDelayMs: delayMs }).nullable(),
  faults: z.object({ errorRate5xx: rate, latencyMs: delayMs, spurious401Rate: rate, invalidClientRate: rate }),
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
