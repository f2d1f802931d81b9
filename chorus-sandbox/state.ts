/**
 * The sandbox's Chorus Pro, in memory: the record store (structures, flows, invoices, attachments), indexed by
 * every key a request uses so that thousands of invoices stay fast, with configuration and call stats. The
 * moving parts live beside it: flows.ts and invoices.ts (the two state machines), scheduler.ts (timers),
 * snapshot.ts (`snapshot()` / `restore()` as plain data, which persistence.ts keeps in a file); PISTE's
 * credentials and tokens are gateway.ts's. HTTP lives in the routers; everything here is callable directly (the
 * property tests do). Listeners given to `onChange` hear of every change of what a snapshot holds.
 */
import { chorusDate } from './dates';
import { CHORUS_ERRORS } from './errors';
import { decodeBase64, FlowProcessing, MAX_FILE_BYTES, type DepositInput } from './flows';
import { InvoiceLifecycle, type CompleterInput, type RecyclerInput } from './invoices';
import {
  cloneAutopilot,
  cloneConfig,
  NO_FAULTS,
  type SandboxAttachment,
  type SandboxAutopilot,
  type SandboxConfig,
  type SandboxFaults,
  type SandboxFlow,
  type SandboxInvoice,
  type SandboxService,
  type SandboxStructure,
  type SandboxTechnicalAccount,
} from './model';
import { Scheduler } from './scheduler';
import { SANDBOX_SEED_STRUCTURES, type StructureSeed } from './seeds';
import { restoreInto, SnapshotJsonCache, snapshotOf, type SandboxSnapshot } from './snapshot';

const MAX_PIECE_JOINTE_NOM = 50;
const DEFAULT_FLOW_PROCESSING_DELAY_MS = 2000;
const DEFAULT_TOKEN_LIFETIME_MS = 3_600_000;
/** Seeds take ids from here; structures added later follow. Stable across resets. */
const FIRST_STRUCTURE_ID = 25_000_001;
const FIRST_SERVICE_ID = 7_000_001;
const FIRST_INVOICE_ID = 10_000_001;
const FIRST_ATTACHMENT_ID = 500_001;

export interface SandboxStateOptions {
  /** Lifetime of issued tokens (answered as `expires_in`, in seconds, rounded up). Default 1 h like PISTE. */
  tokenLifetimeMs?: number;
  flowProcessingDelayMs?: number;
  autopilot?: SandboxAutopilot | null;
  faults?: Partial<SandboxFaults>;
  /** See SandboxConfig.loneListItemAsObject (default false). */
  loneListItemAsObject?: boolean;
  /** See SandboxConfig.technicalAccountPasswordExpiresAt (default: a year after start). */
  technicalAccountPasswordExpiresAt?: string;
  /** Load the seeded structures (default true). */
  seed?: boolean;
  /** Injected clock (ms) and randomness (0..1, for fault injection). */
  now?: () => number;
  random?: () => number;
}

/** What `upsertStructure` takes: the shape of a seed. */
export type StructureInput = StructureSeed;

export interface InvoiceSearch {
  numeroFacture?: string;
  numeroFluxDepot?: string;
  idFournisseur?: number;
  siretFournisseur?: string;
  statutCourant?: readonly string[];
  /** YYYY-MM-DD bounds on the deposit date, inclusive. */
  periodeDateDepotDu?: string;
  periodeDateDepotAu?: string;
}

export type AttachmentInput = Pick<SandboxAttachment, 'pieceJointeNom' | 'pieceJointeTypeMime' | 'pieceJointeExtension'> & {
  pieceJointeFichier: string;
};

export type SandboxCounters = SandboxSnapshot['counters'];

export class SandboxState {
  readonly now: () => number;
  readonly random: () => number;
  config: SandboxConfig;

