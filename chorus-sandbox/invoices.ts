/**
 * The invoice state machine on top of the record store: the buyer's moves (control routes), the supplier's
 * `recycler` and `completer`, the status history, and the autopilot that walks new invoices along a configured
 * path. Every move goes through `applyStatus`, which refuses anything the lifecycle table (lifecycle.ts) does not
 * give to the actor.
 */
import { chorusDateTime } from './dates';
import { CHORUS_ERRORS, SandboxControlError } from './errors';
import {
  allowedTargets,
  isSandboxInvoiceStatus,
  SUPPLIER_ACTIONS,
  transitionActor,
  type Actor,
  type SandboxInvoiceStatus,
} from './lifecycle';
import type { SandboxInvoice } from './model';
import { routingErrors } from './rules';
import type { Scheduler } from './scheduler';
import type { SandboxState } from './state';

export interface RecyclerInput {
  identifiantFactureCPP: number;
  codeDestinataire: string;
  codeServiceExecutant?: string;
  numeroEngagement?: string;
  commentaire?: string;
}

export interface CompleterInput {
  identifiantFactureCPP: number;
  commentaire?: string;
  pieceJointeIds: readonly number[];
}

export class InvoiceLifecycle {
  /** The plan the next new invoice takes (`autopilot.plans`, in deposit order); back to 0 with a new autopilot. */
  private nextPlan = 0;

  constructor(
    private readonly state: SandboxState,
    private readonly scheduler: Scheduler,
  ) {}

  /** A new autopilot configuration: its plans are handed out from the first again. */
  restartPlans(): void {
    this.nextPlan = 0;
  }

  /**
   * The buyer's side (or Chorus routing) moves an invoice: only moves the table gives to Chorus or the recipient.
   * A manual move stops the autopilot for that invoice.
   */
  moveStatus(identifiantFactureCPP: number, target: string, motif?: string): SandboxInvoice {
    const invoice = this.state.invoice(identifiantFactureCPP);
    if (!invoice) throw new SandboxControlError(404, 'NOT_FOUND', `No invoice with identifiantFactureCPP ${identifiantFactureCPP}`);
    if (!isSandboxInvoiceStatus(target)) {
      throw new SandboxControlError(400, 'VALIDATION_ERROR', `Unknown statut ${target}`, [
        { path: 'statut', message: `not a Chorus invoice status handled by the sandbox` },
      ]);
    }
    const by = transitionActor(invoice.statut, target);
    if (by !== 'chorus' && by !== 'recipient') {
      throw new SandboxControlError(409, 'FORBIDDEN_TRANSITION', forbiddenMoveMessage(invoice, target, by));
    }
    invoice.autopilot = undefined;
    this.applyStatus(invoice, target, motif ?? '', ['chorus', 'recipient']);
    return invoice;
  }

  /** `recycler`: only on A_RECYCLER; new routing data, same number, back to DEPOSEE. */
  recycler(input: RecyclerInput): SandboxInvoice {
    const invoice = this.state.invoice(input.identifiantFactureCPP);
    if (!invoice) throw CHORUS_ERRORS.factureIntrouvable(input.identifiantFactureCPP);
    if (invoice.statut !== 'A_RECYCLER') throw CHORUS_ERRORS.recyclerStatut(invoice.statut);
    const buyer = this.state.structureBySiret(input.codeDestinataire);
    if (!buyer || buyer.type !== 'PUBLIC') throw CHORUS_ERRORS.recyclerDestinataire(input.codeDestinataire);
    const numeroEngagement = input.numeroEngagement ?? invoice.numeroEngagement;
    const errors = routingErrors(buyer, input.codeServiceExecutant, numeroEngagement);
    if (errors.length > 0) throw CHORUS_ERRORS.recyclerAcheminement(errors.join(' | '));

    invoice.idDestinataire = buyer.idStructureCPP;
    invoice.siretDestinataire = buyer.siret;
    invoice.designationDestinataire = buyer.designation;
    invoice.codeServiceExecutant = input.codeServiceExecutant;
    invoice.numeroEngagement = numeroEngagement;
    this.applyStatus(invoice, 'DEPOSEE', input.commentaire ?? '', ['supplier']);
    this.resumeAutopilot(invoice);
    return invoice;
  }

  /** `completer`: only on SUSPENDUE; documents from `ajouter/fichier`; becomes COMPLETEE. */
  completer(input: CompleterInput): SandboxInvoice {
    const invoice = this.state.invoice(input.identifiantFactureCPP);
    if (!invoice) throw CHORUS_ERRORS.factureIntrouvable(input.identifiantFactureCPP);
    if (invoice.statut !== 'SUSPENDUE') throw CHORUS_ERRORS.completerStatut(invoice.statut);
    for (const id of input.pieceJointeIds) {
      if (!this.state.attachment(id)) throw CHORUS_ERRORS.pieceJointeIntrouvable(id);
    }
    invoice.piecesJointes.push(...input.pieceJointeIds);
    this.applyStatus(invoice, 'COMPLETEE', input.commentaire ?? '', ['supplier']);
    this.resumeAutopilot(invoice);
    return invoice;
  }

