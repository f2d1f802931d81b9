/**
 * Property tests of the sandbox's invoice lifecycle: the table itself is sound, and no sequence of calls
 * (buyer-side moves on the control route, recycler, completer through the real client) produces a move the
 * table forbids, lets a terminal status change, or disagrees with what the table predicts.
 */
import fc from 'fast-check';
import { ChorusBusinessError, type ChorusClient } from '../../chorus';
import {
  INVOICE_TRANSITIONS,
  SANDBOX_INVOICE_STATUSES,
  SANDBOX_SEEDS,
  SUPPLIER_ACTIONS,
  TERMINAL_INVOICE_STATUSES,
  allowedTargets,
  autopilotPathError,
  isTerminalStatus,
  startSandbox,
  transitionActor,
  type RunningSandbox,
  type SandboxInvoiceStatus,
} from '../../chorus-sandbox';
import { SandboxState } from '../../chorus-sandbox/state';
import { CHORUS_TERMINAL_STATUSES } from '../../domain/statuses';
import { ciiXml, nextInvoiceNumber } from './facturx-fixture';
import { control, makeClient, waitFor } from './harness';

const statusArb = fc.constantFrom(...SANDBOX_INVOICE_STATUSES);

function reachableFrom(start: SandboxInvoiceStatus): Set<SandboxInvoiceStatus> {
  const seen = new Set<SandboxInvoiceStatus>([start]);
  const queue = [start];
  for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
    for (const next of allowedTargets(current)) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

/** Every consecutive pair of a history must be a move of the table. */
function forbiddenPairs(codes: readonly string[]): string[] {
  const bad: string[] = [];
  for (let i = 1; i < codes.length; i++) {
    const from = codes[i - 1] as SandboxInvoiceStatus;
    const to = codes[i] as SandboxInvoiceStatus;
    if (transitionActor(from, to) === undefined) bad.push(`${from} -> ${to}`);
  }
  return bad;
}

describe('Invoice lifecycle table', () => {
  test('When the table is read, then MISE_EN_PAIEMENT and REJETEE are its only terminal statuses, and the product stops there too', () => {
    expect([...TERMINAL_INVOICE_STATUSES].sort()).toEqual(['MISE_EN_PAIEMENT', 'REJETEE']);
    for (const status of TERMINAL_INVOICE_STATUSES) expect(CHORUS_TERMINAL_STATUSES).toContain(status);
  });

  test('When any status is picked, then it is reachable from DEPOSEE and can still reach a terminal status', () => {
    const fromDeposee = reachableFrom('DEPOSEE');
    fc.assert(
      fc.property(statusArb, (status) => {
        expect(fromDeposee.has(status)).toBe(true);
        expect([...reachableFrom(status)].some(isTerminalStatus)).toBe(true);
      }),
    );
  });

  test('When any pair of statuses is picked, then the supplier owns exactly the two documented moves', () => {
    fc.assert(
      fc.property(statusArb, statusArb, (from, to) => {
        const by = INVOICE_TRANSITIONS[from][to];
        const supplierMove = SUPPLIER_ACTIONS[from] === to;
        expect(by === 'supplier').toBe(supplierMove);
      }),
    );
  });

  test('When an autopilot path follows allowed moves, then it is accepted; when one step is replaced by a forbidden one, it is refused', () => {
    // A random walk over Chorus/recipient moves, passing through the supplier actions as the autopilot does.
    const walkArb = fc.array(fc.nat(), { minLength: 1, maxLength: 12 }).map((picks) => {
      const path: SandboxInvoiceStatus[] = [];
      let current: SandboxInvoiceStatus = 'DEPOSEE';
      for (const pick of picks) {
        const from: SandboxInvoiceStatus = SUPPLIER_ACTIONS[current] ?? current;
        const options: SandboxInvoiceStatus[] = allowedTargets(from).filter((t) => transitionActor(from, t) !== 'supplier');
        const next: SandboxInvoiceStatus | undefined = options[pick % Math.max(options.length, 1)];
        if (next === undefined) break;
        path.push(next);
        current = next;
      }
      return path;
    });
    fc.assert(
      fc.property(walkArb, fc.nat(), statusArb, (path, at, replacement) => {
        fc.pre(path.length > 0);
        expect(autopilotPathError(path)).toBeNull();
        const index = at % path.length;
        const previous: SandboxInvoiceStatus = index === 0 ? 'DEPOSEE' : (path[index - 1] as SandboxInvoiceStatus);
        const afterSupplier = SUPPLIER_ACTIONS[previous];
        const by = transitionActor(previous, replacement);
        const allowed =
          by === 'chorus' || by === 'recipient' || (afterSupplier !== undefined && transitionActor(afterSupplier, replacement) !== undefined);
        fc.pre(!allowed);
        const broken = [...path.slice(0, index), replacement, ...path.slice(index + 1)];
        expect(autopilotPathError(broken)).toContain(`autopilot.path[${index}]`);
      }),
    );
  });
});

// --------------------------------------------------------------------------------------------- model runs

interface Model {
  statut: SandboxInvoiceStatus;
}

interface Real {
  id: number;
  /** Calls the sandbox the way a test would (control route, real client). */
  move(target: SandboxInvoiceStatus): Promise<boolean>;
  recycler(): Promise<boolean>;
  completer(): Promise<boolean>;
  history(): Promise<{ current: string; codes: string[] }>;
}

/** Picks a target among the allowed ones most of the time, any status otherwise, so that runs go deep. */
class MoveCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly anyStatus: boolean,
  ) {}
  private target(model: Model): SandboxInvoiceStatus {
    const pool = this.anyStatus ? SANDBOX_INVOICE_STATUSES : allowedTargets(model.statut);
    return (pool.length > 0 ? pool : SANDBOX_INVOICE_STATUSES)[this.pick % (pool.length || SANDBOX_INVOICE_STATUSES.length)] as SandboxInvoiceStatus;
  }
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const target = this.target(model);
    const by = transitionActor(model.statut, target);
    const expected = by === 'chorus' || by === 'recipient';
    const accepted = await real.move(target);
    expect({ from: model.statut, target, accepted }).toEqual({ from: model.statut, target, accepted: expected });
    if (accepted) model.statut = target;
    await verify(model, real);
  }
  toString(): string {
    return `move(${this.anyStatus ? 'any' : 'allowed'}#${this.pick})`;
  }
}

