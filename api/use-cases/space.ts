/**
 * Reads the producer's web pages need beside the invoice shape of the JSON routes: the buyers' names, when each
 * invoice reached its Chorus status, and a version of what he sees (for the pages' refresh). PostgreSQL only.
 */
import { Buyer, InvoiceHistory } from '../../db/entities';
import type { UseCaseContext } from './context';

export async function buyerNames(ctx: UseCaseContext, sirets: string[]): Promise<Map<string, string>> {
  if (sirets.length === 0) return new Map();
  const rows = await ctx.em.find(Buyer, { siret: { $in: [...new Set(sirets)] } }, { fields: ['siret', 'name'] });
  return new Map(rows.map((b) => [b.siret, b.name]));
}

/** When each invoice got its current Chorus status: the latest history entry that carries one. */
export async function chorusStatusDates(ctx: UseCaseContext, invoiceIds: string[]): Promise<Map<string, string>> {
  if (invoiceIds.length === 0) return new Map();
  const rows = await ctx.em.find(
    InvoiceHistory,
    { invoiceId: { $in: invoiceIds }, chorusStatus: { $ne: null } },
    { orderBy: { seq: 'asc' }, fields: ['invoiceId', 'at'] },
  );
  const dates = new Map<string, string>();
  for (const row of rows) dates.set(row.invoiceId, new Date(row.at).toISOString());
  return dates;
}

/**
 * A version of the caller's invoices (count and latest change): the pages poll it and reload when it moves.
 * With an invoice id, that invoice's only.
 */
export async function invoicesVersion(ctx: UseCaseContext, invoiceId?: string): Promise<string> {
  const where: string[] = [];
  const params: string[] = [];
  if (ctx.caller.kind === 'producer') {
    where.push('producer_siret = ?');
    params.push(ctx.caller.siret);
  }
  if (invoiceId) {
    where.push('invoice_id = ?');
    params.push(invoiceId);
  }
  const rows = await ctx.em
    .getConnection()
    .execute<{ n: string; latest: Date | string | null }[]>(
      `select count(*) as n, max(updated_at) as latest from invoice${where.length > 0 ? ` where ${where.join(' and ')}` : ''}`,
      params,
    );
  const row = rows[0];
  const latest = row?.latest ? new Date(row.latest).getTime() : 0;
  return `${row?.n ?? 0}-${latest}`;
}
