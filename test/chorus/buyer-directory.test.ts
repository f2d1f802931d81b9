/** What Chorus says of a buyer, kept for a while (BuyerDirectory): real client over HTTP, calls counted by the sandbox. */
import { BuyerDirectory } from '../../chorus';
import { startSandbox, type RunningSandbox } from '../../chorus-sandbox';
import { makeSiret } from '../support/scenario';
import { control, makeClient } from './harness';

let sandbox: RunningSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 });
});
afterAll(async () => {
  await sandbox?.close();
});

const SEARCH = 'POST /cpro/structures/v1/rechercher';
const searches = () => sandbox.state.stats()[SEARCH] ?? 0;

async function publicBuyer(): Promise<string> {
  const siret = makeSiret();
  const res = await control(sandbox, 'PUT', `/structures/${siret}`, { designation: 'Collège Jean Moulin', type: 'PUBLIC', numeroEJDoitEtreRenseigne: false, codeServiceDoitEtreRenseigne: false });
  expect(res.status).toBeLessThan(300);
  return siret;
}

describe('BuyerDirectory', () => {
  it('When the same buyer is described again within the TTL, then Chorus is asked once (concurrent lookups included); after the TTL or forget, again', async () => {
    let now = 1_000_000;
    const { client } = makeClient(sandbox);
    const directory = new BuyerDirectory(client, { ttlMs: 60_000, now: () => now });
    const siret = await publicBuyer();

    const before = searches();
    const [a, b] = await Promise.all([directory.describe(siret), directory.describe(siret)]);
    expect(a).toMatchObject({ kind: 'known', siret, designation: 'Collège Jean Moulin' });
    expect(b).toEqual(a);
    await directory.describe(siret);
    expect(searches() - before).toBe(1);

    // Engagement now required on Chorus: a rejected flow makes us forget, and the next lookup sees it.
    await control(sandbox, 'PUT', `/structures/${siret}`, { designation: 'Collège Jean Moulin', type: 'PUBLIC', numeroEJDoitEtreRenseigne: true, codeServiceDoitEtreRenseigne: false });
    expect(await directory.describe(siret)).toMatchObject({ requirement: 'none' });
    directory.forget(siret);
    expect(await directory.describe(siret)).toMatchObject({ requirement: 'engagement' });
    expect(searches() - before).toBe(2);

    now += 60_001;
    await directory.describe(siret);
    expect(searches() - before).toBe(3);
  });

  it('When the TTL is 0, then every lookup asks Chorus', async () => {
    const { client } = makeClient(sandbox);
    const directory = new BuyerDirectory(client, { ttlMs: 0 });
    const siret = await publicBuyer();
    const before = searches();
    await directory.describe(siret);
    await directory.describe(siret);
    expect(searches() - before).toBe(2);
  });
});
