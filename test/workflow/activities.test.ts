/**
 * Activities retried after a crash between their side effect and its completion (Temporal runs them again):
 * the second run changes nothing.
 */
import { createActivities, type Activities } from '../../activities';
import { ChorusDeposit, InvoiceDocument, SentMail } from '../../db/entities';
import { createMailer } from '../../mail/mailer';
import { credentialsKey } from '../../config';
import { chorusAccountsFromConfig } from '../../worker/chorus-client';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';

let stack: TestStack;
let activities: Activities;
beforeAll(async () => {
  stack = await startTestStack({ sandbox: { flowProcessingDelayMs: 20 } });
  activities = createActivities({
    orm: stack.db.orm,
    chorus: chorusAccountsFromConfig(stack.config),
    credentialsKey: credentialsKey(stack.config),
    mailer: createMailer(stack.config.SMTP_URL, stack.config.MAIL_FROM),
    publicAppUrl: stack.config.PUBLIC_APP_URL,
  });
});
afterAll(async () => {
  await stack?.teardown();
});

async function readyInvoice() {
  const parties = await setUpParties(stack);
  const { orderId, invoiceId } = await createOrder(stack, parties);
  expect((await validateQuantities(stack, orderId)).status).toBe(200);
  await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' });
  return { parties, invoiceId };
}

it('When a mail activity runs again with the same key, then the mail goes out once', async () => {
  const { parties, invoiceId } = await readyInvoice();
  const input = { invoiceId, kind: 'INVOICE_TO_BUYER' as const, mailKey: `${invoiceId}:INVOICE_TO_BUYER:test`, reason: 'PRODUCER_CHOICE' as const };
  const first = await activities.sendMail(input);
  const second = await activities.sendMail(input);
  expect(first.alreadySent).toBe(false);
  expect(second).toEqual({ messageId: first.messageId, alreadySent: true });
  await stack.smtp.waitFor((m) => m.messageId === first.messageId);
  const copies = stack.smtp.messages.filter((m) => m.messageId === first.messageId);
  expect(copies).toHaveLength(1);
  expect(copies[0]!.to && 'text' in copies[0]!.to ? copies[0]!.to.text : '').toContain(parties.buyerEmail);
  const row = await stack.db.orm.em.fork().findOneOrFail(SentMail, { mailKey: input.mailKey });
  expect(row.state).toBe('SENT');
});

it('When a status write is replayed, then the history keeps one row for that step', async () => {
  const { invoiceId } = await readyInvoice();
  const em = stack.db.orm.em.fork();
  const before = await em.getConnection().execute<{ n: string }[]>('select count(*) as n from invoice_history where invoice_id = ?', [invoiceId]);
  const seq = Number(before[0]!.n); // the last step written by the workflow
  await activities.recordStatus({ invoiceId, seq, at: new Date().toISOString(), status: 'A_TRAITER', chorusStatus: null, detail: 'replayed' });
  const after = await em.getConnection().execute<{ n: string }[]>('select count(*) as n from invoice_history where invoice_id = ?', [invoiceId]);
  expect(Number(after[0]!.n)).toBe(seq);
});

it('When a deposit activity runs again with the same business key, then Chorus receives one flow', async () => {
  const { parties, invoiceId } = await readyInvoice();
  const input = { invoiceId, businessKey: `${invoiceId}:deposit:test`, settleMs: 10_000 };
  const first = await activities.depositOnChorus(input);
  const second = await activities.depositOnChorus(input);
  expect(second.numeroFluxDepot).toBe(first.numeroFluxDepot);
  const flows = (await (await fetch(`${stack.sandbox.url}/sandbox/v1/invoices?siretFournisseur=${parties.producerSiret}`)).json()) as { flows: unknown[] };
  expect(flows.flows).toHaveLength(1);
});

