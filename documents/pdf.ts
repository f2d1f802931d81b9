/**
 * The visual invoice (French, A4) and its Factur-X packaging, in one pdfkit pass:
 * - PDF/A-3b (pdfkit's subset: XMP pdfaid, sRGB output intent) with only DejaVu TrueType fonts, embedded and
 *   subset (PDF/A forbids the unembedded standard fonts such as Helvetica);
 * - `factur-x.xml` attached with AFRelationship /Alternative, referenced from the catalog's /AF;
 * - the Factur-X XMP extension schema (fx:DocumentType, DocumentFileName, Version, ConformanceLevel "EN 16931").
 * Every date written comes from the invoice (issue date), never from the clock: the same input gives the same bytes,
 * so a retried activity stores an identical document (same sha256).
 */
import { readFileSync } from 'node:fs';
import { create as createFont, type Font } from 'fontkit';
import PDFDocument from 'pdfkit';
import type { Address } from '../domain/party';
import { formatEuros, NBSP } from '../domain/format';
import { formatDate, formatQuantity, formatRate, formatSiret, formatUnitPrice } from './format';
import type { PreparedInvoice } from './invoice-model';
import { documentTitle, OPERATION_CATEGORY_TEXT, paymentMeansText } from './legal-mentions';

const REGULAR = 'DejaVuSans';
const BOLD = 'DejaVuSans-Bold';

/**
 * The two fonts, parsed once per process. Given a path, pdfkit parses the file again for every document, and fontkit
 * then decodes the layout tables (GSUB/GPOS) again: that was most of the CPU of an invoice. A fontkit font is a
 * read-only source (each document still embeds its own subset), and pdfkit accepts one where a path goes.
 */
let fonts: { regular: PDFKit.Mixins.PDFFontSource; bold: PDFKit.Mixins.PDFFontSource } | undefined;

function loadFont(file: string): PDFKit.Mixins.PDFFontSource {
  const font = createFont(readFileSync(require.resolve(file)));
  if (!('layout' in font)) throw new Error(`${file} is a font collection, not one font`);
  // pdfkit 0.20 takes a fontkit font (anything with `layout`); @types/pdfkit lists only paths and buffers.
  return font satisfies Font as unknown as PDFKit.Mixins.PDFFontSource;
}

function dejaVu(): NonNullable<typeof fonts> {
  fonts ??= { regular: loadFont('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'), bold: loadFont('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf') };
  return fonts;
}

export const FACTURX_FILENAME = 'factur-x.xml';
export const FACTURX_CONFORMANCE_LEVEL = 'EN 16931';

const MARGIN = 40;
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
/** Room kept at the bottom of every page for the footer. */
const FOOTER_HEIGHT = 28;
const BOTTOM = PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT;

const INK = '#1a1a1a';
const MUTED = '#5a5a5a';
const RULE = '#b8b8b8';
const SHADE = '#eef2ea';

type Doc = PDFKit.PDFDocument;

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
}
const COLUMNS: Column[] = [
  { title: 'Désignation', width: 200, align: 'left' },
  { title: 'Quantité', width: 60, align: 'right' },
  { title: 'Unité', width: 55, align: 'left' },
  { title: 'PU HT', width: 70, align: 'right' },
  { title: 'TVA', width: 45, align: 'right' },
  { title: 'Total HT', width: 85, align: 'right' },
];
const CELL_PAD = 4;

function addressLines(a: Address): string[] {
  return [a.line1, a.line2 ?? '', `${a.postalCode} ${a.city}`, a.country && a.country !== 'FR' ? a.country : ''].filter((l) => l !== '');
}

/** Moves to a new page when `height` does not fit; returns the y to draw at. */
function ensureRoom(doc: Doc, y: number, height: number, onNewPage?: (y: number) => number): number {
  if (y + height <= BOTTOM) return y;
  doc.addPage();
  return onNewPage ? onNewPage(MARGIN) : MARGIN;
}

