/**
 * Activities retried after a crash between their side effect and its completion (Temporal runs them again):
 * the second run changes nothing.
 */
import { createActivities, type Activities } from '../../activities';
import { ChorusDeposit, InvoiceDocument, SentMail, WebhookEndpoint, WebhookEvent } from '../../db/entities';
import { Client } from 'pg';
import { messageIdFor } from '../../activities/mail';
import { createMailer, type Mailer } from '../../mail/mailer';
import { credentialsKey } from '../../config';
import { chorusAccountsFromConfig } from '../../worker/chorus-client';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, platform, setUpParties, validateQuantities, waitForInvoice } from '../support/scenario';
import { pdfWhenReady } from '../support/wait';

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
    platformContact: 'contact@agrilocal.test',
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
  // The buyer's mail carries the PDF, drawn just after the validation was answered.
  await pdfWhenReady(() => platform(stack).get(`/invoices/${invoiceId}/pdf`));
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
  const results = await Promise.allSettled([activities.sendMail(input), activities.sendMail(input)]);
  // One has the claim and sends; the other is told to come back when the claim ends.
  const sent = results.filter((r) => r.status === 'fulfilled');
  const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  expect(sent).toHaveLength(1);
  expect(refused).toHaveLength(1);
  expect(refused[0]!.reason).toMatchObject({ type: 'MailBeingSent' });
  expect((refused[0]!.reason as { nextRetryDelay: number }).nextRetryDelay).toBeGreaterThan(0);
  const messageId = messageIdFor(input.mailKey);
  await stack.smtp.waitFor((m) => m.messageId === messageId);
  // The retry, once the claim is over, finds the mail sent.
  expect(await activities.sendMail(input)).toEqual({ messageId, alreadySent: true });
  await new Promise((r) => setTimeout(r, 500)); // a second copy would have arrived by now
  expect(stack.smtp.messages.filter((m) => m.messageId === messageId)).toHaveLength(1);
  expect((await stack.db.orm.em.fork().findOneOrFail(SentMail, { mailKey: input.mailKey })).state).toBe('SENT');
});

it('When the attempt that claimed a mail died before sending, then the next attempt takes over once the claim has expired', async () => {
  const { invoiceId } = await readyInvoice();
  const input = { invoiceId, kind: 'INVOICE_TO_BUYER' as const, mailKey: `${invoiceId}:INVOICE_TO_BUYER:died`, reason: 'PRODUCER_CHOICE' as const };
  const em = stack.db.orm.em.fork();
  em.create(SentMail, { mailKey: input.mailKey, invoiceId, kind: input.kind, recipient: 'x@example.org', messageId: 'x', state: 'SENDING', claimedUntil: new Date(Date.now() + 60_000), sentAt: null });
  await em.flush();
  await expect(activities.sendMail(input)).rejects.toMatchObject({ type: 'MailBeingSent' });
  await em.nativeUpdate(SentMail, { mailKey: input.mailKey }, { claimedUntil: new Date(Date.now() - 1000) });
  expect(await activities.sendMail(input)).toMatchObject({ alreadySent: false });
  await stack.smtp.waitFor((m) => m.messageId === messageIdFor(input.mailKey));
});

it('When the attempt died after the SMTP server accepted the mail, then the next attempt records it SENT with its webhook event and sends nothing', async () => {
  const { invoiceId } = await readyInvoice();
  const input = { invoiceId, kind: 'INVOICE_TO_BUYER' as const, mailKey: `${invoiceId}:INVOICE_TO_BUYER:accepted`, reason: 'PRODUCER_CHOICE' as const };
  const em = stack.db.orm.em.fork();
  const messageId = messageIdFor(input.mailKey);
  // What a worker killed right after the acceptance leaves: ACCEPTED, neither SENT nor its event.
  em.create(SentMail, { mailKey: input.mailKey, invoiceId, kind: input.kind, recipient: 'x@example.org', messageId, state: 'ACCEPTED', claimedUntil: null, sentAt: null });
  await em.flush();
  const events = async () => (await em.fork().find(WebhookEvent, { invoiceId, type: 'invoice.mail_sent' })).filter((e) => e.body.includes(input.mailKey)).length;
  const before = await events();
  expect(await activities.sendMail(input)).toEqual({ messageId, alreadySent: true });
  expect((await em.fork().findOneOrFail(SentMail, { mailKey: input.mailKey })).state).toBe('SENT');
  // Its event is written with it (when a platform has registered an endpoint: the outbox holds nothing otherwise).
  const endpoints = await em.fork().count(WebhookEndpoint, {});
  expect(await events()).toBe(before + (endpoints > 0 ? 1 : 0));
  // Once SENT, an attempt more changes nothing.
  expect(await activities.sendMail(input)).toEqual({ messageId, alreadySent: true });
  await new Promise((r) => setTimeout(r, 500)); // a copy would have arrived by now
  expect(stack.smtp.messages.filter((m) => m.messageId === messageId)).toHaveLength(0);
});

it('When PostgreSQL cuts every connection during the SMTP exchange, then the mail goes out once and is recorded SENT', async () => {
  const { invoiceId } = await readyInvoice();
  const input = { invoiceId, kind: 'INVOICE_TO_BUYER' as const, mailKey: `${invoiceId}:INVOICE_TO_BUYER:cut`, reason: 'PRODUCER_CHOICE' as const };
  const real = createMailer(stack.config.SMTP_URL, stack.config.MAIL_FROM);
  const admin = new Client({ connectionString: stack.db.url });
  await admin.connect();
  let cut = 0;
  const cutting: Mailer = {
    // The cut lands while the server is accepting the message: what a PostgreSQL restart does to a busy worker.
    send: async (mail) => {
      const sending = real.send(mail);
      const rows = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
      cut = rows.rowCount ?? 0;
      return sending;
    },
    close: () => real.close(),
  };
  try {
    const withCut = createActivities({
      orm: stack.db.orm,
      chorus: chorusAccountsFromConfig(stack.config),
      credentialsKey: credentialsKey(stack.config),
      mailer: cutting,
      publicAppUrl: stack.config.PUBLIC_APP_URL,
      platformContact: 'contact@agrilocal.test',
    });
    const result = await withCut.sendMail(input);
    expect(cut).toBeGreaterThan(0);
    expect(result.alreadySent).toBe(false);
    expect(await activities.sendMail(input)).toEqual({ messageId: result.messageId, alreadySent: true });
    await stack.smtp.waitFor((m) => m.messageId === result.messageId);
    await new Promise((r) => setTimeout(r, 500));
    expect(stack.smtp.messages.filter((m) => m.messageId === result.messageId)).toHaveLength(1);
    expect((await stack.db.orm.em.fork().findOneOrFail(SentMail, { mailKey: input.mailKey })).state).toBe('SENT');
  } finally {
    await admin.end();
    real.close();
  }
});
