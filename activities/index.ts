/**
 * The activities, built from their dependencies (samples-typescript `activities-dependency-injection`):
 * the worker passes real ones, tests the same real ones pointed at test servers.
 */
import { BuyerDirectory, type ChorusAccounts } from '../chorus';
import type { Orm } from '../db/orm';
import type { Mailer } from '../mail/mailer';
import { createChorusActivities } from './chorus';
import { createChorusAccountActivities, createChorusAccountListActivities } from './chorus-account';
import { createDocumentActivities } from './documents';
import { createInvoiceRecordActivities } from './invoice-records';
import { createLifecycleSyncActivities } from './lifecycle-sync';
import { createMailActivities } from './mail';
import { createPasswordReadActivities, createPasswordReminderActivities } from './password-reminders';
import { chorusForProducer } from './shared';

export interface ActivityDeps {
  orm: Orm;
  /** The platform's Chorus account and the producers' own ones. */
  chorus: ChorusAccounts;
  /** Opens the producers' own account passwords (CHORUS_CREDENTIALS_KEY). */
  credentialsKey: Buffer;
  mailer: Mailer;
  publicAppUrl: string;
  /** Who at the platform gets the Chorus password reminders (PLATFORM_CONTACT_EMAIL). */
  platformContact: string;
  /** How long what Chorus says of a buyer is kept (CHORUS_STRUCTURE_CACHE_TTL; 0: asked each time). */
  structureCacheTtlMs?: number;
}

/** The activities that call Chorus Pro: what the rate-limited Chorus worker runs. */
export function createChorusCallActivities(deps: Pick<ActivityDeps, 'orm' | 'chorus' | 'credentialsKey' | 'structureCacheTtlMs'>) {
  const chorusFor = chorusForProducer(deps.chorus, deps.credentialsKey);
  const buyers = new BuyerDirectory(deps.chorus.platform.client, { ttlMs: deps.structureCacheTtlMs ?? 0 });
  return {
    ...createChorusActivities(deps.orm, deps.chorus.platform.client, chorusFor, buyers),
    ...createChorusAccountActivities(deps.orm, chorusFor),
    ...createPasswordReadActivities(deps.orm, deps.chorus, chorusFor),
    ...createLifecycleSyncActivities(deps.orm, deps.chorus, chorusFor),
  };
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createInvoiceRecordActivities(deps.orm),
    ...createDocumentActivities(deps.orm),
    ...createMailActivities(deps.orm, deps.mailer, deps.publicAppUrl),
    ...createChorusAccountListActivities(deps.orm, deps.chorus),
    ...createPasswordReminderActivities(deps.orm, deps.mailer, deps.platformContact),
    // Also here: calls scheduled on the invoices' queue by runs begun before the Chorus queue existed.
    ...createChorusCallActivities(deps),
  };
}
export type Activities = ReturnType<typeof createActivities>;