it('When a deposit was made but its flow number was lost, then the retry waits for Chorus instead of depositing again', async () => {
  const { parties, invoiceId } = await readyInvoice();
  const key = `${invoiceId}:deposit:lost`;
  await activities.depositOnChorus({ invoiceId, businessKey: key, settleMs: 10_000 });
  // As if the worker died between Chorus' answer and our write: the intent is there, the flow number is not.
  await stack.db.orm.em.fork().getConnection().execute('update chorus_deposit set numero_flux_depot = null where business_key = ?', [key]);
  // The flow is integrated after ~20 ms: the retry finds the invoice by number and adopts it.
  await new Promise((r) => setTimeout(r, 300));
  const retried = await activities.depositOnChorus({ invoiceId, businessKey: key, settleMs: 10_000 });
  const onChorus = (await (await fetch(`${stack.sandbox.url}/sandbox/v1/invoices?siretFournisseur=${parties.producerSiret}`)).json()) as {
    flows: unknown[];
    invoices: { identifiantFactureCPP: number }[];
  };
  expect(onChorus.flows).toHaveLength(1);
  expect(onChorus.invoices).toHaveLength(1);
  expect(retried.adoptedIdentifiantFactureCPP).toBe(String(onChorus.invoices[0]!.identifiantFactureCPP));
});

it('When the number is already on Chorus without a deposit of ours (put there by hand), then our flow is rejected as a duplicate and the invoice Chorus holds is adopted', async () => {
  const { parties, invoiceId } = await readyInvoice();
  const em = stack.db.orm.em.fork();
  const document = await em.findOneOrFail(InvoiceDocument, { invoiceId });
  const chorus = stack.chorus;
  const byHand = await chorus.deposerFlux({ fichierFlux: Buffer.from(document.pdf), nomFichier: document.filename });
  await new Promise((r) => setTimeout(r, 300)); // integrated after ~20 ms

  const key = `${invoiceId}:deposit:after-hand`;
  const ours = await activities.depositOnChorus({ invoiceId, businessKey: key, settleMs: 10_000 });
  expect(ours.adoptedIdentifiantFactureCPP).toBeUndefined(); // no deposit of ours before: Chorus was not searched
  expect(ours.numeroFluxDepot).not.toBe(byHand.numeroFluxDepot);
  await new Promise((r) => setTimeout(r, 300));
  const report = await activities.awaitFlowReport({ invoiceId, businessKey: key, numeroFluxDepot: ours.numeroFluxDepot });
  expect(report.outcome).toBe('INTEGRATED');

  const invoices = (await (await fetch(`${stack.sandbox.url}/sandbox/v1/invoices?siretFournisseur=${parties.producerSiret}`)).json()) as {
    invoices: { numeroFluxDepot: string }[];
  };
  expect(invoices.invoices.map((i) => i.numeroFluxDepot)).toEqual([byHand.numeroFluxDepot]);
  const row = await em.fork().findOneOrFail(ChorusDeposit, { businessKey: key });
  expect(row.etatCourantDepotFlux).toBe('IN_REJETE');
});

it('When two attempts of one mail run at once (Temporal retried while the first was still sending), then the mail goes out once', async () => {
  const { invoiceId } = await readyInvoice();
  const input = { invoiceId, kind: 'INVOICE_TO_BUYER' as const, mailKey: `${invoiceId}:INVOICE_TO_BUYER:overlap`, reason: 'PRODUCER_CHOICE' as const };
  // An earlier attempt died after recording its intent: both attempts find the row SENDING.
  const em = stack.db.orm.em.fork();
  em.create(SentMail, { mailKey: input.mailKey, invoiceId, kind: input.kind, recipient: 'x@example.org', messageId: 'pending', state: 'SENDING', sentAt: null });
  await em.flush();

  const results = await Promise.all([activities.sendMail(input), activities.sendMail(input)]);
  expect(results.map((r) => r.alreadySent).sort()).toEqual([false, true]);
  const messageId = results[0].messageId;
  await stack.smtp.waitFor((m) => m.messageId === messageId);
  await new Promise((r) => setTimeout(r, 500)); // a second copy would have arrived by now
  expect(stack.smtp.messages.filter((m) => m.messageId === messageId)).toHaveLength(1);
  expect((await em.fork().findOneOrFail(SentMail, { mailKey: input.mailKey })).state).toBe('SENT');
});