class RecyclerCommand implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const expected = model.statut === 'A_RECYCLER';
    expect(await real.recycler()).toBe(expected);
    if (expected) model.statut = 'DEPOSEE';
    await verify(model, real);
  }
  toString(): string {
    return 'recycler';
  }
}

class CompleterCommand implements fc.AsyncCommand<Model, Real> {
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const expected = model.statut === 'SUSPENDUE';
    expect(await real.completer()).toBe(expected);
    if (expected) model.statut = 'COMPLETEE';
    await verify(model, real);
  }
  toString(): string {
    return 'completer';
  }
}

async function verify(model: Model, real: Real): Promise<void> {
  const { current, codes } = await real.history();
  expect(current).toBe(model.statut);
  expect(codes.at(-1)).toBe(model.statut);
  expect(codes[0]).toBe('DEPOSEE');
  expect(forbiddenPairs(codes)).toEqual([]);
  const firstTerminal = codes.findIndex((c) => isTerminalStatus(c as SandboxInvoiceStatus));
  if (firstTerminal >= 0) expect(firstTerminal).toBe(codes.length - 1); // nothing after a terminal status
}

const commandsArb = fc.commands(
  [
    fc.tuple(fc.nat(), fc.boolean()).map(([pick, any]) => new MoveCommand(pick, any)),
    fc.tuple(fc.nat(), fc.constant(false)).map(([pick, any]) => new MoveCommand(pick, any)),
    fc.constant(new RecyclerCommand()),
    fc.constant(new CompleterCommand()),
  ],
  { maxCommands: 12 },
);

