/**
 * The baseline: a bare workflow with a given number of activities and timers, nothing else (no database, no
 * Chorus, no mail, no Update). Run on the same Temporal server as the invoices, it tells what Temporal itself
 * allows on this machine for a workflow of the same shape.
 */
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { BaselineActivities } from './activities';

export interface BaselineShape {
  activities: number;
  timers: number;
  timerMs: number;
}

const { step } = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30s', retry: { initialInterval: '1s' } });

/** The activities one after the other, the timers spread among them. */
export async function baselineWorkflow(shape: BaselineShape): Promise<number> {
  let sum = 0;
  const every = shape.timers > 0 ? Math.max(1, Math.floor(shape.activities / shape.timers)) : Infinity;
  let timers = 0;
  for (let i = 0; i < shape.activities; i++) {
    sum += await step(i);
    if (timers < shape.timers && (i + 1) % every === 0) {
      await sleep(shape.timerMs);
      timers += 1;
    }
  }
  while (timers < shape.timers) {
    await sleep(shape.timerMs);
    timers += 1;
  }
  return sum;
}
