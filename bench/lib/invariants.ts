/**
 * The drill's invariants, checked on what the run left behind (PostgreSQL, the Chorus sandbox, the mails the
 * SMTP sink accepted, Temporal):
 *   1. every invoice reached its expected final state (and got its mails);
 *   2. no invoice number was deposited twice on Chorus;
 *   3. no mail of one kind was sent twice for one invoice;
 *   4. no database row was lost.
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { invoiceWorkflowId } from '../../workflows/messages';
import type { InvoiceRun } from './load';
import type { FinalRow } from './monitor';
import { EXPECTED_MAILS, expectedFinal } from './scenario';
import type { ReceivedMail } from './smtp-sink';
import { runPool } from './load';

export interface InvariantResult {
  name: string;
  ok: boolean;
  checked: number;
  failures: string[];
}

interface SandboxInvoice {
  identifiantFactureCPP: number;
  numeroFacture: string;
  siretFournisseur: string;
  statut: string;
  depositCount: number;
}
interface SandboxFlow {
  numeroFluxDepot: string;
  numeroFacture: string | null;
  siretFournisseur: string | null;
  etatCourantDepotFlux: string;
}

export interface InvariantInput {
  runs: InvoiceRun[];
  rows: FinalRow[];
  lastChorusStatus: string;
  sandbox: { invoices: SandboxInvoice[]; flows: SandboxFlow[] };
  mails: ReceivedMail[];
  /** When a worker was killed (epoch ms): a copy of a mail delivered just before is explained, not excused. */
  workerKills?: number[];
  /** When PostgreSQL went down or cut its connections (epoch ms): the COMMIT after an accepted mail may be lost too. */
  databaseFaults?: number[];
  pool: Pool;
  client: Client;
}

/** Kinds that may legitimately go out more than once for one invoice (each time under a new key). */
const RECURRING_KINDS = new Set(['PRODUCER_REMINDER', 'PRODUCER_FLOW_REJECTED', 'PRODUCER_RECYCLE_REQUIRED', 'PRODUCER_COMPLETION_REQUIRED']);

/**
 * Says when the first copy arrived against the nearest worker kill that followed: a kill a few milliseconds after
 * the SMTP server accepted the message (before the sent_mail row was committed) is the one window SMTP leaves.
 */
function whyTwice(messageId: string, mails: ReceivedMail[], kills: number[], databaseFaults: number[]): string {
  const first = Math.min(...mails.filter((m) => m.messageId === messageId).map((m) => m.at));
  const db = databaseFaults.filter((k) => k >= first - 50).sort((a, b) => a - b)[0];
  if (db !== undefined && db - first <= 1_000) {
    return ` (PostgreSQL went down or cut connections ${db - first} ms after the first copy was accepted, before its sent_mail row was committed; same Message-ID: receivers keep one)`;
  }
  const next = kills.filter((k) => k >= first - 50).sort((a, b) => a - b)[0];
  // The window is one COMMIT round trip plus event-loop lag: a kill a second later is no explanation.
  return next === undefined || next - first > 1_000
    ? ' (no worker kill within 1 s after the first copy: not the SMTP crash window)'
    : ` (worker killed ${next - first} ms after the first copy was accepted, same Message-ID: receivers keep one)`;
}

function result(name: string, checked: number, failures: string[]): InvariantResult {
  return { name, ok: failures.length === 0, checked, failures };
}