function drawHeader(doc: Doc, p: PreparedInvoice): number {
  const { input } = p;
  const title = documentTitle(input);
  const creditNote = input.documentType === 'CREDIT_NOTE';
  doc.font(BOLD).fontSize(24).fillColor(INK).text(title.toUpperCase(), MARGIN, MARGIN, { lineBreak: false });
  doc.font(REGULAR).fontSize(9).fillColor(MUTED).text(`${title} électronique Factur-X (EN 16931)`, MARGIN, MARGIN + 30, { lineBreak: false });
  const preceding = input.precedingInvoice;

  const labelWidth = 112;
  const valueWidth = 138;
  const boxX = MARGIN + CONTENT_WIDTH - labelWidth - valueWidth;
  const rows: [string, string][] = [
    [`${title} n°`, input.number],
    ["Date d'émission", formatDate(input.issueDate)],
    ...(preceding ? [[creditNote ? 'Facture annulée' : 'Remplace la facture', `${preceding.number} du ${formatDate(preceding.issueDate)}`] as [string, string]] : []),
    ['Date de livraison', formatDate(input.deliveryDate)],
    ...(creditNote ? [] : [["Date d'échéance", formatDate(input.dueDate)] as [string, string]]),
    ['Commande Agrilocal', input.orderId],
  ];
  let y = MARGIN;
  for (const [label, value] of rows) {
    doc.font(REGULAR).fontSize(9).fillColor(MUTED).text(`${label} :`, boxX, y, { width: labelWidth - 4 });
    doc.font(BOLD).fontSize(9).fillColor(INK);
    const h = doc.heightOfString(value, { width: valueWidth });
    doc.text(value, boxX + labelWidth, y, { width: valueWidth });
    y += Math.max(13, h + 2);
  }
  return Math.max(y, MARGIN + 50) + 14;
}

function drawParty(doc: Doc, title: string, lines: { text: string; bold?: boolean }[], x: number, y: number, width: number): number {
  doc.font(BOLD).fontSize(8).fillColor(MUTED).text(title.toUpperCase(), x, y, { width, characterSpacing: 0.6 });
  let cy = y + 13;
  for (const line of lines) {
    doc.font(line.bold ? BOLD : REGULAR).fontSize(line.bold ? 10.5 : 9).fillColor(INK);
    const h = doc.heightOfString(line.text, { width });
    doc.text(line.text, x, cy, { width });
    cy += h + 1.5;
  }
  return cy;
}

function drawParties(doc: Doc, p: PreparedInvoice, y: number): number {
  const { seller, buyer } = p.input;
  const width = (CONTENT_WIDTH - 30) / 2;
  const sellerLines = [
    { text: seller.name, bold: true },
    ...addressLines(seller.address).map((text) => ({ text })),
    { text: `SIRET : ${formatSiret(seller.siret)}` },
    { text: seller.vatNumber ? `N° TVA intracommunautaire : ${seller.vatNumber}` : 'Pas de numéro de TVA intracommunautaire' },
    { text: `Courriel : ${seller.email}` },
  ];
  const buyerLines = [
    { text: buyer.name, bold: true },
    ...addressLines(buyer.address).map((text) => ({ text })),
    { text: `SIRET : ${formatSiret(buyer.siret)}` },
    ...(buyer.vatNumber ? [{ text: `N° TVA intracommunautaire : ${buyer.vatNumber}` }] : []),
  ];
  const a = drawParty(doc, 'Vendeur', sellerLines, MARGIN, y, width);
  const b = drawParty(doc, 'Acheteur (facturé à)', buyerLines, MARGIN + width + 30, y, width);
  return Math.max(a, b) + 10;
}

