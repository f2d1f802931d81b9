/**
 * Schemathesis (PyPI, MIT), the contract tester the suite runs against the OpenAPI document (test/api/contract.test.ts).
 * Nothing of it is vendored: `ensureSchemathesis` makes a Python 3.11 virtual environment in the tools cache
 * (outside git), installs the pinned version with pip once and reuses it.
 *
 * Test and tooling code only (Python 3.11 with venv needed); the service itself never runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { toolsDir } from './tools';

/** Pinned: its checks and flags change between minor versions; override with SCHEMATHESIS_VERSION. */
export const DEFAULT_SCHEMATHESIS_VERSION = '4.32.5';

export function schemathesisVersion(): string {
  return process.env.SCHEMATHESIS_VERSION ?? DEFAULT_SCHEMATHESIS_VERSION;
}

/** The virtual environment of one version: `<tools>/schemathesis/<version>/`. */
export function schemathesisVenv(version = schemathesisVersion()): string {
  return path.join(toolsDir(), 'schemathesis', version);
}

/** The `schemathesis` command of the virtual environment. */
export function schemathesisBinary(version = schemathesisVersion()): string {
  return path.join(schemathesisVenv(version), 'bin', 'schemathesis');
}

/** Written last: a virtual environment without it is a half-done install, made again. */
const READY_MARK = '.installed';

export function schemathesisReady(version = schemathesisVersion()): boolean {
  return fs.existsSync(path.join(schemathesisVenv(version), READY_MARK)) && fs.existsSync(schemathesisBinary(version));
}

/** A Python 3.11 interpreter: SCHEMATHESIS_PYTHON, else python3.11, else python3 when it is 3.11. */
function python311(): string {
  const candidates = [process.env.SCHEMATHESIS_PYTHON, 'python3.11', 'python3'].filter((c): c is string => !!c);
  for (const command of candidates) {
    const result = spawnSync(command, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    if (result.status === 0 && result.stdout.trim() === '3.11') return command;
  }
  throw new Error(
    'Schemathesis runs in a Python 3.11 virtual environment: no python3.11 with the venv module was found ' +
      '(Debian: apt-get install python3.11 python3.11-venv; or set SCHEMATHESIS_PYTHON to its path).',
  );
}

function runLogged(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * The path of the `schemathesis` command, installed on first use (`python3.11 -m venv` + `pip install
 * schemathesis==<version>`, ~10 s) into `${AGRILOCAL_TOOLS_DIR:-${XDG_CACHE_HOME:-~/.cache}/agrilocal-chorus/tools}/schemathesis/<version>/`.
 * A virtual environment is not relocatable, so it is made in place and marked complete last.
 */
export async function ensureSchemathesis(log: (message: string) => void = (m) => process.stdout.write(`[schemathesis] ${m}\n`)): Promise<string> {
  const version = schemathesisVersion();
  const venv = schemathesisVenv(version);
  if (schemathesisReady(version)) return schemathesisBinary(version);

  const python = python311();
  fs.rmSync(venv, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  log(`installing schemathesis==${version} from PyPI into ${venv} ...`);
  const started = Date.now();
  const steps: [string, string[]][] = [
    [python, ['-m', 'venv', venv]],
    [path.join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `schemathesis==${version}`]],
  ];
  for (const [command, args] of steps) {
    const { code, output } = await runLogged(command, args);
    if (code !== 0) {
      fs.rmSync(venv, { recursive: true, force: true });
      const tail = output.trim().split('\n').slice(-15).join('\n');
      throw new Error(`could not install schemathesis==${version} (${path.basename(command)} ${args.join(' ')}: exit ${code}). Check network access to PyPI.\n${tail}`);
    }
  }
  const check = spawnSync(schemathesisBinary(version), ['--version'], { encoding: 'utf8' });
  if (check.status !== 0 || !check.stdout.includes(version)) throw new Error(`schemathesis installed but \`schemathesis --version\` said: ${check.stdout}${check.stderr}`);
  fs.writeFileSync(path.join(venv, READY_MARK), `${version}\n`);
  log(`schemathesis ${version} installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return schemathesisBinary(version);
}