  private readonly initialConfig: SandboxConfig;
  private readonly seeded: boolean;
  private readonly structuresById = new Map<number, SandboxStructure>();
  private readonly structuresBySiret = new Map<string, SandboxStructure>();
  private readonly flows = new Map<string, SandboxFlow>();
  private readonly flowsBySupplierNumber = new Map<string, string[]>();
  private readonly invoices = new Map<number, SandboxInvoice>();
  private readonly invoicesByNumber = new Map<string, number[]>();
  private readonly invoicesBySupplierNumber = new Map<string, number[]>();
  private readonly invoicesByFlow = new Map<string, number[]>();
  private readonly attachments = new Map<number, SandboxAttachment>();
  private readonly calls = new Map<string, number>();
  private readonly scheduler = new Scheduler();
  private readonly invoiceLifecycle = new InvoiceLifecycle(this, this.scheduler);
  private readonly flowProcessing = new FlowProcessing(this, this.scheduler, this.invoiceLifecycle);
  private readonly changeListeners = new Set<() => void>();
  /** JSON of each record as last serialised; `changed(record)` drops it, so a save re-serialises only what moved. */
  private readonly jsonCache = new SnapshotJsonCache();
  /**
   * The next id of each sequence (for this module, flows.ts, invoices.ts and snapshot.ts). Flow, invoice,
   * attachment and history ids never restart, so a stale id cannot hit a newer record after a reset.
   */
  readonly counters: SandboxCounters = {
    nextStructureId: FIRST_STRUCTURE_ID,
    nextServiceId: FIRST_SERVICE_ID,
    flowSequence: 0,
    nextInvoiceId: FIRST_INVOICE_ID,
    nextAttachmentId: FIRST_ATTACHMENT_ID,
    nextHistoId: 1,
  };

  constructor(options: SandboxStateOptions = {}) {
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.seeded = options.seed ?? true;
    this.initialConfig = {
      flowProcessingDelayMs: options.flowProcessingDelayMs ?? DEFAULT_FLOW_PROCESSING_DELAY_MS,
      tokenLifetimeMs: options.tokenLifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS,
      autopilot: options.autopilot ?? null,
      faults: { ...NO_FAULTS, ...options.faults },
      loneListItemAsObject: options.loneListItemAsObject ?? false,
      technicalAccountPasswordExpiresAt: options.technicalAccountPasswordExpiresAt ?? new Date(this.now() + 365 * 86_400_000).toISOString(),
      technicalAccounts: [],
    };
    this.config = cloneConfig(this.initialConfig);
    this.invoiceLifecycle.restartPlans();
    this.loadSeeds();
  }

  // ----------------------------------------------------------------------------------- lifecycle of the state

  /** Every record and index gone, pending timers cancelled (a new generation: late timer callbacks do nothing). */
  clearRecords(): void {
    this.scheduler.cancelTimers();
    this.structuresById.clear();
    this.structuresBySiret.clear();
    this.flows.clear();
    this.flowsBySupplierNumber.clear();
    this.invoices.clear();
    this.invoicesByNumber.clear();
    this.invoicesBySupplierNumber.clear();
    this.invoicesByFlow.clear();
    this.attachments.clear();
  }

  /** Back to the seeded state with the configuration given at creation; stats to zero. Issued tokens stay valid. */
  reset(): void {
    this.clearRecords();
    this.calls.clear();
    this.counters.nextStructureId = FIRST_STRUCTURE_ID;
    this.counters.nextServiceId = FIRST_SERVICE_ID;
    this.config = cloneConfig(this.initialConfig);
    this.invoiceLifecycle.restartPlans();
    this.loadSeeds();
    this.changed();
  }

  /** Stops every timer; the state must not be used afterwards. */
  close(): void {
    this.scheduler.close();
  }

  /** Resolves after `delayMs` (fault latency), across resets; never once the state is closed. */
  sleep(delayMs: number): Promise<void> {
    return this.scheduler.sleep(delayMs);
  }

  /** Timers still to fire (flow steps, autopilot steps, latencies). */
  get pendingTimers(): number {
    return this.scheduler.pendingTimers;
  }

