/**
 * Fetches the Mustang Factur-X validator (Maven Central) into the tools cache, once; prints the jar path.
 * `npx tsx scripts/provision-mustang.ts` — the test runner calls `ensureMustang()` itself before jest.
 */
import { runMain } from '../lib/main';
import { ensureMustang } from './lib/mustang/mustang';

runMain(async () => {
  process.stdout.write(`${await ensureMustang()}\n`);
});
