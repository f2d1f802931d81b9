/**
 * Fetches the Mustang Factur-X validator (Maven Central) into the tools cache, once; prints the jar path.
 * `npx tsx scripts/provision-mustang.ts` — the test runner calls `ensureMustang()` itself before jest.
 */
import { ensureMustang } from '../documents/validator/mustang';
import { runMain } from '../lib/main';

runMain(async () => {
  process.stdout.write(`${await ensureMustang()}\n`);
});
