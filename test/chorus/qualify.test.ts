/**
 * `npm run chorus:qualify` as a user runs it: a real child process. Against the sandbox every checklist item
 * must hold (CI runs this); production hosts are refused without --production.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');

function qualify(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/chorus-qualify.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('npm run chorus:qualify', () => {
  it('When it runs against the sandbox, then every checklist item holds and it exits 0', () => {
    const run = qualify(['--sandbox', '--invalid-deposit', '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const results = JSON.parse(run.stdout.slice(run.stdout.indexOf('['))) as { audit: string; verdict: string }[];
    expect(results.map((r) => r.verdict)).toEqual(results.map(() => 'holds'));
    const audits = results.map((r) => r.audit).join(' ');
    for (const id of ['CRITICAL-1', 'CRITICAL-2', 'CRITICAL-3', 'CRITICAL-4', 'UNKNOWN-5', 'UNKNOWN-6', 'UNKNOWN-7']) expect(audits).toContain(id);
  });

  it('When the configuration points at the production host, then it refuses with a message and no stack trace', () => {
    const run = qualify(['--buyer', '12345678200051', '--supplier', '90123456700005'], {
      CHORUS_API_URL: 'https://api.piste.gouv.fr',
      CHORUS_OAUTH_URL: 'https://oauth.piste.gouv.fr/api/oauth/token',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/production host .*--production/);
    expect(run.stderr).not.toMatch(/\bat \S+\.ts:\d+/);
    expect(run.stdout).toBe('');
  });
});
