/**
 * PISTE's quota, as the sandbox plays it (`faults.callsPerSecondQuota`): a 429 with Retry-After holds back every
 * call of the process (SlowDown shared by its clients), not just the one refused. Real client over HTTP.
 */
import { ChorusTransientError, SlowDown } from '../../chorus';
import { startSandbox, type RunningSandbox } from '../../chorus-sandbox';
import { control, makeClient } from './harness';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});

const SEARCH = 'POST /cpro/structures/v1/rechercher';
const calls = (endpoint: string) => sandbox.state.stats()[endpoint] ?? 0;
const search = (client: ReturnType<typeof makeClient>['client']) => client.rechercherStructure('73282932000074');

describe('PISTE quota (429 with Retry-After)', () => {
  it('When one call is refused 429, then the other clients of the process wait the Retry-After before calling again', async () => {
    const slowDown = new SlowDown();
    const a = makeClient(sandbox, { slowDown });
    const b = makeClient(sandbox, { slowDown });
    // Tokens first, so that only business calls count below.
    await search(a.client);
    await search(b.client);
    // Align on a fresh second, then allow one call per second.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    expect((await control(sandbox, 'PUT', '/config', { faults: { callsPerSecondQuota: 1 } })).status).toBe(200);
    try {
      await search(a.client);
      const refused = await search(a.client).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ChorusTransientError);
      expect((refused as ChorusTransientError).httpStatus).toBe(429);
      expect((refused as ChorusTransientError).retryAfterMs).toBe(1000);
      expect(slowDown.remainingMs()).toBeGreaterThan(0);

      // Client b has not been refused itself, yet it holds its call until the pause ends: the host sees nothing.
      const seen = calls(SEARCH);
      const held = search(b.client);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(calls(SEARCH)).toBe(seen);
      await held;
      expect(calls(SEARCH)).toBe(seen + 1);
      expect(sandbox.state.stats()['429']).toBe(1);
    } finally {
      await control(sandbox, 'PUT', '/config', { faults: { callsPerSecondQuota: 0 } });
    }
  });

  it('When there is no shared slow-down, then each client hits the quota on its own (what the shared one avoids)', async () => {
    const a = makeClient(sandbox);
    const b = makeClient(sandbox);
    await search(a.client);
    await search(b.client);
    await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 20));
    await control(sandbox, 'PUT', '/config', { faults: { callsPerSecondQuota: 1 } });
    try {
      const before = sandbox.state.stats()['429'] ?? 0;
      await search(a.client);
      await expect(search(a.client)).rejects.toBeInstanceOf(ChorusTransientError);
      await expect(search(b.client)).rejects.toBeInstanceOf(ChorusTransientError);
      expect((sandbox.state.stats()['429'] ?? 0) - before).toBe(2);
    } finally {
      await control(sandbox, 'PUT', '/config', { faults: { callsPerSecondQuota: 0 } });
    }
  });
});
