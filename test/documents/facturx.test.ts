/**
 * renderFacturX end to end: every case is rendered, then validated offline by Mustang in ONE JVM run (XSD, EN 16931
 * Schematron, PDF/A-3 via veraPDF, Factur-X XMP); the XML carries the Chorus Pro choices; the PDF shows every legal
 * mention (pdftotext), embeds only DejaVu fonts and the XML, and is byte-for-byte deterministic.
 * Needs Java 17 (Mustang, fetched once by ensureMustang) and poppler-utils (pdftotext, pdftoppm, pdffonts, pdfdetach).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { computeInvoiceTotals } from '../../domain/money';
import { InvoiceDocumentError, parseInvoiceDocumentInput } from '../../documents/input';
import { renderFacturX, type RenderedInvoice } from '../../documents/render';
import { ensureMustang, validateWithMustang, type MustangResult } from '../../scripts/lib/mustang/mustang';
import { baseInput, CREDIT_NOTE_EXAMPLE, INVOICE_CASES, SELLER } from './support/invoice-cases';

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agrilocal-facturx-'));
const rendered = new Map<string, RenderedInvoice & { file: string }>();
const verdicts = new Map<string, MustangResult>();

function tool(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error && (result.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new Error(`${command} is missing: install poppler-utils (apt-get install poppler-utils)`);
  }
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * pdftotext output with no-break spaces and line breaks flattened, so mentions can be searched as phrases.
 * `layout` keeps each printed row on one line (table cells in order); `raw` keeps drawing order (each wrapped
 * block whole, words cut after a hyphen joined back).
 */
function pdfText(file: string, mode: 'layout' | 'raw' = 'layout'): string {
  const text = tool('pdftotext', [`-${mode}`, '-enc', 'UTF-8', file, '-']).replace(/[\u00a0\u202f]/g, ' ');
  return (mode === 'raw' ? text.replace(/-\n(?=\p{L})/gu, '-') : text).replace(/\s+/g, ' ');
}

function get(tree: unknown, pathExpr: string): unknown {
  return pathExpr.split('/').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), tree);
}

const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (name) => ['ram:IncludedNote', 'ram:IncludedSupplyChainTradeLineItem', 'ram:ApplicableTradeTax'].includes(name) });
function parseCii(xml: string) {
  const doc = xmlParser.parse(xml) as Record<string, unknown>;
  const root = doc['rsm:CrossIndustryInvoice'];
  return {
    root,
    agreement: get(root, 'rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement'),
    settlement: get(root, 'rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement'),
  };
}

function caseOf(name: string) {
  const r = rendered.get(name);
  if (!r) throw new Error(`case ${name} was not rendered`);
  return r;
}

beforeAll(async () => {
  await ensureMustang();
  for (const c of INVOICE_CASES) {
    const r = await renderFacturX(c.input);
    const file = path.join(workDir, `${c.name}.pdf`);
    fs.writeFileSync(file, r.pdf);
    rendered.set(c.name, { ...r, file });
  }
  // Spoiled copies, to show the validator can say "invalid": validated in the same JVM run as the cases.
  const xml = caseOf('one-line').xml;
  const negatives: Record<string, string | Buffer> = {
    // PDF cut in half.
    'broken.pdf': caseOf('one-line').pdf.subarray(0, Math.floor(caseOf('one-line').pdf.length / 2)),
    // XSD: a note's SubjectCode before its Content.
    'xsd-bad.xml': xml.replace(/<ram:Content>([^<]*)<\/ram:Content>(\s*)<ram:SubjectCode>PMD<\/ram:SubjectCode>/, '<ram:SubjectCode>PMD</ram:SubjectCode>$2<ram:Content>$1</ram:Content>'),
    // EN 16931 BR-CO-15: TTC one cent off.
    'rule-bad.xml': xml.replace('<ram:GrandTotalAmount>26.38</ram:GrandTotalAmount>', '<ram:GrandTotalAmount>26.39</ram:GrandTotalAmount>'),
  };
  const negativeFiles = Object.entries(negatives).map(([name, content]) => {
    const file = path.join(workDir, name);
    fs.writeFileSync(file, content);
    return file;
  });
  const results = await validateWithMustang([...INVOICE_CASES.map((c) => caseOf(c.name).file), ...negativeFiles]);
  INVOICE_CASES.forEach((c, i) => verdicts.set(c.name, results[i]!));
  Object.keys(negatives).forEach((name, i) => verdicts.set(name, results[INVOICE_CASES.length + i]!));
}, 240_000);