export async function checkInvariants(input: InvariantInput): Promise<InvariantResult[]> {
  const { runs, rows, lastChorusStatus, sandbox, mails, pool, client } = input;
  const byOrder = new Map(rows.map((r) => [r.orderId, r]));
  const mailsByInvoice = new Map<string, ReceivedMail[]>();
  for (const m of mails) {
    if (!m.invoiceId) continue;
    let list = mailsByInvoice.get(m.invoiceId);
    if (!list) mailsByInvoice.set(m.invoiceId, (list = []));
    list.push(m);
  }

  // 1. final states (+ the mails each path sends, + the workflow's own status)
  const finalFailures: string[] = [];
  const workflowStatus = new Map<string, string>();
  await runPool(
    runs.map((run) => async () => {
      try {
        const d = await client.workflow.getHandle(invoiceWorkflowId(run.orderId)).describe();
        workflowStatus.set(run.orderId, d.status.name);
      } catch (error) {
        workflowStatus.set(run.orderId, `unknown (${error instanceof Error ? error.message : String(error)})`);
      }
    }),
    16,
  );
  for (const run of runs) {
    const row = byOrder.get(run.orderId);
    if (run.error) {
      finalFailures.push(`${run.orderId} (${run.path}): the API never accepted it: ${run.error}`);
      continue;
    }
    if (!row) continue; // reported as a lost row below
    const want = expectedFinal(run.path, lastChorusStatus);
    if (row.status !== want.status || (want.chorusStatus !== undefined && row.chorusStatus !== want.chorusStatus)) {
      finalFailures.push(`${run.orderId} (${run.path}): ${row.status}/${row.chorusStatus ?? '-'}, expected ${want.status}/${want.chorusStatus ?? '-'}`);
    }
    const kinds = new Set((mailsByInvoice.get(row.invoiceId) ?? []).map((m) => m.kind));
    for (const kind of EXPECTED_MAILS[run.path]) {
      if (!kinds.has(kind)) finalFailures.push(`${run.orderId} (${run.path}): mail ${kind} never received`);
    }
    const wf = workflowStatus.get(run.orderId) ?? 'unknown';
    if (wf !== 'RUNNING' && wf !== 'COMPLETED') finalFailures.push(`${run.orderId}: workflow ${wf}`);
  }

  // 2. deposits
  const depositFailures: string[] = [];
  const ours = new Map(rows.filter((r) => r.number).map((r) => [`${r.producerSiret}|${r.number}`, r]));
  const flowsPerNumber = new Map<string, number>();
  for (const f of sandbox.flows) {
    if (!f.numeroFacture || !f.siretFournisseur) continue;
    const key = `${f.siretFournisseur}|${f.numeroFacture}`;
    if (ours.has(key)) flowsPerNumber.set(key, (flowsPerNumber.get(key) ?? 0) + 1);
  }
  for (const [key, n] of flowsPerNumber) if (n > 1) depositFailures.push(`${key.replace('|', ' ')}: ${n} flows deposited`);
  const chorusRuns = runs.filter((r) => r.path === 'chorus' && !r.error);
  for (const run of chorusRuns) {
    const row = byOrder.get(run.orderId);
    if (!row?.number) continue;
    const key = `${row.producerSiret}|${row.number}`;
    const onChorus = sandbox.invoices.filter((i) => i.siretFournisseur === row.producerSiret && i.numeroFacture === row.number);
    const live = onChorus.filter((i) => i.statut !== 'REJETEE');
    if (live.length !== 1) depositFailures.push(`${row.number} (${run.orderId}): ${live.length} live invoices on Chorus`);
    for (const i of onChorus) if (i.depositCount > 1) depositFailures.push(`${row.number} (${run.orderId}): depositCount ${i.depositCount}`);
    if (live[0] && row.identifiantFactureCPP !== String(live[0].identifiantFactureCPP)) {
      depositFailures.push(`${row.number}: our identifiantFactureCPP ${row.identifiantFactureCPP ?? 'null'} ≠ Chorus' ${live[0].identifiantFactureCPP}`);
    }
    if (!flowsPerNumber.has(key)) depositFailures.push(`${row.number} (${run.orderId}): never deposited`);
  }
  for (const run of runs.filter((r) => r.path !== 'chorus')) {
    const row = byOrder.get(run.orderId);
    if (row?.number && flowsPerNumber.has(`${row.producerSiret}|${row.number}`)) depositFailures.push(`${row.number} (${run.path}) was deposited on Chorus`);
  }

  // 3. mails
  const mailFailures: string[] = [];
  const byMessageId = new Map<string, number>();
  for (const m of mails) byMessageId.set(m.messageId, (byMessageId.get(m.messageId) ?? 0) + 1);
  for (const [id, n] of byMessageId) if (n > 1) mailFailures.push(`Message-ID ${id} delivered ${n} times${whyTwice(id, mails, input.workerKills ?? [], input.databaseFaults ?? [])}`);
  for (const [invoiceId, list] of mailsByInvoice) {
    const keysByKind = new Map<string, Set<number>>();
    for (const m of list) {
      let set = keysByKind.get(m.kind ?? '?');
      if (!set) keysByKind.set(m.kind ?? '?', (set = new Set()));
      set.add(m.n);
    }
    for (const [kind, keys] of keysByKind) {
      if (keys.size > 1 && !RECURRING_KINDS.has(kind)) mailFailures.push(`invoice ${invoiceId}: ${keys.size} different ${kind} mails`);
    }
  }
  const unknownMails = mails.filter((m) => !m.invoiceId).length;
  if (unknownMails > 0) mailFailures.push(`${unknownMails} mail(s) with a Message-ID that is no mail key`);

  // 4. rows
  const rowFailures: string[] = [];
  for (const run of runs) {
    if (!run.invoiceId) continue;
    const row = byOrder.get(run.orderId);
    if (!row) rowFailures.push(`${run.orderId}: invoice row missing (the API answered invoiceId ${run.invoiceId})`);
    else if (row.invoiceId !== run.invoiceId) rowFailures.push(`${run.orderId}: invoiceId ${row.invoiceId}, the API answered ${run.invoiceId}`);
  }
  const ids = rows.map((r) => r.invoiceId);
  const q = async <T extends object>(sql: string): Promise<T[]> => (await pool.query<T>(sql, [ids])).rows;
  const history = await q<{ invoice_id: string; n: string; lo: number; hi: number }>(
    `select invoice_id, count(*) as n, min(seq) as lo, max(seq) as hi from invoice_history where invoice_id = any($1::uuid[]) group by 1`,
  );
  const historyOf = new Map(history.map((h) => [h.invoice_id, h]));
  for (const row of rows) {
    const h = historyOf.get(row.invoiceId);
    if (!h || Number(h.n) !== row.historySeq || h.lo !== 1 || h.hi !== row.historySeq) {
      rowFailures.push(`${row.orderId}: history rows ${h ? `${h.n} (seq ${h.lo}..${h.hi})` : 'none'}, invoice says ${row.historySeq}`);
    }
  }
  const documents = new Set((await q<{ invoice_id: string }>(`select invoice_id from invoice_document where invoice_id = any($1::uuid[])`)).map((d) => d.invoice_id));
  for (const row of rows) if (row.number && !documents.has(row.invoiceId)) rowFailures.push(`${row.orderId}: Factur-X document missing`);
  const deposits = await q<{ invoice_id: string; numero_flux_depot: string | null; identifiant_facture_cpp: string | null }>(
    `select invoice_id, numero_flux_depot, identifiant_facture_cpp from chorus_deposit where invoice_id = any($1::uuid[])`,
  );
  for (const run of chorusRuns) {
    const row = byOrder.get(run.orderId);
    if (!row?.numeroFluxDepot) continue;
    const mine = deposits.filter((d) => d.invoice_id === row.invoiceId);
    if (!mine.some((d) => d.numero_flux_depot === row.numeroFluxDepot)) rowFailures.push(`${row.orderId}: no chorus_deposit row for flow ${row.numeroFluxDepot}`);
  }
  const sent = await q<{ mail_key: string; state: string; message_id: string }>(`select mail_key, state, message_id from sent_mail where invoice_id = any($1::uuid[])`);
  const sentByMessageId = new Map(sent.map((s) => [s.message_id, s]));
  for (const m of mails) {
    if (!m.invoiceId) continue;
    const row = sentByMessageId.get(m.messageId);
    if (!row) rowFailures.push(`mail ${m.messageId}: delivered but no sent_mail row`);
    else if (row.state !== 'SENT') rowFailures.push(`mail ${m.messageId}: delivered but sent_mail says ${row.state}`);
  }
  for (const s of sent) if (s.state === 'SENT' && !byMessageId.has(s.message_id)) rowFailures.push(`sent_mail ${s.mail_key}: SENT but never delivered`);
  const perProducer = new Map<string, number[]>();
  for (const row of rows) {
    const m = row.number ? /-(\d+)$/.exec(row.number) : null;
    if (!m) continue;
    let list = perProducer.get(row.producerSiret);
    if (!list) perProducer.set(row.producerSiret, (list = []));
    list.push(Number(m[1]));
  }
  for (const [siret, numbers] of perProducer) {
    numbers.sort((a, b) => a - b);
    if (numbers.some((n, i) => n !== i + 1)) rowFailures.push(`producer ${siret}: numbers not gapless (${numbers.slice(0, 12).join(', ')}${numbers.length > 12 ? ', …' : ''})`);
  }

  return [
    result('every invoice reached its expected final state (with its mails)', runs.length, finalFailures),
    result('no invoice number deposited twice on Chorus', chorusRuns.length, depositFailures),
    result('no mail of one kind sent twice for one invoice', mails.length, mailFailures),
    result('no database row lost (invoices, history, documents, deposits, mails, numbering)', rows.length, rowFailures),
  ];
}
