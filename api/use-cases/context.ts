/** What a use case gets from the HTTP layer: a request-scoped EntityManager, Temporal, the caller. */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ChorusAccounts } from '../../chorus';
import type { Config } from '../../config';
import type { Caller } from '../auth';
import type { InvoiceWorkflowGateway } from '../invoice-workflow-gateway';

export interface UseCaseContext {
  em: EntityManager;
  workflows: InvoiceWorkflowGateway;
  /** The platform's Chorus technical account and the producers' own ones (attachments cached briefly). */
  chorusAccounts: ChorusAccounts;
  /** Seals and opens the producers' own account passwords (CHORUS_CREDENTIALS_KEY). */
  credentialsKey: Buffer;
  config: Config;
  caller: Caller;
  /**
   * Idempotency key of this request: the Idempotency-Key header, else the request id (X-Request-Id). A client
   * that retries with the same key gets the first result of a workflow Update instead of a second action.
   */
  requestKey: string;
}
