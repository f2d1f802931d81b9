/**
 * The invoice lifecycle the sandbox enforces, as data (docs/reference/chorus-pro-api.md §5). Every status move, whoever asks
 * (control route, autopilot, recycler, completer), goes through `transitionActor`.
 *
 * Choices where Chorus documents nothing:
 * - intermediate recipient statuses are optional, so each may be skipped towards any later one;
 * - `A_RECYCLER` and `SUSPENDUE` are left only by the supplier (`recycler` → DEPOSEE, `completer` → COMPLETEE),
 *   except that a recipient may still reject a suspended invoice;
 * - once mandated (`MANDATEE` and after) an invoice only moves towards payment;
 * - `MISE_EN_PAIEMENT` and `REJETEE` are terminal: nothing leaves them.
 */
import { CHORUS_STATUSES } from '../domain/statuses';

export const SANDBOX_INVOICE_STATUSES = [...CHORUS_STATUSES, 'PRISE_EN_COMPTE_DESTINATAIRE'] as const;
export type SandboxInvoiceStatus = (typeof SANDBOX_INVOICE_STATUSES)[number];

/** Who may make a move: Chorus itself (routing), the buyer's side (recipient, accountant), or the supplier. */
export type Actor = 'chorus' | 'recipient' | 'supplier';

type Moves = Readonly<Partial<Record<SandboxInvoiceStatus, Actor>>>;

const byRecipient = (...targets: SandboxInvoiceStatus[]): Moves =>
  Object.fromEntries(targets.map((target) => [target, 'recipient' as const]));

/** Recipient decisions available once the invoice is in the recipient's hands. */
const RECIPIENT_PROCESSING = byRecipient(
  'PRISE_EN_COMPTE_DESTINATAIRE',
  'SERVICE_FAIT',
  'MANDATEE',
  'MISE_A_DISPOSITION_COMPTABLE',
  'COMPTABILISEE',
  'MISE_EN_PAIEMENT',
  'A_RECYCLER',
  'SUSPENDUE',
  'REJETEE',
);

export const INVOICE_TRANSITIONS: Readonly<Record<SandboxInvoiceStatus, Moves>> = {
  DEPOSEE: { EN_COURS_ACHEMINEMENT: 'chorus', MISE_A_DISPOSITION: 'chorus' },
  EN_COURS_ACHEMINEMENT: { MISE_A_DISPOSITION: 'chorus' },
  MISE_A_DISPOSITION: RECIPIENT_PROCESSING,
  PRISE_EN_COMPTE_DESTINATAIRE: { ...RECIPIENT_PROCESSING, PRISE_EN_COMPTE_DESTINATAIRE: undefined },
  COMPLETEE: RECIPIENT_PROCESSING,
  SERVICE_FAIT: byRecipient('MANDATEE', 'MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT', 'SUSPENDUE', 'REJETEE'),
  MANDATEE: byRecipient('MISE_A_DISPOSITION_COMPTABLE', 'COMPTABILISEE', 'MISE_EN_PAIEMENT'),
  MISE_A_DISPOSITION_COMPTABLE: byRecipient('COMPTABILISEE', 'MISE_EN_PAIEMENT'),
  COMPTABILISEE: byRecipient('MISE_EN_PAIEMENT'),
  A_RECYCLER: { DEPOSEE: 'supplier' },
  SUSPENDUE: { COMPLETEE: 'supplier', REJETEE: 'recipient' },
  MISE_EN_PAIEMENT: {},
  REJETEE: {},
};

export function isSandboxInvoiceStatus(value: string): value is SandboxInvoiceStatus {
  return (SANDBOX_INVOICE_STATUSES as readonly string[]).includes(value);
}

/** Who may move an invoice from `from` to `to`, or undefined if the table forbids it. */
export function transitionActor(from: SandboxInvoiceStatus, to: SandboxInvoiceStatus): Actor | undefined {
  return INVOICE_TRANSITIONS[from][to];
}

/** Targets reachable from `from`, optionally only those a given actor may choose. */
export function allowedTargets(from: SandboxInvoiceStatus, actor?: Actor): SandboxInvoiceStatus[] {
  return SANDBOX_INVOICE_STATUSES.filter((to) => {
    const by = INVOICE_TRANSITIONS[from][to];
    return by !== undefined && (actor === undefined || by === actor);
  });
}

export function isTerminalStatus(status: SandboxInvoiceStatus): boolean {
  return allowedTargets(status).length === 0;
}

export const TERMINAL_INVOICE_STATUSES: readonly SandboxInvoiceStatus[] = SANDBOX_INVOICE_STATUSES.filter(isTerminalStatus);

/** Statuses that wait for the supplier, and the status the supplier's action leads to. */
export const SUPPLIER_ACTIONS: Readonly<Partial<Record<SandboxInvoiceStatus, SandboxInvoiceStatus>>> = {
  A_RECYCLER: 'DEPOSEE',
  SUSPENDUE: 'COMPLETEE',
};

/**
 * Checks an autopilot path, starting from DEPOSEE: each step must be a Chorus or recipient move from the previous
 * one, or follow a supplier action (the autopilot waits at A_RECYCLER / SUSPENDUE for recycler / completer).
 * Returns a message naming the first bad step, or null.
 */
export function autopilotPathError(path: readonly SandboxInvoiceStatus[]): string | null {
  let current: SandboxInvoiceStatus = 'DEPOSEE';
  for (const [index, step] of path.entries()) {
    const by = transitionActor(current, step);
    const afterSupplier = SUPPLIER_ACTIONS[current];
    const viaSupplier = afterSupplier !== undefined && transitionActor(afterSupplier, step) !== undefined;
    const direct = by === 'chorus' || by === 'recipient';
    if (!direct && !viaSupplier) {
      const allowed = allowedTargets(current).filter((t) => transitionActor(current, t) !== 'supplier');
      return (
        `autopilot.path[${index}]: ${step} cannot follow ${current}` +
        (allowed.length > 0 ? ` (allowed: ${allowed.join(', ')})` : ` (${current} is terminal)`)
      );
    }
    current = step;
  }
  return null;
}
