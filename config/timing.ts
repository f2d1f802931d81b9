/** The workflow's durations, from the configuration of whoever starts it (the API). */
import type { InvoiceTiming } from '../workflows/messages';
import type { Config } from './index';

export function invoiceTiming(config: Config): InvoiceTiming {
  return {
    flowPollMs: config.FLOW_POLL_INTERVAL,
    flowPollMaxMs: config.FLOW_POLL_MAX_INTERVAL,
    flowReportMaxAgeMs: config.FLOW_REPORT_MAX_AGE,
    ...(config.LIFECYCLE_POLL_INTERVAL !== undefined ? { lifecyclePollMs: config.LIFECYCLE_POLL_INTERVAL } : {}),
    reminderAfterMs: config.PRODUCER_REMINDER_AFTER,
    chorusFailureBudgetMs: config.CHORUS_FAILURE_BUDGET,
    lifecycleMaxAgeMs: config.LIFECYCLE_MAX_AGE,
    activityTimeoutMs: config.ACTIVITY_TIMEOUT,
  };
}