function drawReferences(doc: Doc, p: PreparedInvoice, y: number): number {
  const { input } = p;
  const refs: [string, string][] = [];
  if (input.serviceCode) refs.push(['Code service', input.serviceCode]);
  if (input.engagementCode) refs.push(["N° d'engagement juridique", input.engagementCode]);
  if (input.marketNumber) refs.push(['N° de marché', input.marketNumber]);
  if (refs.length === 0) return y;
  const text = refs.map(([k, v]) => `${k} : ${v}`).join('    ');
  doc.font(REGULAR).fontSize(9);
  const h = doc.heightOfString(text, { width: CONTENT_WIDTH - 12 });
  doc.rect(MARGIN, y, CONTENT_WIDTH, h + 10).fill(SHADE);
  doc.fillColor(INK).text(text, MARGIN + 6, y + 5, { width: CONTENT_WIDTH - 12 });
  return y + h + 20;
}

function drawTableHeader(doc: Doc, y: number): number {
  doc.rect(MARGIN, y, CONTENT_WIDTH, 18).fill(SHADE);
  let x = MARGIN;
  doc.font(BOLD).fontSize(8.5).fillColor(INK);
  for (const c of COLUMNS) {
    doc.text(c.title, x + CELL_PAD, y + 5, { width: c.width - 2 * CELL_PAD, align: c.align, lineBreak: false });
    x += c.width;
  }
  return y + 22;
}

function drawLines(doc: Doc, p: PreparedInvoice, y: number): number {
  y = drawTableHeader(doc, ensureRoom(doc, y, 60));
  for (const line of p.lines) {
    const cells = [line.label, formatQuantity(line.quantity), line.unit, `${formatUnitPrice(line.unitPriceHT)}${NBSP}€`, formatRate(line.rate), formatEuros(line.totalHT)];
    doc.font(REGULAR).fontSize(9);
    const heights = cells.map((text, i) => doc.heightOfString(text, { width: (COLUMNS[i]?.width ?? 50) - 2 * CELL_PAD }));
    const rowHeight = Math.max(...heights) + 8;
    y = ensureRoom(doc, y, rowHeight, (top) => drawTableHeader(doc, top));
    let x = MARGIN;
    // Set again: a page break just drew the (bold) table header.
    doc.font(REGULAR).fontSize(9).fillColor(INK);
    cells.forEach((text, i) => {
      const c = COLUMNS[i];
      if (!c) return;
      doc.text(text, x + CELL_PAD, y + 4, { width: c.width - 2 * CELL_PAD, align: c.align });
      x += c.width;
    });
    y += rowHeight;
    doc.moveTo(MARGIN, y).lineTo(MARGIN + CONTENT_WIDTH, y).lineWidth(0.5).strokeColor(RULE).stroke();
  }
  return y + 12;
}