describe('Invoice lifecycle through the sandbox API (model-based)', () => {
  let running: RunningSandbox;
  let client: ChorusClient;

  beforeAll(async () => {
    running = await startSandbox({ flowProcessingDelayMs: 0 });
    client = makeClient(running).client;
  });
  afterAll(async () => {
    await running.close();
  });

  async function freshInvoice(): Promise<number> {
    const { numeroFluxDepot } = await client.deposerFlux({
      fichierFlux: Buffer.from(ciiXml({ numeroFacture: nextInvoiceNumber('M') }), 'utf8'),
      nomFichier: 'f.xml',
      syntaxeFlux: 'IN_DP_E1_CII_16B',
    });
    return waitFor(() => running.state.flow(numeroFluxDepot)?.identifiantFactureCPP, 'integration', { intervalMs: 1 });
  }

  const businessRefusal = async (call: Promise<unknown>): Promise<boolean> => {
    try {
      await call;
      return true;
    } catch (error) {
      if (error instanceof ChorusBusinessError && error.httpStatus === 400) return false;
      throw error;
    }
  };

  test('When control moves, recycler and completer come in any order, then the sandbox follows the table exactly', async () => {
    await fc.assert(
      fc.asyncProperty(commandsArb, async (commands) => {
        const id = await freshInvoice();
        const real: Real = {
          id,
          move: async (target) => {
            const answer = await control(running, 'POST', `/invoices/${id}/status`, { statut: target });
            if (answer.status !== 200 && answer.status !== 409) throw new Error(`unexpected ${answer.status}`);
            return answer.status === 200;
          },
          recycler: () =>
            businessRefusal(
              client.recycler({ identifiantFactureCPP: id, destinataire: { codeDestinataire: SANDBOX_SEEDS.buyers.noRequirement.siret } }),
            ),
          completer: () => businessRefusal(client.completer({ identifiantFactureCPP: id, commentaire: 'pieces jointes' })),
          history: async () => {
            const h = await client.consulterHistorique(id);
            return { current: h.statutCourantCode, codes: h.historiquesDesStatuts.histoStatut.map((s) => s.histoStatutCode) };
          },
        };
        const model: Model = { statut: 'DEPOSEE' };
        await fc.asyncModelRun(() => ({ model, real }), commands);
      }),
      { numRuns: 30 },
    );
  });
});

describe('Invoice lifecycle in the sandbox state (many runs, no HTTP)', () => {
  test('When the state is driven directly, then terminal statuses never change and every history follows the table', async () => {
    const state = new SandboxState({ flowProcessingDelayMs: 0 });
    const attachment = state.addAttachment({
      pieceJointeFichier: Buffer.from('pj').toString('base64'),
      pieceJointeNom: 'pj.pdf',
      pieceJointeTypeMime: 'application/pdf',
      pieceJointeExtension: 'PDF',
    });
    type Step = { kind: 'move'; target: SandboxInvoiceStatus } | { kind: 'recycler' } | { kind: 'completer' };
    const stepArb: fc.Arbitrary<Step> = fc.oneof(
      { weight: 6, arbitrary: statusArb.map((target): Step => ({ kind: 'move', target })) },
      { weight: 1, arbitrary: fc.constant<Step>({ kind: 'recycler' }) },
      { weight: 1, arbitrary: fc.constant<Step>({ kind: 'completer' }) },
    );
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(stepArb, { maxLength: 40 }), async (steps) => {
          const flow = await state.deposit({
            fichierFlux: Buffer.from(ciiXml({ numeroFacture: nextInvoiceNumber('S') })).toString('base64'),
            nomFichier: 'f.xml',
            syntaxeFlux: 'IN_DP_E1_CII_16B',
          });
          const id = await waitFor(() => flow.identifiantFactureCPP, 'integration', { intervalMs: 1 });
          const invoice = state.invoice(id);
          if (!invoice) throw new Error('no invoice');
          for (const step of steps) {
            const before = invoice.statut;
            try {
              if (step.kind === 'move') state.moveStatus(id, step.target);
              else if (step.kind === 'recycler') state.recycler({ identifiantFactureCPP: id, codeDestinataire: SANDBOX_SEEDS.buyers.noRequirement.siret });
              else state.completer({ identifiantFactureCPP: id, pieceJointeIds: [attachment.pieceJointeId] });
            } catch {
              expect(invoice.statut).toBe(before); // a refused call changes nothing
            }
            if (isTerminalStatus(before)) expect(invoice.statut).toBe(before);
          }
          const codes = invoice.histo.map((h) => h.histoStatutCode);
          expect(forbiddenPairs(codes)).toEqual([]);
          expect(codes.at(-1)).toBe(invoice.statut);
        }),
        { numRuns: 200 },
      );
    } finally {
      state.close();
    }
  });
});
