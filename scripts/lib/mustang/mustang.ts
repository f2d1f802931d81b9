/**
 * Offline Factur-X validation with Mustang (org.mustangproject:Mustang-CLI, Apache-2.0, from Maven Central): the CII
 * XML against its XSD and the EN 16931 Schematron (plus the French CTC rules, reported as warnings), and the PDF/A-3
 * part through its bundled veraPDF. Nothing of it is vendored: `ensureMustang` fetches the runnable jar once with
 * Maven into the tools cache (outside git) and reuses it.
 *
 * Test and tooling code only (Java 17 + Maven needed); the service itself never runs it.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { toolsDir } from '../tools';

/** Maven Central served only 2.26.0 of Mustang-CLI when this was written; override with MUSTANG_VERSION. */
export const DEFAULT_MUSTANG_VERSION = '2.26.0';
const BATCH_SOURCE = path.join(__dirname, 'MustangBatch.java');

export function mustangVersion(): string {
  return process.env.MUSTANG_VERSION ?? DEFAULT_MUSTANG_VERSION;
}

export function mustangJarPath(version = mustangVersion()): string {
  return path.join(toolsDir(), 'mustang', `Mustang-CLI-${version}.jar`);
}

function commandWorks(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: 'ignore' });
  return result.status === 0;
}

/**
 * The path of the Mustang-CLI jar, fetched on first use with `mvn dependency:copy` (about 60 MB, ~10 s) into
 * `${AGRILOCAL_TOOLS_DIR:-${XDG_CACHE_HOME:-~/.cache}/agrilocal-chorus/tools}/mustang/`. Safe to call often and from
 * parallel processes (the jar appears by an atomic rename).
 */
