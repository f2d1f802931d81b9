/**
 * Fetches the Mustang Factur-X validator (Maven Central) into the tools cache, once; prints the jar path.
 * `npx tsx scripts/provision-mustang.ts` — the test runner calls `ensureMustang()` itself before jest.
 */
import { ensureMustang } from '../documents/validator/mustang';

ensureMustang().then(
  (jar) => process.stdout.write(`${jar}\n`),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
