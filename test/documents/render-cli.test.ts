/**
 * scripts/render-invoice.ts as a person uses it: a PDF for a good file, exit 2 and the bad field named (never a
 * stack trace) for a bad one.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseInvoiceDocumentInput } from '../../documents/input';

const root = path.resolve(__dirname, '../..');
const example = path.join(root, 'documents/examples/invoice.json');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agrilocal-render-cli-'));

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function cli(...args: string[]) {
  const r = spawnSync(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'scripts/render-invoice.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeJson(name: string, data: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data));
  return file;
}

describe('render-invoice CLI', () => {
  it('The shipped example is a valid input', () => {
    expect(() => parseInvoiceDocumentInput(JSON.parse(fs.readFileSync(example, 'utf8')))).not.toThrow();
  });

  it('When given the example, then it writes a Factur-X PDF and its XML and exits 0', () => {
    const out = path.join(dir, 'out', 'invoice.pdf');
    const xml = path.join(dir, 'invoice.xml');
    const r = cli(example, out, '--xml', xml);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain('invoice AGL-2026-000042');
    expect(r.stdout).toContain('TTC 176.50 EUR');
    const pdf = fs.readFileSync(out);
    expect(pdf.subarray(0, 8).toString()).toBe('%PDF-1.7');
    expect(pdf.includes(Buffer.from('/AFRelationship /Alternative'))).toBe(true);
    expect(fs.readFileSync(xml, 'utf8')).toContain('<ram:ID>AGL-2026-000042</ram:ID>');
  });

  it('When a field is wrong, then it exits 2 naming each field, without a stack trace', () => {
    const input = JSON.parse(fs.readFileSync(example, 'utf8')) as Record<string, unknown> & { lines: Record<string, unknown>[]; seller: Record<string, unknown> };
    input.lines[1]!.quantity = '1,5';
    input.seller.siret = '1234';
    delete input.issueDate;
    const r = cli(writeJson('bad.json', input), path.join(dir, 'bad.pdf'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('lines[1].quantity: expected a decimal string');
    expect(r.stderr).toContain('seller.siret: expected a SIRET: 14 digits');
    expect(r.stderr).toContain('issueDate: required');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(path.join(dir, 'bad.pdf'))).toBe(false);
  });

  it('When VAT is charged by a seller without VAT number, then it exits 2 on seller.vatNumber', () => {
    const input = JSON.parse(fs.readFileSync(example, 'utf8')) as { seller: Record<string, unknown> };
    input.seller.vatNumber = null;
    const r = cli(writeJson('novat.json', input), path.join(dir, 'novat.pdf'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('seller.vatNumber: required');
  });

  it('When the file is not JSON or arguments are missing, then it exits 2 with a message', () => {
    const notJson = cli(writeJson('broken.json', '{"number": '), path.join(dir, 'x.pdf'));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('not valid JSON');
    const missing = cli(path.join(dir, 'missing.json'), path.join(dir, 'x.pdf'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot be read (ENOENT)');
    const usage = cli();
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('usage: npx tsx scripts/render-invoice.ts');
  });
});
