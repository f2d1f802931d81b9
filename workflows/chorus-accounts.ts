/**
 * Every Chorus technical account, the platform's first then the producers' own by SIRET, a page at a time: what
 * the daily password check and the lifecycle sync walk through.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { ChorusAccountPage, ChorusAccountRef } from '../activities/chorus-account';

const { listChorusAccounts } = proxyActivities<Activities>({ startToCloseTimeout: '1m', retry: { initialInterval: '2s', maximumInterval: '1m' } });

export async function forEachChorusAccount(visit: (account: ChorusAccountRef) => Promise<void>): Promise<void> {
  let after: string | null = null;
  do {
    const page: ChorusAccountPage = await listChorusAccounts({ after });
    for (const account of page.accounts) await visit(account);
    after = page.next;
  } while (after !== null);
}
