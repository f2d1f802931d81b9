/**
 * Temporal history sizes: `describe().historyLength` of every workflow of a run, and the event mix (activities
 * scheduled, timers started, Updates accepted…) of a sample, which is also the shape the baseline reproduces.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { runPool } from './load';

const EventType = temporal.api.enums.v1.EventType;

export interface HistoryShape {
  events: number;
  activities: number;
  timers: number;
  updates: number;
  signals: number;
  workflowTasks: number;
  /** Attempts beyond the first of activities that are not polls (a poll's retries are its schedule). */
  activityRetries: number;
}

const POLLS = new Set(['awaitFlowReport', 'awaitChorusStatusChange']);

export async function historyLengths(client: Client, workflowIds: string[], width = 16): Promise<Map<string, number>> {
  const lengths = new Map<string, number>();
  await runPool(
    workflowIds.map((id) => async () => {
      try {
        const d = await client.workflow.getHandle(id).describe();
        lengths.set(id, d.historyLength);
      } catch {
        // missing workflow: reported by the caller as a missing length
      }
    }),
    width,
  );
  return lengths;
}

export async function historyShape(client: Client, workflowId: string): Promise<HistoryShape> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const shape: HistoryShape = { events: 0, activities: 0, timers: 0, updates: 0, signals: 0, workflowTasks: 0, activityRetries: 0 };
  const typeOf = new Map<string, string>();
  for (const event of history.events ?? []) {
    shape.events += 1;
    switch (event.eventType) {
      case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        shape.activities += 1;
        typeOf.set(String(event.eventId), event.activityTaskScheduledEventAttributes?.activityType?.name ?? '');
        break;
      case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const a = event.activityTaskStartedEventAttributes;
        if (a && !POLLS.has(typeOf.get(String(a.scheduledEventId)) ?? '')) shape.activityRetries += Math.max(0, (a.attempt ?? 1) - 1);
        break;
      }
      case EventType.EVENT_TYPE_TIMER_STARTED:
        shape.timers += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        shape.updates += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        shape.signals += 1;
        break;
      case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        shape.workflowTasks += 1;
        break;
      default:
    }
  }
  return shape;
}

export function averageShape(shapes: HistoryShape[]): HistoryShape {
  const avg = (key: keyof HistoryShape) => (shapes.length ? shapes.reduce((a, s) => a + s[key], 0) / shapes.length : 0);
  return {
    events: avg('events'),
    activities: avg('activities'),
    timers: avg('timers'),
    updates: avg('updates'),
    signals: avg('signals'),
    workflowTasks: avg('workflowTasks'),
    activityRetries: avg('activityRetries'),
  };
}
