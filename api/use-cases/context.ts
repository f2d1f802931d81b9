/** What a use case gets from the HTTP layer: a request-scoped EntityManager, Temporal, the caller. */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { TechnicalAccount } from '../../chorus';
import type { Config } from '../../config';
import type { Caller } from '../auth';
import type { InvoiceWorkflowGateway } from '../invoice-workflow-gateway';

export interface UseCaseContext {
  em: EntityManager;
  workflows: InvoiceWorkflowGateway;
  /** Whether our Chorus technical account may deposit for a producer (cached briefly). */
  chorusAccount: TechnicalAccount;
  config: Config;
  caller: Caller;
  /**
   * Idempotency key of this request: the Idempotency-Key header, else the request id (X-Request-Id). A client
   * that retries with the same key gets the first result of a workflow Update instead of a second action.
   */
  requestKey: string;
}
