/**
 * Tools the test suite needs beyond npm packages, provisioned before jest so that tests never download:
 * the Mustang Factur-X validator (Maven Central, cached outside git) and poppler-utils (pdftoppm/pdftotext,
 * Debian; installed when missing and we are root).
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { UserFacingError } from '../../lib/main';
import { ensureMustang } from './mustang/mustang';

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export async function provisionTestTools(log: (m: string) => void): Promise<void> {
  if (!has('pdftoppm') || !has('pdftotext')) {
    if (os.userInfo().uid !== 0) {
      throw new UserFacingError('The document tests need poppler-utils (pdftoppm, pdftotext): apt-get install poppler-utils');
    }
    log('installing poppler-utils (apt-get)...');
    const started = Date.now();
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', 'poppler-utils'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (update.status !== 0 || install.status !== 0) throw new UserFacingError('apt-get install poppler-utils failed (see above).');
    log(`poppler-utils installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
  const started = Date.now();
  const jar = await ensureMustang(log);
  log(`Mustang validator ready (${jar}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