export async function ensureMustang(log: (message: string) => void = (m) => process.stdout.write(`[mustang] ${m}\n`)): Promise<string> {
  const version = mustangVersion();
  const jar = mustangJarPath(version);
  if (fs.existsSync(jar) && fs.statSync(jar).size > 0) return jar;

  if (!commandWorks('java', ['-version'])) throw new Error('Mustang needs Java 17+: `java` was not found on the PATH (Debian: apt-get install openjdk-17-jre-headless).');
  if (!commandWorks('mvn', ['-v'])) throw new Error('Fetching Mustang needs Maven: `mvn` was not found on the PATH (Debian: apt-get install maven).');

  const dir = path.dirname(jar);
  fs.mkdirSync(dir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(dir, '.download-'));
  const artifact = `org.mustangproject:Mustang-CLI:${version}`;
  log(`fetching ${artifact} from Maven Central into ${dir} ...`);
  const started = Date.now();
  try {
    const { code, output } = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      // Run outside the repository so Maven does not pick up any pom; -B: no progress bars in logs.
      const child = spawn('mvn', ['-B', '-q', 'dependency:copy', `-Dartifact=${artifact}`, `-DoutputDirectory=${staging}`], { cwd: os.tmpdir() });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.stderr.on('data', (d: Buffer) => (text += d.toString()));
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ code: exitCode, output: text }));
    });
    const fetched = path.join(staging, path.basename(jar));
    if (code !== 0 || !fs.existsSync(fetched)) {
      const tail = output.trim().split('\n').slice(-15).join('\n');
      throw new Error(
        `could not fetch ${artifact} with Maven (exit ${code}). Check network access to Maven Central and that the version exists ` +
          `(https://repo.maven.apache.org/maven2/org/mustangproject/Mustang-CLI/maven-metadata.xml; set MUSTANG_VERSION to choose another).\n${tail}`,
      );
    }
    fs.renameSync(fetched, jar);
    log(`fetched ${path.basename(jar)} (${(fs.statSync(jar).size / 1e6).toFixed(1)} MB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return jar;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export interface MustangResult {
  file: string;
  /** Mustang's overall verdict is "valid" and it reported no error. */
  valid: boolean;
  /** Errors (XSD, Schematron "fatal"/"error", PDF/A, Factur-X XMP) and exceptions, as "[type] message". */
  errors: string[];
  /** Warnings (e.g. the French CTC rules BR-FR-*), which do not make the file invalid. */
  warnings: string[];
  /** The raw XML report, for diagnostics. */
  report: string;
}

interface ValidateOptions {
  /** Kill the JVM after this long (default 5 minutes). */
  timeoutMs?: number;
}

type Node = Record<string, unknown>;

function collect(node: unknown, into: { errors: string[]; warnings: string[] }, key = ''): void {
  if (Array.isArray(node)) {
    for (const item of node) collect(item, into, key);
    return;
  }
  if (key === 'error' || key === 'exception' || key === 'warning') {
    const n = (typeof node === 'object' && node !== null ? node : { '#text': node }) as Node;
    const scalar = (v: unknown, fallback: string) => (typeof v === 'string' || typeof v === 'number' ? String(v) : fallback);
    const text = `[${scalar(n['@_type'], '?')}] ${scalar(n['#text'], '').trim()}`;
    (key === 'warning' ? into.warnings : into.errors).push(text);
    return;
  }
  if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) collect(v, into, k);
  }
}

/** Reads one Mustang XML report. */
export function parseMustangReport(file: string, report: string): MustangResult {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', parseTagValue: false, isArray: (name) => ['error', 'warning', 'exception'].includes(name) });
  const doc = parser.parse(report) as { validation?: Node };
  const validation = doc.validation;
  const summary = validation?.summary as Node | undefined;
  const status = summary?.['@_status'];
  const found = { errors: [] as string[], warnings: [] as string[] };
  collect(validation, found);
  if (!validation) found.errors.push(`[report] unreadable Mustang report: ${report.slice(0, 200)}`);
  return { file, valid: status === 'valid' && found.errors.length === 0, errors: found.errors, warnings: found.warnings, report };
}

/**
 * Validates Factur-X PDFs (or bare CII XML files) in ONE JVM run, in order. Rejects only if Java itself fails;
 * an invalid file is a result with `valid: false`.
 */
export async function validateWithMustang(files: readonly string[], options: ValidateOptions = {}): Promise<MustangResult[]> {
  if (files.length === 0) return [];
  const jar = await ensureMustang();
  const absolute = files.map((f) => path.resolve(f));
  for (const f of absolute) if (!fs.existsSync(f)) throw new Error(`no such file to validate: ${f}`);

  const args = ['-Xmx1G', '-Dorg.slf4j.simpleLogger.defaultLogLevel=error', '-cp', jar, BATCH_SOURCE, ...absolute];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('java', args, { cwd: os.tmpdir() });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    // Keep only the end of the (chatty) log for error messages.
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ code: exitCode, stdout: Buffer.concat(out).toString('utf8'), stderr: err });
    });
  });
  if (code !== 0 || !stdout.includes('@@MUSTANG-END')) {
    throw new Error(`Mustang validation did not complete (exit ${code}):\n${stderr.trim().split('\n').slice(-20).join('\n')}`);
  }
  const parts = stdout.split(/^@@MUSTANG-REPORT (\d+)\s*$/m);
  // parts = [preamble, index0, report0, index1, report1, ...]
  const results: MustangResult[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const index = Number(parts[i]);
    const report = (parts[i + 1] ?? '').replace(/@@MUSTANG-END[\s\S]*$/, '').trim();
    results[index] = parseMustangReport(absolute[index] ?? `#${index}`, report);
  }
  return absolute.map((file, i) => results[i] ?? { file, valid: false, errors: ['[report] no report produced'], warnings: [], report: '' });
}

/** One file: { valid, errors } (see validateWithMustang to check many files in one JVM). */
export async function validateFacturX(file: string): Promise<MustangResult> {
  const [result] = await validateWithMustang([file]);
  if (!result) throw new Error('Mustang returned no result');
  return result;
}
