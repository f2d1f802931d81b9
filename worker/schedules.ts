/**
 * The Temporal Schedules the worker keeps: made at start when missing, their cadence brought to the
 * configuration when it changed. Visible (and triggerable by hand) in the Web UI under Schedules.
 */
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import { PASSWORD_CHECK_WORKFLOW_ID } from '../workflows/password-reminders';

export const PASSWORD_CHECK_SCHEDULE_ID = 'chorus-password-check';

/** The daily check of the Chorus technical accounts' passwords, at `hour` (Europe/Paris). */
export async function ensurePasswordCheckSchedule(client: Client, options: { taskQueue: string; hour: number }): Promise<void> {
  const spec: ScheduleSpec = { calendars: [{ hour: options.hour, minute: 0 }], timezone: 'Europe/Paris' };
  try {
    await client.schedule.create({
      scheduleId: PASSWORD_CHECK_SCHEDULE_ID,
      spec,
      action: { type: 'startWorkflow', workflowType: 'chorusPasswordCheck', workflowId: PASSWORD_CHECK_WORKFLOW_ID, taskQueue: options.taskQueue, args: [] },
      // A day the workers were down is caught up once; a check still running is not doubled.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
      memo: { description: "Chorus technical accounts: password expiry reminders (30, 7 and 1 days before)" },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(PASSWORD_CHECK_SCHEDULE_ID);
    const current = await handle.describe();
    const calendar = current.spec.calendars?.[0];
    const hours = calendar?.hour;
    const sameHour = Array.isArray(hours) && hours.length === 1 && hours[0]?.start === options.hour;
    if (sameHour && current.spec.timezone === 'Europe/Paris' && current.action.type === 'startWorkflow' && current.action.taskQueue === options.taskQueue) return;
    await handle.update((previous) => ({
      ...previous,
      spec,
      action: { type: 'startWorkflow', workflowType: 'chorusPasswordCheck', workflowId: PASSWORD_CHECK_WORKFLOW_ID, taskQueue: options.taskQueue, args: [] },
    }));
  }
}
