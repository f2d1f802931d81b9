/**
 * The invoice's request inbox: how an Update reaches the story and when it answers.
 *
 * Update handlers do no work themselves. The story is sequential (one decision at a time, each moving the
 * invoice on), so a handler only drops its request here and waits; the main loop takes it with `next()`, does
 * the work, and calls `answer()` at the point where the invoice has visibly moved (deposited, mailed, refused).
 * Where `answer()` sits is therefore part of the contract: e.g. after a deposit the Update answers at
 * EN_ATTENTE_TRAITEMENT, before the flow report, and after a Chorus failure it answers once the buyer's mail is
 * recorded, before the producer's mail.
 *
 * One slot: while a request waits or is being handled the inbox is `busy`, and validators refuse any other.
 */
import { ApplicationFailure, condition } from '@temporalio/workflow';
import type { CompleteInput, QuantityValidationInput, RecycleInput, ReissueInput, SendInput } from './messages';

export type Request =
  | { kind: 'VALIDATE'; input: QuantityValidationInput }
  | { kind: 'CANCEL'; reason?: string }
  | { kind: 'SEND'; input: SendInput }
  | { kind: 'MARK_PROCESSED' }
  | { kind: 'ARCHIVE' }
  | { kind: 'RECYCLE'; input: RecycleInput }
  | { kind: 'COMPLETE'; input: CompleteInput }
  | { kind: 'REISSUE'; input: ReissueInput };

/** A request taken by the main loop; the loop owes it exactly one `answer()`. */
export interface Taken {
  readonly request: Request;
}

interface Slot extends Taken {
  refusal?: ApplicationFailure;
  answered: boolean;
}

export class RequestInbox {
  #slot: Slot | undefined;
  #handling = false;

  /** A request waits or is being handled: no other is accepted meanwhile. */
  get busy(): boolean {
    return this.#handling || this.#slot !== undefined;
  }

  /** A request waits for the main loop (it has not taken it yet). */
  get waiting(): boolean {
    return this.#slot !== undefined && !this.#handling;
  }

  /** Used by Update handlers: resolves when the main loop has answered, throws its refusal if it refused. */
  async submit(request: Request): Promise<void> {
    const slot: Slot = { request, answered: false };
    this.#slot = slot;
    await condition(() => slot.answered);
    if (slot.refusal) throw slot.refusal;
  }

  /**
   * The next request; `undefined` when `timeoutMs` passes first. Without a timeout no timer is started (the
   * wait costs no history), with one a timer is (a reminder, the archive window).
   */
  next(): Promise<Taken>;
  next(timeoutMs: number | undefined): Promise<Taken | undefined>;
  async next(timeoutMs?: number): Promise<Taken | undefined> {
    const arrived =
      timeoutMs === undefined ? (await condition(() => this.#slot !== undefined), true)
      : await condition(() => this.#slot !== undefined, timeoutMs);
    if (!arrived) return undefined;
    this.#handling = true;
    return this.#slot;
  }

  /** Answers the Update of `taken` (with a refusal, or the invoice's state) and frees the slot. */
  answer(taken: Taken, refusal?: ApplicationFailure): void {
    const slot = taken as Slot;
    slot.refusal = refusal;
    slot.answered = true;
    this.#slot = undefined;
    this.#handling = false;
  }
}
