/**
 * The daily check of the Chorus technical accounts' passwords, through the real worker, sandbox, SMTP server and
 * Temporal (its Schedule included): reminders 30, 7 and 1 days before, each mailed once per account, expiry
 * date and threshold; and the admin's view of every account, never a password.
 */
import type { ParsedMail, AddressObject } from 'mailparser';
import request from 'supertest';
import { signProducerToken } from '../../api/auth';
import { ProducerChorusAccount } from '../../db/entities';
import { ensurePasswordCheckSchedule, scheduleIdOf } from '../../worker/schedules';
import type { PasswordCheckResult } from '../../workflows/password-reminders';
import { platform, sandboxControl, setUpParties } from '../support/scenario';
import { startTestStack, type TestStack } from '../support/stack';
import { waitUntil } from '../support/wait';

const CONTACT = 'plateforme@agrilocal.test';
const PASSWORD = 'Ferme-S3cret!pass';
const DAY = 86_400_000;
const inDays = (days: number) => new Date(Date.now() + days * DAY + 3_600_000).toISOString();

let stack: TestStack;
const platformExpiry = inDays(5);
beforeAll(async () => {
  stack = await startTestStack({ env: { PLATFORM_CONTACT_EMAIL: CONTACT }, sandbox: { technicalAccountPasswordExpiresAt: platformExpiry } });
});
afterAll(async () => {
  await stack?.teardown();
});

/** A producer with his own technical account on Chorus, whose password expires then. */
async function producerWithOwnAccount(passwordExpiresAt: string) {
  const parties = await setUpParties(stack, { chorusEnabled: false, producerAttached: false });
  const login = `TECH_1_${parties.producerSiret}@cpro.fr`;
  await sandboxControl(stack, 'PUT', `/technical-accounts/${encodeURIComponent(login)}`, { password: PASSWORD, attachedSirets: [parties.producerSiret], passwordExpiresAt });
  const given = await platform(stack).put(`/producers/${parties.producerSiret}/chorus-account`, { login, password: PASSWORD });
  if (given.status >= 300) throw new Error(`chorus-account: ${given.status} ${JSON.stringify(given.body)}`);
  return { ...parties, login };
}

const check = () =>
  stack.client.workflow.execute<() => Promise<PasswordCheckResult>>('chorusPasswordCheck', {
    taskQueue: stack.taskQueue,
    workflowId: `password-check-${Date.now()}-${Math.random().toString(36).slice(2)}`,
  });
const addresses = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a : a ? [a] : []).flatMap((o) => o.value.map((v) => v.address));
const reminders = () => stack.smtp.messages.filter((m: ParsedMail) => m.subject?.startsWith('Chorus Pro : le mot de passe'));