function drawTotals(doc: Doc, p: PreparedInvoice, y: number): number {
  const vatRows = p.vatBreakdown.length;
  const height = Math.max(20 + 14 * vatRows + (p.vatExemptionNote ? 16 : 0), 80);
  y = ensureRoom(doc, y, height);

  // VAT breakdown, left.
  const vx = MARGIN;
  const vw = [90, 90, 90];
  doc.rect(vx, y, vw[0]! + vw[1]! + vw[2]!, 16).fill(SHADE);
  doc.font(BOLD).fontSize(8.5).fillColor(INK);
  ['Taux de TVA', 'Base HT', 'Montant TVA'].forEach((t, i) => {
    doc.text(t, vx + vw.slice(0, i).reduce((s, w) => s + w, 0) + CELL_PAD, y + 4, { width: vw[i]! - 2 * CELL_PAD, align: i === 0 ? 'left' : 'right', lineBreak: false });
  });
  let vy = y + 20;
  doc.font(REGULAR).fontSize(9);
  for (const v of p.vatBreakdown) {
    const label = v.category === 'S' ? formatRate(v.rate) : v.category === 'O' ? 'Non soumis' : `Exonéré (${formatRate(v.rate)})`;
    [label, formatEuros(v.base), formatEuros(v.tax)].forEach((t, i) => {
      doc.text(t, vx + vw.slice(0, i).reduce((s, w) => s + w, 0) + CELL_PAD, vy, { width: vw[i]! - 2 * CELL_PAD, align: i === 0 ? 'left' : 'right', lineBreak: false });
    });
    vy += 14;
  }
  if (p.vatExemptionNote) {
    doc.font(BOLD).fontSize(9).text(p.vatExemptionNote, vx + CELL_PAD, vy + 2, { width: 270 - 2 * CELL_PAD });
    vy += doc.heightOfString(p.vatExemptionNote, { width: 270 - 2 * CELL_PAD }) + 4;
  }

  // Totals, right.
  const tx = MARGIN + CONTENT_WIDTH - 200;
  const rows: [string, string, boolean][] = [
    ['Total HT', formatEuros(p.totals.ht), false],
    ['Total TVA', formatEuros(p.totals.tva), false],
    ['Total TTC', formatEuros(p.totals.ttc), false],
    [p.input.documentType === 'CREDIT_NOTE' ? 'Total avoir' : 'Net à payer', formatEuros(p.amountDue), true],
  ];
  let ty = y;
  for (const [label, value, strong] of rows) {
    if (strong) doc.rect(tx, ty - 3, 200, 18).fill(SHADE);
    doc.font(strong ? BOLD : REGULAR).fontSize(strong ? 10.5 : 9.5).fillColor(INK);
    doc.text(label, tx + CELL_PAD, ty, { width: 100, lineBreak: false });
    doc.text(value, tx + 100, ty, { width: 100 - CELL_PAD, align: 'right', lineBreak: false });
    ty += strong ? 20 : 16;
  }
  return Math.max(vy, ty) + 14;
}

function drawParagraphs(doc: Doc, title: string, paragraphs: string[], y: number, size = 8.5): number {
  doc.font(REGULAR).fontSize(size);
  const bodyHeight = paragraphs.reduce((s, t) => s + doc.heightOfString(t, { width: CONTENT_WIDTH }) + 3, 0);
  y = ensureRoom(doc, y, Math.min(bodyHeight + 16, BOTTOM - MARGIN));
  doc.font(BOLD).fontSize(9.5).fillColor(INK).text(title, MARGIN, y, { width: CONTENT_WIDTH });
  y += 15;
  for (const text of paragraphs) {
    doc.font(REGULAR).fontSize(size).fillColor(INK);
    const h = doc.heightOfString(text, { width: CONTENT_WIDTH });
    y = ensureRoom(doc, y, h);
    doc.text(text, MARGIN, y, { width: CONTENT_WIDTH });
    y += h + 3;
  }
  return y + 10;
}

