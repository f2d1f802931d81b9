/**
 * The activities, built from their dependencies (samples-typescript `activities-dependency-injection`):
 * the worker passes real ones, tests the same real ones pointed at test servers.
 */
import type { ChorusClient } from '../chorus';
import type { Orm } from '../db/orm';
import type { Mailer } from '../mail/mailer';
import { createChorusActivities } from './chorus';
import { createChorusAccountActivities } from './chorus-account';
import { createDocumentActivities } from './documents';
import { createInvoiceRecordActivities } from './invoice-records';
import { createMailActivities } from './mail';

export interface ActivityDeps {
  orm: Orm;
  chorus: ChorusClient;
  mailer: Mailer;
  publicAppUrl: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createInvoiceRecordActivities(deps.orm),
    ...createDocumentActivities(deps.orm),
    ...createMailActivities(deps.orm, deps.mailer, deps.publicAppUrl),
    ...createChorusActivities(deps.orm, deps.chorus),
    ...createChorusAccountActivities(deps.chorus),
  };
}
export type Activities = ReturnType<typeof createActivities>;
