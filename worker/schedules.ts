/**
 * The Temporal Schedules the worker keeps: made at start when missing, brought to the configuration when they
 * exist (cadence, task queue, input). Visible, and triggerable by hand, in the Web UI under Schedules.
 */
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptionsStartWorkflowAction, type ScheduleSpec, type Workflow } from '@temporalio/client';
import type { Config } from '../config';

/**
 * Named after the invoices' task queue, so that two deployments sharing a namespace (a bench beside a demo) keep
 * their own; the runs they start are named the same way.
 */
export const scheduleIdOf = (taskQueue: string, name: 'chorus-password-check' | 'chorus-lifecycle-sync-recent' | 'chorus-lifecycle-sync-daily'): string =>
  `${taskQueue}:${name}`;

interface Wanted {
  scheduleId: string;
  spec: ScheduleSpec;
  action: ScheduleOptionsStartWorkflowAction<Workflow>;
  description: string;
}

async function ensureSchedule(client: Client, wanted: Wanted): Promise<void> {
  try {
    await client.schedule.create({
      scheduleId: wanted.scheduleId,
      spec: wanted.spec,
      action: wanted.action,
      // A day the workers were down is caught up once; a run still going is not doubled.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { description: wanted.description },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    await client.schedule.getHandle(wanted.scheduleId).update((previous) => ({ ...previous, spec: wanted.spec, action: wanted.action }));
  }
}

/** The daily check of the Chorus technical accounts' passwords, at `hour` (Europe/Paris). */
export async function ensurePasswordCheckSchedule(client: Client, options: { taskQueue: string; hour: number }): Promise<void> {
  await ensureSchedule(client, {
    scheduleId: scheduleIdOf(options.taskQueue, 'chorus-password-check'),
    spec: { calendars: [{ hour: options.hour, minute: 0 }], timezone: 'Europe/Paris' },
    action: {
      type: 'startWorkflow',
      workflowType: 'chorusPasswordCheck',
      workflowId: scheduleIdOf(options.taskQueue, 'chorus-password-check'),
      taskQueue: options.taskQueue,
      args: [],
    },
    description: 'Chorus technical accounts: password expiry reminders (30, 7 and 1 days before)',
  });
}

/**
 * The lifecycle sync: every LIFECYCLE_SYNC_INTERVAL for the deposits of the last LIFECYCLE_SYNC_RECENT_WINDOW,
 * and daily at LIFECYCLE_SYNC_DAILY_HOUR for every invoice still followed (LIFECYCLE_MAX_AGE); every
 * LIFECYCLE_SYNC_DAILY_INTERVAL instead when set (scaled time: tests, the bench).
 */
export async function ensureLifecycleSyncSchedules(
  client: Client,
  taskQueue: string,
  config: Pick<Config, 'LIFECYCLE_SYNC_INTERVAL' | 'LIFECYCLE_SYNC_RECENT_WINDOW' | 'LIFECYCLE_SYNC_DAILY_HOUR' | 'LIFECYCLE_MAX_AGE'> &
    Partial<Pick<Config, 'LIFECYCLE_SYNC_DAILY_INTERVAL'>>,
): Promise<void> {
  const sync = (workflowId: string, windowMs: number): ScheduleOptionsStartWorkflowAction<Workflow> => ({
    type: 'startWorkflow',
    workflowType: 'chorusLifecycleSync',
    workflowId,
    taskQueue,
    args: [{ windowMs }],
  });
  await ensureSchedule(client, {
    scheduleId: scheduleIdOf(taskQueue, 'chorus-lifecycle-sync-recent'),
    spec: { intervals: [{ every: config.LIFECYCLE_SYNC_INTERVAL }] },
    action: sync(scheduleIdOf(taskQueue, 'chorus-lifecycle-sync-recent'), config.LIFECYCLE_SYNC_RECENT_WINDOW),
    description: 'Chorus lifecycle sync of the recent deposits: invoices whose status moved are told',
  });
  await ensureSchedule(client, {
    scheduleId: scheduleIdOf(taskQueue, 'chorus-lifecycle-sync-daily'),
    // A "day" of scaled time (the bench's lifecycle run) is an interval; production keeps the Paris hour.
    spec:
      config.LIFECYCLE_SYNC_DAILY_INTERVAL !== undefined ?
        { intervals: [{ every: config.LIFECYCLE_SYNC_DAILY_INTERVAL }] }
      : { calendars: [{ hour: config.LIFECYCLE_SYNC_DAILY_HOUR, minute: 30 }], timezone: 'Europe/Paris' },
    action: sync(scheduleIdOf(taskQueue, 'chorus-lifecycle-sync-daily'), config.LIFECYCLE_MAX_AGE),
    description: 'Chorus lifecycle sync of every invoice still followed: invoices whose status moved are told',
  });
}