function drawFooters(doc: Doc, p: PreparedInvoice): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const y = PAGE_HEIGHT - MARGIN - 12;
    doc.moveTo(MARGIN, y - 6).lineTo(MARGIN + CONTENT_WIDTH, y - 6).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.font(REGULAR).fontSize(7.5).fillColor(MUTED);
    // Number and SIRET first: a long seller name is what gets cut.
    const left = `${documentTitle(p.input)} ${p.input.number} — SIRET ${formatSiret(p.input.seller.siret)} — ${p.input.seller.name}`;
    // Writing inside the bottom margin: keep pdfkit from breaking to a new page.
    doc.text(left, MARGIN, y, { width: CONTENT_WIDTH - 80, lineBreak: false, ellipsis: true, height: 10 });
    doc.text(`Page ${i - range.start + 1}/${range.count}`, MARGIN + CONTENT_WIDTH - 80, y, { width: 80, align: 'right', lineBreak: false });
  }
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Factur-X XMP: the extension schema declaration PDF/A needs for the fx: namespace, then its values. */
function facturXXmp(): string {
  const property = (name: string, description: string) => `
              <rdf:li rdf:parseType="Resource">
                <pdfaProperty:name>${name}</pdfaProperty:name>
                <pdfaProperty:valueType>Text</pdfaProperty:valueType>
                <pdfaProperty:category>external</pdfaProperty:category>
                <pdfaProperty:description>${xmlText(description)}</pdfaProperty:description>
              </rdf:li>`;
  return `
        <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
          <pdfaExtension:schemas>
            <rdf:Bag>
              <rdf:li rdf:parseType="Resource">
                <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
                <pdfaSchema:namespaceURI>urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#</pdfaSchema:namespaceURI>
                <pdfaSchema:prefix>fx</pdfaSchema:prefix>
                <pdfaSchema:property>
                  <rdf:Seq>${property('DocumentFileName', 'The name of the embedded XML document')}${property('DocumentType', 'The type of the hybrid document in capital letters, e.g. INVOICE or ORDER')}${property('Version', 'The actual version of the standard applying to the embedded XML document')}${property('ConformanceLevel', 'The conformance level of the embedded XML document')}
                  </rdf:Seq>
                </pdfaSchema:property>
              </rdf:li>
            </rdf:Bag>
          </pdfaExtension:schemas>
        </rdf:Description>
        <rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#">
          <fx:DocumentType>INVOICE</fx:DocumentType>
          <fx:DocumentFileName>${FACTURX_FILENAME}</fx:DocumentFileName>
          <fx:Version>1.0</fx:Version>
          <fx:ConformanceLevel>${FACTURX_CONFORMANCE_LEVEL}</fx:ConformanceLevel>
        </rdf:Description>`;
}

/** Draws the invoice and packages it with its XML as a Factur-X PDF/A-3b. */
export async function drawFacturXPdf(p: PreparedInvoice, xml: string): Promise<Buffer> {
  const documentDate = new Date(`${p.input.issueDate}T00:00:00Z`);
  const { regular, bold } = dejaVu();
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    subset: 'PDF/A-3b',
    pdfVersion: '1.7',
    lang: 'fr-FR',
    bufferPages: true,
    displayTitle: true,
    // The default font would be Helvetica (never embedded): start on DejaVu.
    font: regular as unknown as string, // pdfkit opens it like registerFont below; @types/pdfkit says path only
    // Only values without XML specials: pdfkit copies them unescaped into the XMP.
    info: { Title: `${documentTitle(p.input)} ${p.input.number}`, Creator: 'Agrilocal', Producer: 'Agrilocal - facturation Chorus Pro', CreationDate: documentDate },
  });
  doc.registerFont(REGULAR, regular);
  doc.registerFont(BOLD, bold);

  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  let y = drawHeader(doc, p);
  y = drawParties(doc, p, y);
  y = drawReferences(doc, p, y);
  y = drawLines(doc, p, y);
  y = drawTotals(doc, p, y);
  y =
    p.input.documentType === 'CREDIT_NOTE'
      ? drawParagraphs(doc, 'Règlement', [p.paymentTerms], y, 9)
      : drawParagraphs(doc, 'Conditions de paiement', [p.paymentTerms, ...paymentMeansText(p.input)], y, 9);
  drawParagraphs(doc, 'Mentions légales', [...p.notes.map((n) => n.text), OPERATION_CATEGORY_TEXT], y);
  drawFooters(doc, p);

  // pdfkit 0.20 supports `relationship` (written as /AFRelationship); @types/pdfkit 0.17 does not know it yet.
  const attachment: PDFKit.Mixins.PDFAttachmentOptions & { relationship: 'Alternative' } = {
    name: FACTURX_FILENAME,
    type: 'text/xml',
    relationship: 'Alternative',
    description: `Factur-X ${FACTURX_CONFORMANCE_LEVEL} ${p.input.documentType === 'CREDIT_NOTE' ? "de l'avoir" : 'de la facture'} ${p.input.number}`,
    creationDate: documentDate,
    modifiedDate: documentDate,
  };
  doc.file(Buffer.from(xml, 'utf8'), attachment);
  doc.appendXML(facturXXmp());
  doc.end();
  return finished;
}