  /**
   * Calls `listener` (synchronously, keep it cheap) after every change of what `snapshot()` holds: structures,
   * flows, invoices, attachments, configuration, counters. Returns the unsubscribe function.
   */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Every mutation ends here, naming the record it touched (none: configuration, counters, whole state). */
  changed(record?: object): void {
    if (record) this.jsonCache.forget(record);
    for (const listener of this.changeListeners) listener();
  }

  // ------------------------------------------------------------------------------------------------ snapshot

  /** Everything but tokens, stats and timers, as JSON-ready data (attachments in base64), sharing nothing. */
  snapshot(): SandboxSnapshot {
    return snapshotOf(this);
  }

  /** `JSON.stringify(this.snapshot())`, only faster: each record's JSON is kept until the record changes. */
  snapshotJson(): string {
    return this.jsonCache.snapshotJson(this);
  }

  /**
   * Replaces structures, flows, invoices, attachments, configuration and counters with a snapshot's (checked by
   * `parseSnapshot`), then resumes what timers were doing: a flow still processing goes on from its current
   * state (steps that fell due while the sandbox was stopped happen now, in deposit order), and each autopilot
   * walk takes its next step when it is due. Tokens and stats are left alone. Counters never go back: each
   * continues after the highest id of the snapshot.
   */
  restore(snapshot: SandboxSnapshot): void {
    restoreInto(this, snapshot);
    // Walks first: invoices a resumed flow integrates below start their own.
    for (const invoice of this.invoices.values()) {
      const run = invoice.autopilot;
      if (run) this.invoiceLifecycle.scheduleAutopilotStep(invoice, invoice.dateHeureEtatCourant + (run.stepDelaysMs?.[run.index] ?? run.stepDelayMs) - this.now());
    }
    for (const flow of this.flows.values()) this.flowProcessing.resume(flow);
    this.changed();
  }

  // ------------------------------------------------------------------------------------------------- stats

  recordCall(endpoint: string): void {
    this.calls.set(endpoint, (this.calls.get(endpoint) ?? 0) + 1);
  }