  /** The one place a status changes: refuses anything the table does not give to one of `actors`. */
  private applyStatus(invoice: SandboxInvoice, target: SandboxInvoiceStatus, commentaire: string, actors: readonly Actor[]): void {
    const by = transitionActor(invoice.statut, target);
    if (by === undefined || !actors.includes(by)) {
      throw new Error(`Sandbox bug: ${invoice.statut} -> ${target} by ${actors.join('/')} is not in the lifecycle table`);
    }
    const now = this.state.now();
    invoice.statut = target;
    invoice.dateHeureEtatCourant = now;
    this.appendHisto(invoice, target, commentaire, now);
    this.state.changed(invoice);
  }

  /** A line of the status history, with the next history id. */
  appendHisto(invoice: SandboxInvoice, code: SandboxInvoiceStatus, commentaire: string, now: number): void {
    invoice.histo.push({
      histoStatutId: this.state.counters.nextHistoId++,
      histoStatutCode: code,
      histoStatutDatePassage: chorusDateTime(new Date(now)),
      histoStatutCommentaire: commentaire,
      le: now,
    });
  }

  // ----------------------------------------------------------------------------------------------- autopilot

  /** A new invoice starts the configured walk, if any. */
  startAutopilot(invoice: SandboxInvoice): void {
    const autopilot = this.state.config.autopilot;
    if (!autopilot) return;
    const plan = autopilot.plans && autopilot.plans.length > 0 ? autopilot.plans[this.nextPlan++ % autopilot.plans.length] : undefined;
    const path = plan ? plan.path : autopilot.path;
    if (path.length === 0) return;
    invoice.autopilot = {
      path: [...path],
      index: 0,
      stepDelayMs: autopilot.stepDelayMs,
      ...(plan ? { stepDelaysMs: [...plan.stepDelaysMs] } : {}),
      timerPending: false,
    };
    this.state.changed(invoice);
    this.scheduleAutopilotStep(invoice);
  }

  private resumeAutopilot(invoice: SandboxInvoice): void {
    if (invoice.autopilot && !invoice.autopilot.timerPending) this.scheduleAutopilotStep(invoice);
  }

  /** The walk's next step after `delayMs` (default: its step delay); ends the walk past the path's end. */
  scheduleAutopilotStep(invoice: SandboxInvoice, delayMs?: number): void {
    const run = invoice.autopilot;
    if (!run) return;
    if (run.index >= run.path.length) {
      invoice.autopilot = undefined;
      this.state.changed(invoice);
      return;
    }
    run.timerPending = true;
    this.scheduler.schedule(delayMs ?? run.stepDelaysMs?.[run.index] ?? run.stepDelayMs, () => {
      run.timerPending = false;
      if (invoice.autopilot !== run) return; // stopped by a manual move
      const next = run.path[run.index];
      if (next === undefined) return;
      const by = transitionActor(invoice.statut, next);
      if (by === 'chorus' || by === 'recipient') {
        this.applyStatus(invoice, next, 'autopilot', ['chorus', 'recipient']);
        run.index++;
        this.state.changed(invoice);
        this.scheduleAutopilotStep(invoice);
      } else if (SUPPLIER_ACTIONS[invoice.statut] === undefined) {
        invoice.autopilot = undefined; // the path no longer fits: stop rather than force a move
        this.state.changed(invoice);
      }
      // Otherwise it waits for recycler/completer, which resume it.
    });
  }
}

function forbiddenMoveMessage(invoice: SandboxInvoice, target: SandboxInvoiceStatus, by: Actor | undefined): string {
  const from = invoice.statut;
  const head = `Invoice ${invoice.identifiantFactureCPP} cannot move from ${from} to ${target}`;
  if (by === 'supplier') {
    const call = from === 'A_RECYCLER' ? 'POST /cpro/factures/v1/recycler' : 'POST /cpro/factures/v1/completer';
    return `${head}: only the supplier makes this move, with ${call}`;
  }
  const allowed = allowedTargets(from).filter((t) => transitionActor(from, t) !== 'supplier');
  if (allowedTargets(from).length === 0) return `${head}: ${from} is terminal`;
  return `${head}; allowed from ${from}: ${allowed.length > 0 ? allowed.join(', ') : 'none (waiting for the supplier)'}`;
}

