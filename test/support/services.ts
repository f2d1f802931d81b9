/**
 * The servers `npm test` (scripts/test.ts) starts once per run, read from the environment it sets.
 * Running jest directly without them fails with a clear message.
 */
export interface TestServices {
  databaseUrl: string;
  temporalAddress: string;
  temporalCli: string;
  workflowBundle: string;
  workDir: string;
}

export function testServices(): TestServices {
  const { TEST_DATABASE_URL, TEST_TEMPORAL_ADDRESS, TEST_TEMPORAL_CLI, TEST_WORKFLOW_BUNDLE, TEST_WORK_DIR } = process.env;
  if (!TEST_DATABASE_URL || !TEST_TEMPORAL_ADDRESS || !TEST_WORKFLOW_BUNDLE || !TEST_TEMPORAL_CLI || !TEST_WORK_DIR) {
    throw new Error('This test needs the servers that `npm test` starts: run `npm test -- <test path>` instead of jest directly.');
  }
  return {
    databaseUrl: TEST_DATABASE_URL,
    temporalAddress: TEST_TEMPORAL_ADDRESS,
    temporalCli: TEST_TEMPORAL_CLI,
    workflowBundle: TEST_WORKFLOW_BUNDLE,
    workDir: TEST_WORK_DIR,
  };
}

/** Unique, readable ids for one test. */
let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}`;
}
