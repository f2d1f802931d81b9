/** The baseline's one activity: returns at once (the cost measured is Temporal's, not the activity's). */
export const baselineActivities = {
  async step(i: number): Promise<number> {
    return i;
  },
};
export type BaselineActivities = typeof baselineActivities;
