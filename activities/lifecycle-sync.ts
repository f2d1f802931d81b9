/**
 * The lifecycle sync's Chorus side (workflows/lifecycle-sync.ts): one search of a technical account's invoices
 * deposited within a window (`factures/v1/rechercher/fournisseur`, every page) instead of one history read per
 * invoice, compared with what PostgreSQL holds; only an invoice whose status moved is told, and reads its history.
 * Read-only: on the rate-limited Chorus queue.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { Invoice } from '../db/entities';
import type { Orm } from '../db/orm';
import { parisDate } from '../domain/dates';
import { CHORUS_TERMINAL_STATUSES } from '../domain/statuses';
import type { ChorusAccounts } from '../chorus';
import { withRetryHints } from './chorus';
import type { ChorusForProducer } from './shared';

export interface StatusSweepInput {
  /** The technical account searched: the platform's (null) or a producer's own. */
  producerSiret: string | null;
  /** Deposits of the last `windowMs` (Chorus filters by deposit date, Paris days). */
  windowMs: number;
}

export interface MovedInvoice {
  workflowId: string;
  invoiceId: string;
  statut: string;
}

export interface StatusSweepResult {
  /** False when the account followed no invoice in the window: Chorus was not asked. */
  searched: boolean;
  /** Invoices Chorus returned for the window. */
  seen: number;
  /** Those still followed here whose Chorus status differs from ours (at most MAX_MOVED; the next sync takes the rest). */
  moved: MovedInvoice[];
}

/** Bounds one result (and the signals of one sync) far below Temporal's payload and history limits. */
const MAX_MOVED = 2000;
/** identifiantFactureCPP values per PostgreSQL query. */
const CHUNK = 1000;

export function createLifecycleSyncActivities(orm: Orm, chorus: ChorusAccounts, chorusFor: ChorusForProducer) {
  return withRetryHints({
    async findMovedChorusInvoices(input: StatusSweepInput): Promise<StatusSweepResult> {
      const em = orm.em.fork();
      const now = Date.now();
      const oldest = await oldestFollowed(em, input.producerSiret, new Date(now - input.windowMs));
      if (oldest === null) return { searched: false, seen: 0, moved: [] };
      const { client } = input.producerSiret === null ? chorus.platform : await chorusFor(em, input.producerSiret);
      const found = await client.rechercherFactureParFournisseur({
        periodeDateDepotDu: parisDate(new Date(Math.max(now - input.windowMs, oldest.getTime()))),
        periodeDateDepotAu: parisDate(new Date(now)),
      });
      const statutById = new Map(found.map((f) => [String(f.identifiantFactureCPP), f.statut]));
      const moved: MovedInvoice[] = [];
      const ids = [...statutById.keys()];
      for (let i = 0; i < ids.length && moved.length < MAX_MOVED; i += CHUNK) {
        const followed = await em.find(
          Invoice,
          {
            identifiantFactureCPP: { $in: ids.slice(i, i + CHUNK) },
            status: 'DEPOSEE_CHORUS',
            $or: [{ chorusStatus: null }, { chorusStatus: { $nin: [...CHORUS_TERMINAL_STATUSES] } }],
          },
          { fields: ['invoiceId', 'workflowId', 'identifiantFactureCPP', 'chorusStatus'] },
        );
        const unchanged: string[] = [];
        for (const invoice of followed) {
          const statut = statutById.get(invoice.identifiantFactureCPP ?? '');
          if (statut === undefined) continue;
          if (statut !== invoice.chorusStatus) moved.push({ workflowId: invoice.workflowId, invoiceId: invoice.invoiceId, statut });
          else unchanged.push(invoice.invoiceId);
        }
        if (unchanged.length > 0) await em.nativeUpdate(Invoice, { invoiceId: { $in: unchanged } }, { chorusSeenAt: new Date(now) });
      }
      return { searched: true, seen: found.length, moved: moved.slice(0, MAX_MOVED) };
    },
  });
}

/**
 * When the oldest invoice the account follows with a deposit since `since` was created (no deposit of it can be
 * older, even one the producer made by hand and we adopted), or null when it follows none. The platform's account
 * follows the invoices of every producer without an account of his own.
 */
async function oldestFollowed(em: EntityManager, producerSiret: string | null, since: Date): Promise<Date | null> {
  const rows: { oldest: Date | null }[] = await em.getConnection().execute(
    `select min(i."created_at") as "oldest" from "invoice" i
      where i."status" = 'DEPOSEE_CHORUS' and (i."chorus_status" is null or i."chorus_status" not in (${CHORUS_TERMINAL_STATUSES.map(() => '?').join(', ')}))
        and exists (select 1 from "chorus_deposit" d where d."invoice_id" = i."invoice_id" and d."created_at" >= ?)
        and ${producerSiret === null ? `not exists (select 1 from "producer_chorus_account" a where a."producer_siret" = i."producer_siret")` : `i."producer_siret" = ?`}`,
    [...CHORUS_TERMINAL_STATUSES, since, ...(producerSiret === null ? [] : [producerSiret])],
  );
  const oldest = rows[0]?.oldest ?? null;
  return oldest === null ? null : new Date(oldest);
}
