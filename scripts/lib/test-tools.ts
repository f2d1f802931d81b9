/**
 * Tools the test suite needs beyond npm packages, provisioned before jest so that tests never download:
 * the Mustang Factur-X validator (Maven Central, cached outside git), poppler-utils (pdftoppm/pdftotext) and
 * chromium for the browser tests of the producer's space (Debian; installed when missing and we are root), and
 * schemathesis for the contract test (PyPI, pinned, in a Python 3.11 virtual environment of the tools cache).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { UserFacingError } from '../../lib/main';
import { ensureMustang } from './mustang/mustang';
import { ensureSchemathesis } from './schemathesis';

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/** The Debian package behind each command the tests run, installed with apt-get when the command is missing. */
const DEBIAN_TOOLS: { commands: string[]; pkg: string; why: string }[] = [
  { commands: ['pdftoppm', 'pdftotext'], pkg: 'poppler-utils', why: 'The document tests need poppler-utils (pdftoppm, pdftotext)' },
  { commands: ['chromium'], pkg: 'chromium', why: 'The browser tests of the producer space need Debian\'s chromium (/usr/bin/chromium)' },
];

function aptInstall(log: (m: string) => void, pkg: string): void {
  log(`installing ${pkg} (apt-get)...`);
  const started = Date.now();
  // Another apt-get (a second test run provisioning at the same time) holds the dpkg lock: wait for it.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const update = spawnSync('apt-get', [...lock, 'update', '-qq'], { stdio: 'inherit' });
  const install = spawnSync('apt-get', [...lock, 'install', '-y', '-qq', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (update.status !== 0 || install.status !== 0) throw new UserFacingError(`apt-get install ${pkg} failed (see above).`);
  log(`${pkg} installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

export async function provisionTestTools(log: (m: string) => void): Promise<void> {
  for (const tool of DEBIAN_TOOLS) {
    if (tool.commands.every(has)) continue;
    if (os.userInfo().uid !== 0) throw new UserFacingError(`${tool.why}: apt-get install ${tool.pkg}`);
    aptInstall(log, tool.pkg);
  }
  const started = Date.now();
  const jar = await ensureMustang(log);
  log(`Mustang validator ready (${jar}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const schemathesisStarted = Date.now();
  const schemathesis = await ensureSchemathesis(log);
  log(`schemathesis ready (${schemathesis}) in ${((Date.now() - schemathesisStarted) / 1000).toFixed(1)} s`);
}