describe("The Chorus technical accounts' password check", () => {
  it('When passwords expire in 5 and 20 days, then the 7- and 30-day reminders are mailed once each, to the platform and to the producer with the platform in copy', async () => {
    const soon = await producerWithOwnAccount(inDays(20));
    const far = await producerWithOwnAccount(inDays(200));

    const first = await check();
    expect(first.checked).toBeGreaterThanOrEqual(3);
    expect(first.unread).toBe(0);
    const toPlatform = await stack.smtp.waitFor((m) => addresses(m.to).includes(CONTACT) && m.subject === 'Chorus Pro : le mot de passe du compte technique expire dans 5 jours');
    expect(toPlatform.text).toContain(stack.config.CHORUS_TECH_LOGIN);
    expect(toPlatform.text).toContain('CHORUS_TECH_PASSWORD');
    const toProducer = await stack.smtp.waitFor((m) => addresses(m.to).includes(soon.producerEmail));
    expect(toProducer.subject).toBe('Chorus Pro : le mot de passe du compte technique expire dans 20 jours');
    expect(addresses(toProducer.cc)).toEqual([CONTACT]);
    expect(toProducer.text).toContain(soon.login);
    expect(toProducer.html).toContain('<p>');
    expect(reminders().some((m) => addresses(m.to).includes(far.producerEmail))).toBe(false);
    expect(JSON.stringify(reminders().map((m) => m.text))).not.toContain(PASSWORD);

    // The next day's check (here: at once) sends nothing again for the same thresholds.
    const before = reminders().length;
    const second = await check();
    expect(second.reminded).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(reminders()).toHaveLength(before);

    // The producer's expiry, as read today, is kept for the admin view.
    const row = await stack.db.orm.em.fork().findOneOrFail(ProducerChorusAccount, { producerSiret: soon.producerSiret });
    expect(row.expiryReadAt).not.toBeNull();
  });

  it('When a renewed password expires in less than a day, then the 1-day reminder goes out for that new date', async () => {
    const account = await producerWithOwnAccount(inDays(0));
    await check();
    const mail = await stack.smtp.waitFor((m) => addresses(m.to).includes(account.producerEmail));
    expect(mail.subject).toBe("Chorus Pro : le mot de passe du compte technique expire dans moins d'un jour");
  });

  it('When the admin reads the accounts, then each has its expiry and state, filtered by state, never a password; others get 403', async () => {
    const expiring = await producerWithOwnAccount(inDays(10));
    const ok = await producerWithOwnAccount(inDays(90));
    await check();
    const admin = (path: string) => request(stack.app).get(`/api/v1${path}`).set('Authorization', `Bearer ${stack.config.ADMIN_API_KEY}`);

    type View = { platform: { login: string; state: string; passwordExpiresAt: string | null; daysLeft: number | null }; producers: { producerSiret: string; login: string; state: string; daysLeft: number }[]; next: string | null };
    let view: View | undefined;
    // The platform's account is read by the API process in the background: "checking" until then.
    await waitUntil(async () => (view = (await admin('/admin/chorus-accounts?pageSize=500')).body as View).platform.state !== 'checking', 'the platform account read');
    expect(view?.platform).toMatchObject({ login: stack.config.CHORUS_TECH_LOGIN, state: 'expiring', passwordExpiresAt: platformExpiry, daysLeft: 5 });
    const bySiret = new Map(view?.producers.map((p) => [p.producerSiret, p]));
    expect(bySiret.get(expiring.producerSiret)).toMatchObject({ login: expiring.login, state: 'expiring', daysLeft: 10 });
    expect(bySiret.get(ok.producerSiret)).toMatchObject({ state: 'ok', daysLeft: 90 });
    expect(JSON.stringify(view)).not.toContain(PASSWORD);

    const onlyExpiring = (await admin('/admin/chorus-accounts?state=expiring&pageSize=500')).body as View;
    expect(onlyExpiring.producers.every((p) => p.state === 'expiring')).toBe(true);
    expect(onlyExpiring.producers.map((p) => p.producerSiret)).toContain(expiring.producerSiret);
    expect(onlyExpiring.producers.map((p) => p.producerSiret)).not.toContain(ok.producerSiret);

    // Pages follow one another by SIRET, none twice.
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: View = (await admin(`/admin/chorus-accounts?pageSize=2${after ? `&after=${after}` : ''}`)).body as View;
      seen.push(...page.producers.map((p) => p.producerSiret));
      after = page.next;
    } while (after);
    expect(seen).toEqual([...(view?.producers.map((p) => p.producerSiret) ?? [])]);

    const bad = await admin('/admin/chorus-accounts?state=soon');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'VALIDATION_ERROR', details: [{ path: 'state' }] } });
    const asPlatform = await platform(stack).get('/admin/chorus-accounts');
    expect(asPlatform.status).toBe(403);
    const token = await signProducerToken(stack.config.PRODUCER_JWT_SECRET, ok.producerSiret);
    expect((await request(stack.app).get('/api/v1/admin/chorus-accounts').set('Authorization', `Bearer ${token}`)).status).toBe(403);
  });

  it('When the worker starts, then the daily Schedule exists at the configured hour, and a new hour updates it', async () => {
    await ensurePasswordCheckSchedule(stack.client, { taskQueue: stack.taskQueue, hour: 7 });
    await ensurePasswordCheckSchedule(stack.client, { taskQueue: stack.taskQueue, hour: 7 });
    const handle = stack.client.schedule.getHandle(scheduleIdOf(stack.taskQueue, 'chorus-password-check'));
    try {
      const made = await handle.describe();
      expect(made.spec.timezone).toBe('Europe/Paris');
      expect(made.spec.calendars?.[0]?.hour).toEqual([{ start: 7, end: 7, step: 1 }]);
      expect(made.action).toMatchObject({ type: 'startWorkflow', workflowType: 'chorusPasswordCheck', taskQueue: stack.taskQueue });

      await ensurePasswordCheckSchedule(stack.client, { taskQueue: stack.taskQueue, hour: 5 });
      expect((await handle.describe()).spec.calendars?.[0]?.hour).toEqual([{ start: 5, end: 5, step: 1 }]);

      // Triggered by hand (as from the Web UI), it runs the check on the worker.
      await handle.trigger();
      await waitUntil(async () => ((await handle.describe()).info.recentActions.length > 0), 'the triggered run');
      const run = (await handle.describe()).info.recentActions[0]!.action.workflow;
      const result = (await stack.client.workflow.getHandle(run.workflowId, run.firstExecutionRunId).result()) as PasswordCheckResult;
      expect(result.checked).toBeGreaterThanOrEqual(1);
    } finally {
      await handle.delete();
    }
  });
});