afterAll(() => {
  if (!process.env.KEEP_FACTURX_OUTPUT) fs.rmSync(workDir, { recursive: true, force: true });
  else process.stdout.write(`Factur-X test files kept in ${workDir}\n`);
});

describe('Factur-X validity (Mustang: XSD + EN 16931 Schematron + PDF/A-3b + Factur-X XMP)', () => {
  it.each(INVOICE_CASES.map((c) => c.name))('When the %s invoice is rendered, then Mustang finds it valid', (name) => {
    const verdict = verdicts.get(name)!;
    expect({ name, errors: verdict.errors }).toEqual({ name, errors: [] });
    expect(verdict.valid).toBe(true);
    // Both halves were really checked, not skipped.
    expect(verdict.report).toMatch(/<pdf>[\s\S]*flavour=3b[\s\S]*isCompliant=true/);
    expect(verdict.report).toContain('<profile>urn:cen.eu:en16931:2017</profile>');
    // Only the French CTC (2026 reform) rules may warn; see docs/documents.md for why they do not apply to Chorus.
    for (const w of verdict.warnings) expect(w).toMatch(/BR-FR-(08|10|12|13)/);
  });

  it('When a file is broken, off-schema or off by a cent, then the validator says invalid and why (it can fail)', () => {
    expect(verdicts.get('broken.pdf')).toMatchObject({ valid: false, errors: expect.arrayContaining([expect.any(String)]) });
    expect(verdicts.get('xsd-bad.xml')).toMatchObject({ valid: false, errors: [expect.stringMatching(/schema validation fails.*SubjectCode/)] });
    expect(verdicts.get('rule-bad.xml')).toMatchObject({ valid: false, errors: expect.arrayContaining([expect.stringContaining('[BR-CO-15]')]) });
  });
});

