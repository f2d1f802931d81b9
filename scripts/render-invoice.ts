/**
 * Renders one invoice JSON file (documents/input.ts shape) as a Factur-X PDF/A-3b:
 *   npx tsx scripts/render-invoice.ts documents/examples/invoice.json out.pdf [--xml out.xml]
 * Exit codes: 0 written; 2 bad usage or bad input (each bad field named, no stack trace); 1 anything else.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InvoiceDocumentError, parseInvoiceDocumentInput } from '../documents/input';
import { runMain } from '../lib/main';

const USAGE = 'usage: npx tsx scripts/render-invoice.ts <invoice.json> <out.pdf> [--xml <out.xml>]';

class UsageError extends Error {}

function parseArgs(argv: string[]): { input: string; output: string; xml?: string } {
  const positional: string[] = [];
  let xml: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--xml') {
      xml = argv[++i];
      if (!xml) throw new UsageError('--xml needs a file name');
    } else if (arg === '-h' || arg === '--help') {
      throw new UsageError('');
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown option ${arg}`);
    } else {
      positional.push(arg);
    }
  }
  const [input, output, ...extra] = positional;
  if (!input || !output || extra.length > 0) throw new UsageError('expected an input JSON file and an output PDF file');
  return { input, output, ...(xml ? { xml } : {}) };
}

async function main(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message ? `${error.message}\n` : ''}${USAGE}\n`);
      return 2;
    }
    throw error;
  }

  let data: unknown;
  try {
    data = JSON.parse(fs.readFileSync(args.input, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `not valid JSON (${error.message})` : `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    process.stderr.write(`${args.input}: ${reason}\n`);
    return 2;
  }

  try {
    const input = parseInvoiceDocumentInput(data);
    // Loaded only now: pdfkit and the Factur-X library take a second to load, bad input answers at once.
    const { renderFacturX } = await import('../documents/render.js');
    const rendered = await renderFacturX(input);
    fs.mkdirSync(path.dirname(path.resolve(args.output)), { recursive: true });
    fs.writeFileSync(args.output, rendered.pdf);
    if (args.xml) fs.writeFileSync(args.xml, rendered.xml);
    process.stdout.write(
      `${args.output}: invoice ${rendered.filename.replace(/^facture-|\.pdf$/g, '')}, ${rendered.pdf.length} bytes, ` +
        `HT ${rendered.totals.ht} TVA ${rendered.totals.tva} TTC ${rendered.totals.ttc} EUR\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof InvoiceDocumentError) {
      process.stderr.write(`${args.input}: invalid invoice\n${error.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}\n`);
      return 2;
    }
    throw error;
  }
}

runMain(() => main(process.argv.slice(2)), { label: 'render-invoice failed' });