  stats(): Record<string, number> {
    return Object.fromEntries([...this.calls.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  // ------------------------------------------------------------------------------------------------ indexes
  // The one place each kind of record enters the store (a new record, or one read back from a snapshot).

  indexStructure(structure: SandboxStructure): void {
    this.structuresById.set(structure.idStructureCPP, structure);
    this.structuresBySiret.set(structure.siret, structure);
  }

  indexFlow(flow: SandboxFlow): void {
    this.flows.set(flow.numeroFluxDepot, flow);
    const { siretFournisseur, numeroFacture } = flow.invoice ?? {};
    if (siretFournisseur !== undefined && numeroFacture !== undefined) {
      pushIndex(this.flowsBySupplierNumber, supplierNumberKey(siretFournisseur, numeroFacture), flow.numeroFluxDepot);
    }
  }

  indexInvoice(invoice: SandboxInvoice): void {
    const id = invoice.identifiantFactureCPP;
    this.invoices.set(id, invoice);
    pushIndex(this.invoicesByNumber, invoice.numeroFacture, id);
    pushIndex(this.invoicesBySupplierNumber, supplierNumberKey(invoice.siretFournisseur, invoice.numeroFacture), id);
    pushIndex(this.invoicesByFlow, invoice.numeroFluxDepot, id);
  }

  indexAttachment(attachment: SandboxAttachment): void {
    this.attachments.set(attachment.pieceJointeId, attachment);
  }

  // ---------------------------------------------------------------------------------------------- structures

  private loadSeeds(): void {
    if (!this.seeded) return;
    for (const seed of SANDBOX_SEED_STRUCTURES) this.upsertStructure(seed);
  }

  /** Creates or updates; services are matched by code so their idService stays stable. */
  upsertStructure(input: StructureInput): { created: boolean; structure: SandboxStructure } {
    const existing = this.structuresBySiret.get(input.siret);
    const structure: SandboxStructure = existing ?? {
      idStructureCPP: this.counters.nextStructureId++,
      siret: input.siret,
      designation: input.designation,
      type: input.type,
      codeServiceDoitEtreRenseigne: false,
      numeroEJDoitEtreRenseigne: false,
      gestionNumeroEJOuCodeService: false,
      attached: true,
      services: new Map(),
    };
    structure.designation = input.designation;
    structure.type = input.type;
    structure.codeServiceDoitEtreRenseigne = input.codeServiceDoitEtreRenseigne ?? false;
    structure.numeroEJDoitEtreRenseigne = input.numeroEJDoitEtreRenseigne ?? false;
    structure.gestionNumeroEJOuCodeService = input.gestionNumeroEJOuCodeService ?? false;
    structure.attached = input.attached ?? structure.attached;
    if (input.services !== undefined) {
      const services = new Map<string, SandboxService>();
      for (const s of input.services) {
        const previous = structure.services.get(s.codeService);
        services.set(s.codeService, {
          idService: previous?.idService ?? this.counters.nextServiceId++,
          codeService: s.codeService,
          libelle: s.libelle,
          actif: s.actif,
          numeroEngagement: s.numeroEngagement ?? false,
          dateDbtService: previous?.dateDbtService ?? '2020-01-01',
        });
      }
      structure.services = services;
    }
    if (!existing) this.indexStructure(structure);
    this.changed(structure);
    return { created: !existing, structure };
  }

  structureBySiret(siret: string): SandboxStructure | undefined {
    return this.structuresBySiret.get(siret);
  }

  structureById(id: number): SandboxStructure | undefined {
    return this.structuresById.get(id);
  }

  listStructures(): SandboxStructure[] {
    return [...this.structuresById.values()];
  }

  /** Every flow, invoice and attachment, in creation order (for snapshots). */
  records(): { flows: Iterable<SandboxFlow>; invoices: Iterable<SandboxInvoice>; attachments: Iterable<SandboxAttachment> } {
    return { flows: this.flows.values(), invoices: this.invoices.values(), attachments: this.attachments.values() };
  }

  // --------------------------------------------------------------------------------------------------- flows

  /**
   * Accepts a file at once (like Chorus: the answer only means "received"), reads it now so that its invoice
   * number is known to the control routes, and lets timers walk the flow to its final state (flows.ts).
   */
  deposit(input: DepositInput & { deposant?: string }): Promise<SandboxFlow> {
    return this.flowProcessing.deposit(input);
  }

  /** Control route: the flow's outcome (or a state it stays in), before it settles by itself. */
  forceFlowState(numeroFluxDepot: string, etat: string, erreurs: readonly string[] = []): SandboxFlow | undefined {
    const flow = this.flows.get(numeroFluxDepot);
    return flow && this.flowProcessing.force(flow, etat, erreurs);
  }

  flow(numeroFluxDepot: string): SandboxFlow | undefined {
    return this.flows.get(numeroFluxDepot);
  }

  /** Flows carrying this supplier's invoice number, whatever their outcome (the "deposited twice" evidence). */
  flowsFor(siretFournisseur: string, numeroFacture: string): SandboxFlow[] {
    return (this.flowsBySupplierNumber.get(supplierNumberKey(siretFournisseur, numeroFacture)) ?? [])
      .map((n) => this.flows.get(n))
      .filter((f): f is SandboxFlow => f !== undefined);
  }

  listFlows(filter: { numeroFacture?: string; siretFournisseur?: string }): SandboxFlow[] {
    if (filter.numeroFacture !== undefined && filter.siretFournisseur !== undefined) {
      return this.flowsFor(filter.siretFournisseur, filter.numeroFacture);
    }
    return [...this.flows.values()].filter(
      (f) =>
        (filter.numeroFacture === undefined || f.invoice?.numeroFacture === filter.numeroFacture) &&
        (filter.siretFournisseur === undefined || f.invoice?.siretFournisseur === filter.siretFournisseur),
    );
  }

  // ------------------------------------------------------------------------------------------------ invoices

  invoice(identifiantFactureCPP: number): SandboxInvoice | undefined {
    return this.invoices.get(identifiantFactureCPP);
  }

  /** Invoices in creation order, narrowed with the indexes first. */
  searchInvoices(search: InvoiceSearch): SandboxInvoice[] {
    let ids: Iterable<number>;
    if (search.numeroFluxDepot !== undefined) ids = this.invoicesByFlow.get(search.numeroFluxDepot) ?? [];
    else if (search.numeroFacture !== undefined && search.siretFournisseur !== undefined) {
      ids = this.invoicesBySupplierNumber.get(supplierNumberKey(search.siretFournisseur, search.numeroFacture)) ?? [];
    } else if (search.numeroFacture !== undefined) ids = this.invoicesByNumber.get(search.numeroFacture) ?? [];
    else ids = this.invoices.keys();

    const result: SandboxInvoice[] = [];
    for (const id of ids) {
      const inv = this.invoices.get(id);
      if (!inv) continue;
      if (search.numeroFacture !== undefined && inv.numeroFacture !== search.numeroFacture) continue;
      if (search.siretFournisseur !== undefined && inv.siretFournisseur !== search.siretFournisseur) continue;
      if (search.idFournisseur !== undefined && inv.idFournisseur !== search.idFournisseur) continue;
      if (search.statutCourant && search.statutCourant.length > 0 && !search.statutCourant.includes(inv.statut)) continue;
      const depot = chorusDate(new Date(inv.dateDepot));
      if (search.periodeDateDepotDu !== undefined && depot < search.periodeDateDepotDu) continue;
      if (search.periodeDateDepotAu !== undefined && depot > search.periodeDateDepotAu) continue;
      result.push(inv);
    }
    return result.sort((a, b) => a.identifiantFactureCPP - b.identifiantFactureCPP);
  }

  /** Whether this supplier has an invoice with this number that is not REJETEE (a new deposit is a duplicate). */
  hasLiveInvoice(siretFournisseur: string, numeroFacture: string): boolean {
    return (this.invoicesBySupplierNumber.get(supplierNumberKey(siretFournisseur, numeroFacture)) ?? []).some(
      (id) => this.invoices.get(id)?.statut !== 'REJETEE',
    );
  }

  /** How many flows carried this invoice's number for its supplier, rejected ones included. */
  depositCount(invoice: Pick<SandboxInvoice, 'siretFournisseur' | 'numeroFacture'>): number {
    return this.flowsBySupplierNumber.get(supplierNumberKey(invoice.siretFournisseur, invoice.numeroFacture))?.length ?? 0;
  }

  /** The buyer's side (or Chorus routing) moves an invoice (invoices.ts); a manual move stops its autopilot. */
  moveStatus(identifiantFactureCPP: number, target: string, motif?: string): SandboxInvoice {
    return this.invoiceLifecycle.moveStatus(identifiantFactureCPP, target, motif);
  }

  /** `recycler`: only on A_RECYCLER; new routing data, same number, back to DEPOSEE. */
  recycler(input: RecyclerInput): SandboxInvoice {
    return this.invoiceLifecycle.recycler(input);
  }

  /** `completer`: only on SUSPENDUE; documents from `ajouter/fichier`; becomes COMPLETEE. */
  completer(input: CompleterInput): SandboxInvoice {
    return this.invoiceLifecycle.completer(input);
  }

  // --------------------------------------------------------------------------------------------- attachments

  /** `ajouter/fichier`: the file (base64) and its name, MIME type and extension. */
  addAttachment(input: AttachmentInput): SandboxAttachment {
    if (input.pieceJointeNom.length > MAX_PIECE_JOINTE_NOM) throw CHORUS_ERRORS.pieceJointeNom();
    const bytes = decodeBase64(input.pieceJointeFichier);
    if (!bytes) throw CHORUS_ERRORS.invalidRequest("pieceJointeFichier n'est pas encode en base64");
    if (bytes.length > MAX_FILE_BYTES) throw CHORUS_ERRORS.pieceJointeTropVolumineuse();
    const attachment: SandboxAttachment = {
      pieceJointeId: this.counters.nextAttachmentId++,
      pieceJointeNom: input.pieceJointeNom,
      pieceJointeTypeMime: input.pieceJointeTypeMime,
      pieceJointeExtension: input.pieceJointeExtension,
      taille: bytes.length,
      contenu: bytes,
    };
    this.indexAttachment(attachment);
    this.changed(attachment);
    return attachment;
  }

  attachment(id: number): SandboxAttachment | undefined {
    return this.attachments.get(id);
  }

  // --------------------------------------------------------------------------------------------- configuration

  /** Fields given replace the current ones; faults are merged one by one. */
  updateConfig(patch: Partial<Omit<SandboxConfig, 'faults'>> & { faults?: Partial<SandboxFaults> }): SandboxConfig {
    this.config = {
      flowProcessingDelayMs: patch.flowProcessingDelayMs ?? this.config.flowProcessingDelayMs,
      tokenLifetimeMs: patch.tokenLifetimeMs ?? this.config.tokenLifetimeMs,
      autopilot: patch.autopilot === undefined ? this.config.autopilot : patch.autopilot && cloneAutopilot(patch.autopilot),
      faults: { ...this.config.faults, ...patch.faults },
      loneListItemAsObject: patch.loneListItemAsObject ?? this.config.loneListItemAsObject,
      technicalAccountPasswordExpiresAt: patch.technicalAccountPasswordExpiresAt ?? this.config.technicalAccountPasswordExpiresAt,
      technicalAccounts: this.config.technicalAccounts,
    };
    if (patch.autopilot !== undefined) this.invoiceLifecycle.restartPlans();
    this.changed();
    return cloneConfig(this.config);
  }

  // ------------------------------------------------------------------------------------- technical accounts

  /** Registers or replaces a technical account besides the main one (its password, attachments and expiry). */
  upsertTechnicalAccount(account: SandboxTechnicalAccount): { created: boolean; account: SandboxTechnicalAccount } {
    const copy = { ...account, attachedSirets: [...new Set(account.attachedSirets)] };
    const others = this.config.technicalAccounts.filter((a) => a.login !== account.login);
    const created = others.length === this.config.technicalAccounts.length;
    this.config = { ...this.config, technicalAccounts: [...others, copy] };
    this.changed();
    return { created, account: { ...copy, attachedSirets: [...copy.attachedSirets] } };
  }

  /** A registered technical account (not the main one). */
  technicalAccount(login: string): SandboxTechnicalAccount | undefined {
    return this.config.technicalAccounts.find((a) => a.login === login);
  }

  /** Whether the technical account (`undefined`: the main one) may deposit for this supplier SIRET. */
  isAttached(login: string | undefined, siret: string): boolean {
    if (login === undefined) return this.structuresBySiret.get(siret)?.attached === true;
    return this.technicalAccount(login)?.attachedSirets.includes(siret) ?? false;
  }

  /** The supplier structures the technical account (`undefined`: the main one) is attached to. */
  attachedSuppliers(login: string | undefined): SandboxStructure[] {
    return this.listStructures().filter((s) => s.type === 'SUPPLIER' && this.isAttached(login, s.siret));
  }

  /** `dateExpirationMotPasseCompteTech` of the technical account (`undefined`: the main one). */
  passwordExpiresAt(login: string | undefined): string {
    return (login === undefined ? undefined : this.technicalAccount(login)?.passwordExpiresAt) ?? this.config.technicalAccountPasswordExpiresAt;
  }

  /** True with the given probability; no draw when the rate is 0 (keeps injected sequences predictable). */
  chance(rate: number): boolean {
    return rate > 0 && this.random() < rate;
  }
}

// ------------------------------------------------------------------------------------------------- helpers

function supplierNumberKey(siret: string, numeroFacture: string): string {
  return `${siret}\u0000${numeroFacture}`;
}

function pushIndex<K, V>(index: Map<K, V[]>, key: K, value: V): void {
  const list = index.get(key);
  if (list) list.push(value);
  else index.set(key, [value]);
}

