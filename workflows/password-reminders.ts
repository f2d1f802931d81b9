/**
 * The daily check of the Chorus technical accounts' passwords, run by a Temporal Schedule (worker/schedules.ts):
 * for each account, when its password expires, as Chorus says now, and the reminder due 30, 7 or 1 days before
 * (domain/password-expiry.ts). One account's failure does not stop the others; the next day retries it.
 */
import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { dueReminder, passwordDaysLeft } from '../domain/password-expiry';
import type { ChorusAccountRef } from '../activities/chorus-account';
import { forEachChorusAccount } from './chorus-accounts';
import { chorusTaskQueueOf } from './messages';

export interface PasswordCheckResult {
  checked: number;
  /** Reminders mailed by this run (one sent by an earlier run is not sent again). */
  reminded: number;
  /** Accounts Chorus refused, or that could not be read today. */
  unread: number;
}

const local = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { initialInterval: '2s', maximumInterval: '5m' } });
// A Chorus that stays away for the day is asked again tomorrow.
const chorus = () =>
  proxyActivities<Activities>({
    taskQueue: chorusTaskQueueOf(workflowInfo().taskQueue),
    startToCloseTimeout: '1m',
    scheduleToCloseTimeout: '1h',
    retry: { initialInterval: '5s', maximumInterval: '5m', nonRetryableErrorTypes: ['ChorusBusinessError'] },
  });

export async function chorusPasswordCheck(): Promise<PasswordCheckResult> {
  const result: PasswordCheckResult = { checked: 0, reminded: 0, unread: 0 };
  await forEachChorusAccount((account) => checkAccount(account, result));
  return result;
}

async function checkAccount(account: ChorusAccountRef, result: PasswordCheckResult): Promise<void> {
  result.checked += 1;
  let read;
  try {
    read = await chorus().readChorusPasswordExpiry(account);
  } catch (error) {
    log.warn('Chorus password expiry not read today', { producerSiret: account.producerSiret, error: String(error) });
    result.unread += 1;
    return;
  }
  if (read.kind === 'refused') {
    result.unread += 1;
    return;
  }
  const days = dueReminder(read.passwordExpiresAt, Date.now());
  if (read.passwordExpiresAt === null || days === null) return;
  const daysLeft = passwordDaysLeft(read.passwordExpiresAt, Date.now()) ?? 0;
  const sent = await local.sendPasswordReminder({ ...account, passwordExpiresAt: read.passwordExpiresAt, days, daysLeft });
  if (!sent.alreadySent) result.reminded += 1;
}