describe('Factur-X XML (CII EN 16931, Chorus Pro rules)', () => {
  it('When the buyer needs service and engagement codes, then BT-10, BT-13 and BT-12 carry them, with SIRETs in scheme 0002', () => {
    const { root, agreement, settlement } = parseCii(caseOf('service-and-engagement-codes').xml);
    expect(get(root, 'rsm:ExchangedDocument/ram:ID')).toBe('AGL-2026-000004');
    expect(get(root, 'rsm:ExchangedDocument/ram:TypeCode')).toBe('380');
    expect(get(root, 'rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID')).toBe('A1');
    expect(get(root, 'rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID')).toBe('urn:cen.eu:en16931:2017');
    expect(get(agreement, 'ram:BuyerReference')).toBe('RESTAURATION');
    expect(get(agreement, 'ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID')).toBe('EJ-2026-000731');
    expect(get(agreement, 'ram:ContractReferencedDocument/ram:IssuerAssignedID')).toBe('MAPA-2025-14');
    expect(get(agreement, 'ram:SellerTradeParty/ram:SpecifiedLegalOrganization/ram:ID')).toEqual({ '#text': SELLER.siret, '@schemeID': '0002' });
    expect(get(agreement, 'ram:BuyerTradeParty/ram:SpecifiedLegalOrganization/ram:ID')).toEqual({ '#text': '21150014500019', '@schemeID': '0002' });
    expect(get(agreement, 'ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID')).toEqual({ '#text': SELLER.vatNumber, '@schemeID': 'VA' });
    expect(get(settlement, 'ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode')).toBe('30');
    expect(get(settlement, 'ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount/ram:IBANID')).toBe('FR7630006000011234567890189');
    expect(get(settlement, 'ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID')).toBe('AGRIFRPP');
    expect(get(settlement, 'ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString')).toEqual({ '#text': '20260401', '@format': '102' });
    expect(get(settlement, 'ram:SpecifiedTradePaymentTerms/ram:Description')).toContain('30 jours');
  });

  it('When no Chorus code is given, then BT-10, BT-13 and BT-12 are absent rather than empty', () => {
    const { agreement } = parseCii(caseOf('one-line').xml);
    expect(get(agreement, 'ram:BuyerReference')).toBeUndefined();
    expect(get(agreement, 'ram:BuyerOrderReferencedDocument')).toBeUndefined();
    expect(get(agreement, 'ram:ContractReferencedDocument')).toBeUndefined();
    // Never a placeholder engagement such as "NA".
    expect(caseOf('one-line').xml).not.toContain('>NA<');
  });

  it('When payment is by cheque, then BT-81 is still present, as code 20, without an account', () => {
    const { settlement } = parseCii(caseOf('cheque').xml);
    expect(get(settlement, 'ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode')).toBe('20');
    expect(get(settlement, 'ram:SpecifiedTradeSettlementPaymentMeans/ram:PayeePartyCreditorFinancialAccount')).toBeUndefined();
  });

  it('When an invoice has many lines at four rates, then the XML totals are those of domain/money.ts', () => {
    const input = INVOICE_CASES.find((c) => c.name === 'multi-rate-many-lines')!.input;
    const expected = computeInvoiceTotals(input.lines);
    const { root, settlement } = parseCii(caseOf('multi-rate-many-lines').xml);
    const items = get(root, 'rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem') as unknown[];
    expect(items).toHaveLength(48);
    expect(items.map((i) => get(i, 'ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount'))).toEqual(expected.lines.map((l) => l.totalHT));
    const taxes = (get(settlement, 'ram:ApplicableTradeTax') as unknown[]).map((t) => [get(t, 'ram:RateApplicablePercent'), get(t, 'ram:BasisAmount'), get(t, 'ram:CalculatedAmount'), get(t, 'ram:CategoryCode')]);
    expect(taxes).toEqual(expected.vatBreakdown.map((v) => [v.rate, v.base, v.tax, 'S']));
    expect(expected.vatBreakdown.map((v) => v.rate)).toEqual(['2.1', '5.5', '10', '20']);
    const sum = get(settlement, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation');
    expect(get(sum, 'ram:LineTotalAmount')).toBe(expected.lineNetTotal);
    expect(get(sum, 'ram:TaxBasisTotalAmount')).toBe(expected.totals.ht);
    expect(get(sum, 'ram:TaxTotalAmount')).toEqual({ '#text': expected.totals.tva, '@currencyID': 'EUR' });
    expect(get(sum, 'ram:GrandTotalAmount')).toBe(expected.totals.ttc);
    expect(get(sum, 'ram:DuePayableAmount')).toBe(expected.amountDue);
  });

  it('When a price has 4 decimals, then it is sent per 100 units (BT-149) with the same value', () => {
    const { root } = parseCii(caseOf('decimal-quantities-kg').xml);
    const comte = (get(root, 'rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem') as unknown[])[1];
    expect(get(comte, 'ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice')).toEqual({ 'ram:ChargeAmount': '2445.75', 'ram:BasisQuantity': { '#text': '100', '@unitCode': 'KGM' } });
    expect(get(comte, 'ram:SpecifiedLineTradeDelivery/ram:BilledQuantity')).toEqual({ '#text': '0.125', '@unitCode': 'KGM' });
    expect(get(comte, 'ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount')).toBe('3.06'); // 3.0571875
  });

  it('When the legal mentions are written, then each is its own note with its subject code (PMD, PMT, AAB)', () => {
    const publicNotes = get(parseCii(caseOf('one-line').xml).root, 'rsm:ExchangedDocument/ram:IncludedNote') as Record<string, string>[];
    expect(publicNotes.map((n) => n['ram:SubjectCode'])).toEqual(['PMD', 'PMT', 'AAB']);
    expect(publicNotes[0]?.['ram:Content']).toContain('R2192-31 du code de la commande publique');
    expect(publicNotes[1]?.['ram:Content']).toMatch(/indemnité forfaitaire pour frais de recouvrement de 40\s€/i);
    const privateNotes = get(parseCii(caseOf('private-buyer').xml).root, 'rsm:ExchangedDocument/ram:IncludedNote') as Record<string, string>[];
    expect(privateNotes[0]?.['ram:Content']).toContain('L441-10 du code de commerce');
  });

  it('When the seller has no VAT number and sells at 0 %, then lines are "not subject to VAT" (O) with the art. 293 B mention', () => {
    const { agreement, settlement } = parseCii(caseOf('seller-not-subject-to-vat').xml);
    const [tax] = get(settlement, 'ram:ApplicableTradeTax') as Record<string, unknown>[];
    expect(tax).toMatchObject({ 'ram:CategoryCode': 'O', 'ram:BasisAmount': '118.80', 'ram:CalculatedAmount': '0.00', 'ram:ExemptionReason': 'TVA non applicable, art. 293 B du CGI' });
    expect(tax?.['ram:RateApplicablePercent']).toBeUndefined();
    expect(get(agreement, 'ram:SellerTradeParty/ram:SpecifiedTaxRegistration')).toBeUndefined();
  });

  it('When the producer states a VAT exemption (franchise en base), then lines are exempt (E) with his mention as BT-120, and his SIREN as tax registration', () => {
    const { root, agreement, settlement } = parseCii(caseOf('exempt-seller').xml);
    const [tax] = get(settlement, 'ram:ApplicableTradeTax') as Record<string, unknown>[];
    expect(tax).toMatchObject({ 'ram:CategoryCode': 'E', 'ram:BasisAmount': '198.00', 'ram:CalculatedAmount': '0.00', 'ram:ExemptionReason': 'TVA non applicable, art. 293 B du CGI' });
    const items = get(root, 'rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem') as unknown[];
    for (const item of items) expect(get(item, 'ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/0/ram:CategoryCode')).toBe('E');
    expect(get(agreement, 'ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID')).toEqual({ '#text': SELLER.siret.slice(0, 9), '@schemeID': 'FC' });
  });
});

describe('Factur-X credit note (avoir) and replacement invoice', () => {
  it('When a credit note is written, then it is type 381 with BT-25/BT-26 to the invoice it cancels, the same amounts stated positive, and no payment means', () => {
    const { root, settlement } = parseCii(caseOf('credit-note').xml);
    const invoice = parseCii(caseOf('one-line').xml);
    expect(get(root, 'rsm:ExchangedDocument/ram:TypeCode')).toBe('381');
    expect(get(root, 'rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID')).toBe('A1');
    expect(get(settlement, 'ram:InvoiceReferencedDocument/ram:IssuerAssignedID')).toBe('AGL-2026-000001');
    expect(get(settlement, 'ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString/#text')).toBe('20260302');
    expect(get(settlement, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation')).toEqual(get(invoice.settlement, 'ram:SpecifiedTradeSettlementHeaderMonetarySummation'));
    expect(get(settlement, 'ram:ApplicableTradeTax')).toEqual(get(invoice.settlement, 'ram:ApplicableTradeTax'));
    expect(get(settlement, 'ram:SpecifiedTradeSettlementPaymentMeans')).toBeUndefined();
    const notes = get(root, 'rsm:ExchangedDocument/ram:IncludedNote') as Record<string, string>[];
    expect(notes.map((n) => n['ram:SubjectCode'])).toEqual(['AAI', 'PMD', 'PMT', 'AAB']);
    expect(notes[0]?.['ram:Content']).toContain('AGL-2026-000001 du 02/03/2026');
  });

  it('When a person reads the credit note, then it says AVOIR, the invoice it cancels, and what is owed', () => {
    const text = pdfText(caseOf('credit-note').file);
    for (const m of ['AVOIR', 'Avoir n° : AGL-2026-000009', 'Facture annulée : AGL-2026-000001 du 02/03/2026', 'Total avoir 26,38 €', 'Avoir annulant en totalité la facture n° AGL-2026-000001', "aucun paiement n'est dû", 'Avoir AGL-2026-000009']) {
      expect(text).toContain(m);
    }
    expect(text).not.toContain('IBAN');
    expect(text).not.toContain("Date d'échéance");
    expect(caseOf('credit-note').filename).toBe('avoir-AGL-2026-000009.pdf');
  });

  it('When a replacement invoice is written, then it stays a 380 invoice that says "annule et remplace" with BT-25 to the cancelled one', () => {
    const r = caseOf('replacement-invoice');
    const { root, settlement } = parseCii(r.xml);
    expect(get(root, 'rsm:ExchangedDocument/ram:TypeCode')).toBe('380');
    expect(get(settlement, 'ram:InvoiceReferencedDocument/ram:IssuerAssignedID')).toBe('AGL-2026-000001');
    expect(get(settlement, 'ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode')).toBe('30');
    const text = pdfText(r.file);
    expect(text).toContain('Remplace la facture : AGL-2026-000001 du 02/03/2026');
    expect(text).toContain('Annule et remplace la facture n° AGL-2026-000001 du 02/03/2026');
  });

  it('When the shipped example (documents/examples/credit-note.json) is rendered, then it is the committed credit-note.pdf, byte for byte', () => {
    expect(caseOf('example-credit-note').pdf.equals(fs.readFileSync(`${CREDIT_NOTE_EXAMPLE}.pdf`))).toBe(true);
  });

  it('When a credit note has no preceding invoice, then it is refused on precedingInvoice', () => {
    expect(() => parseInvoiceDocumentInput(baseInput({ documentType: 'CREDIT_NOTE' }))).toThrow(/precedingInvoice: required for a credit note/);
  });
});

describe('Factur-X PDF', () => {
  it('When the PDF is opened, then it embeds factur-x.xml (the same XML) and only embedded DejaVu fonts', () => {
    const r = caseOf('service-and-engagement-codes');
    expect(tool('pdfdetach', ['-list', r.file])).toContain('factur-x.xml');
    const extracted = path.join(workDir, 'extracted.xml');
    tool('pdfdetach', ['-save', '1', '-o', extracted, r.file]);
    expect(fs.readFileSync(extracted, 'utf8')).toBe(r.xml);
    const fonts = tool('pdffonts', [r.file]).trim().split('\n').slice(2);
    expect(fonts.length).toBeGreaterThanOrEqual(2);
    for (const font of fonts) {
      expect(font).toMatch(/DejaVuSans/);
      expect(font).toMatch(/\byes\s+yes\s+yes\b/); // embedded, subset, unicode map
    }
  });

  it('When a person reads the invoice, then every legal mention is there in French', () => {
    const text = pdfText(caseOf('service-and-engagement-codes').file);
    const mentions = [
      'FACTURE',
      'Facture n° : AGL-2026-000004',
      "Date d'émission : 02/03/2026",
      'Date de livraison : 27/02/2026',
      "Date d'échéance : 01/04/2026",
      'GAEC des Prés Fleuris',
      'Lieu-dit Les Granges',
      '15000 Aurillac',
      'SIRET : 812 345 676 00017',
      'N° TVA intracommunautaire : FR19812345676',
      'Collège Jean Monnet',
      '12 avenue de la République',
      'SIRET : 211 500 145 00019',
      'N° TVA intracommunautaire : FR70211500145',
      'Code service : RESTAURATION',
      "N° d'engagement juridique : EJ-2026-000731",
      'N° de marché : MAPA-2025-14',
      'Désignation',
      'Quantité',
      'PU HT',
      'Total HT',
      'Pommes Golden 12,35 kg 2,40 € 5,5 % 29,64 €',
      'Panier garni 1 colis 15,00 € 20 % 15,00 €',
      '5,5 % 99,24 € 5,46 €',
      '20 % 15,00 € 3,00 €',
      'Total HT 114,24 €',
      'Total TVA 8,46 €',
      'Total TTC 122,70 €',
      'Net à payer 122,70 €',
      "Paiement à 30 jours, date d'échéance le 01/04/2026.",
      'Mode de paiement : virement bancaire',
      'IBAN : FR76 3000 6000 0112 3456 7890 189',
      'BIC : AGRIFRPP',
      'Pénalités de retard',
      'majoré de 8 points',
      'Indemnité forfaitaire pour frais de recouvrement de 40 €',
      "aucun escompte n'est accordé pour paiement anticipé",
      "Nature de l'opération : livraison de biens",
      'Page 1/1',
    ];
    const missing = mentions.filter((m) => !text.includes(m));
    expect({ missing, text: missing.length > 0 ? text : '' }).toEqual({ missing: [], text: '' });
    expect(text).not.toContain('293 B');
  });

  it('When payment is by cheque or the seller has no VAT number, then the page says so', () => {
    expect(pdfText(caseOf('cheque').file)).toContain("Chèque à l'ordre de GAEC des Prés Fleuris, à adresser à : Lieu-dit Les Granges, Route de Vic, 15000 Aurillac");
    const noVat = pdfText(caseOf('seller-not-subject-to-vat').file);
    expect(noVat).toContain('TVA non applicable, art. 293 B du CGI');
    expect(noVat).not.toContain('N° TVA intracommunautaire : FR');
    expect(noVat).toContain('Total TVA 0,00 €');
    const exempt = pdfText(caseOf('exempt-seller').file);
    expect(exempt).toContain('TVA non applicable, art. 293 B du CGI');
    expect(exempt).toContain('Pas de numéro de TVA intracommunautaire');
  });

  it('When names are long and accented, then they are printed whole, accents intact', () => {
    const text = pdfText(caseOf('long-names-accents').file, 'raw');
    for (const phrase of ['« Les Maraîchers Réunis de la Haute-Vallée', 'Œuvre & Cœur', 'Lycée Polyvalent Hôtelier « François-Rabelais »', 'Saint-Étienne-du-Rouvray', 'conditionnées en plateaux alvéolés de 2,5 kg', 'Œufs frais']) {
      expect(text).toContain(phrase);
    }
  });

  it('When an invoice has 48 lines, then it spans pages, each with its footer, and the totals come after the last line', () => {
    const r = caseOf('multi-rate-many-lines');
    const pages = Number(/Pages:\s+(\d+)/.exec(tool('pdfinfo', [r.file]))?.[1]);
    expect(pages).toBeGreaterThan(1);
    const text = pdfText(r.file);
    for (let p = 1; p <= pages; p++) expect(text).toContain(`Page ${p}/${pages}`);
    expect(text.indexOf('(lot 48)')).toBeLessThan(text.indexOf('Net à payer'));
    // The table header is repeated on the page the table continues on.
    expect(text.split('Désignation').length - 1).toBe(2);
  });

  it('When the first page is rasterised, then it is a readable, non-blank A4 image', () => {
    const r = caseOf('long-names-accents');
    const prefix = path.join(workDir, 'page');
    tool('pdftoppm', ['-r', '90', '-png', '-f', '1', '-l', '1', '-singlefile', r.file, prefix]);
    const png = fs.readFileSync(`${prefix}.png`);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // Width x height from the IHDR chunk: A4 (595 x 842 pt) at 90 dpi.
    expect(Math.abs(png.readUInt32BE(16) - 744)).toBeLessThanOrEqual(2);
    expect(Math.abs(png.readUInt32BE(20) - 1052)).toBeLessThanOrEqual(2);
    expect(png.length).toBeGreaterThan(40_000);
  });

  it('When the same invoice is rendered twice, then the bytes are identical; another number gives another document', async () => {
    const input = baseInput();
    const [a, b, c] = await Promise.all([renderFacturX(input), renderFacturX(input), renderFacturX({ ...input, number: 'AGL-2026-000099' })]);
    expect(a.pdf.equals(b.pdf)).toBe(true);
    expect(a.xml).toBe(b.xml);
    expect(a.pdf.equals(c.pdf)).toBe(false);
    expect(a.filename).toBe('facture-AGL-2026-000001.pdf');
  });
});

describe('invoice document input', () => {
  const refusal = async (input: unknown) =>
    renderFacturX(input as never).then(
      () => [],
      (e: unknown) => {
        if (e instanceof InvoiceDocumentError) return e.issues;
        throw e;
      },
    );

  it('When VAT is charged but the seller has no VAT number, then it is refused on seller.vatNumber (no "293 B" invoice with VAT)', async () => {
    const issues = await refusal(baseInput({ seller: { ...SELLER, vatNumber: null } }));
    expect(issues).toEqual([expect.objectContaining({ path: 'seller.vatNumber' })]);
  });

  it('When a seller who states a VAT exemption has a line with VAT, then that line\'s rate is refused (an exempt seller charges no VAT)', async () => {
    const exempt = { ...SELLER, vatNumber: null, vatExemptionMention: 'TVA non applicable, art. 293 B du CGI' };
    const lines = [
      { lineId: '1', label: 'Miel', unit: 'pot', quantity: '1', unitPriceHT: '6', vatRate: '0' },
      { lineId: '2', label: 'Bière', unit: 'bouteille', quantity: '1', unitPriceHT: '2', vatRate: '20' },
    ];
    expect(await refusal(baseInput({ seller: exempt, lines }))).toEqual([expect.objectContaining({ path: 'lines[1].vatRate' })]);
  });

  it('When a seller with a VAT number sells at 0 % without a legal ground, then vatExemptionNote is asked for', async () => {
    const zero = baseInput({ lines: [{ lineId: '1', label: 'Don', unit: 'kg', quantity: '1', unitPriceHT: '1', vatRate: '0' }] });
    expect(await refusal(zero)).toEqual([expect.objectContaining({ path: 'vatExemptionNote' })]);
    const withNote = await renderFacturX({ ...zero, vatExemptionNote: 'Exonération de TVA, art. 261 du CGI' });
    expect(withNote.xml).toContain('<ram:CategoryCode>E</ram:CategoryCode>');
  });

  it('When fields are wrong, then every issue is listed with its path', async () => {
    const bad = {
      ...baseInput(),
      number: 'AGL-2026-0000000000001',
      dueDate: '2026-02-30',
      seller: { ...SELLER, siret: '123' },
      lines: [
        { lineId: '1', label: 'a', unit: 'kg', quantity: '1,5', unitPriceHT: '2', vatRate: '5.5' },
        { lineId: '1', label: 'b', unit: 'kg', quantity: '1', unitPriceHT: '2.12345', vatRate: '5.5' },
      ],
      paymentMethod: { type: 'VIREMENT', iban: 'nope' },
    };
    const paths = (await refusal(bad)).map((i) => i.path).sort();
    expect(paths).toEqual(['dueDate', 'lines[0].quantity', 'lines[1].lineId', 'lines[1].unitPriceHT', 'number', 'paymentMethod.iban', 'seller.siret']);
    expect(() => parseInvoiceDocumentInput({})).toThrow(/issueDate: required/);
  });
});
