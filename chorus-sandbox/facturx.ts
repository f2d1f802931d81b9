/**
 * Reads what Chorus Pro reads in a deposited file: the CII XML (EN 16931) embedded as `factur-x.xml` in a
 * Factur-X PDF, or a bare CII XML for `IN_DP_E1_CII_16B`. Anything unreadable is a `FlowIncident`, which turns
 * the flow IN_INCIDENTE with a `listeErreurTechnique` entry.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFRawStream,
  PDFString,
  decodePDFRawStream,
  type PDFObject,
} from 'pdf-lib';

export const FACTURX_FILENAME = 'factur-x.xml';

/** One `listeErreurTechnique` entry: codes shaped like Chorus's (`ERR_XSD_001`, "IRRECEVABILITE: …"). */
export class FlowIncident extends Error {
  override readonly name = 'FlowIncident';
  constructor(
    readonly codeErreur: string,
    readonly libelleErreur: string,
    readonly natureErreur: 'IRRECEVABILITE' | 'TECHNIQUE' = 'IRRECEVABILITE',
  ) {
    super(libelleErreur);
  }
}

/** The EN 16931 terms the sandbox checks, as strings verbatim from the XML (undefined when absent or empty). */
export interface CiiInvoice {
  /** BT-1 ExchangedDocument/ID */
  numeroFacture: string | undefined;
  /** BT-3 */
  typeCode: string | undefined;
  /** BT-23 BusinessProcessSpecifiedDocumentContextParameter/ID: the cadre de facturation (A1, A2…) */
  cadreFacturation: string | undefined;
  /** BT-25 InvoiceReferencedDocument/IssuerAssignedID: a credit note's original invoice (numeroFactureOrigine) */
  numeroFactureOrigine: string | undefined;
  /** BT-2, as YYYY-MM-DD when the format is 102 */
  dateFacture: string | undefined;
  /** BT-30 SellerTradeParty/SpecifiedLegalOrganization/ID with schemeID 0002 */
  siretFournisseur: string | undefined;
  sellerName: string | undefined;
  /** BT-47 BuyerTradeParty/SpecifiedLegalOrganization/ID with schemeID 0002 */
  siretDestinataire: string | undefined;
  buyerName: string | undefined;
  /** BT-10 BuyerReference: the service code (service exécutant) */
  codeService: string | undefined;
  /** BT-13 BuyerOrderReferencedDocument/IssuerAssignedID: the commitment (engagement juridique) */
  numeroEngagement: string | undefined;
  /** BT-12 ContractReferencedDocument/IssuerAssignedID: the contract (numéro de marché) */
  numeroMarche: string | undefined;
  /** BT-81 SpecifiedTradeSettlementPaymentMeans/TypeCode, every non-empty one */
  paymentMeansCodes: string[];
  currency: string | undefined;
  /** BT-109, BT-112, BT-115 */
  taxBasisTotal: string | undefined;
  grandTotal: string | undefined;
  duePayable: string | undefined;
}

// --------------------------------------------------------------------------------------------------- PDF

/** Embedded-file name trees can nest; real files have one level, hostile ones could loop. */
const MAX_NAME_TREE_DEPTH = 10;

export async function extractFacturXml(file: Uint8Array): Promise<string> {
  if (!looksLikePdf(file)) {
    throw new FlowIncident('ERR_FORMAT_001', "IRRECEVABILITE: le fichier depose n'est pas un PDF (en-tete %PDF- absent).");
  }
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(file, { ignoreEncryption: true, updateMetadata: false, throwOnInvalidObject: false });
  } catch (error) {
    throw new FlowIncident('ERR_FORMAT_002', `IRRECEVABILITE: le PDF est illisible (${errorText(error)}).`);
  }
  const specs = [...embeddedFileSpecs(doc), ...associatedFileSpecs(doc)];
  const spec = specs.find((candidate) => fileSpecName(candidate)?.toLowerCase() === FACTURX_FILENAME);
  if (!spec) {
    throw new FlowIncident(
      'ERR_FACTURX_001',
      `IRRECEVABILITE: le PDF ne contient pas de fichier ${FACTURX_FILENAME} (Factur-X attendu pour la syntaxe IN_DP_E2_CII_FACTURX).`,
    );
  }
  const stream = fileSpecStream(spec);
  if (!stream) {
    throw new FlowIncident('ERR_FACTURX_002', `IRRECEVABILITE: le fichier ${FACTURX_FILENAME} embarque est vide ou illisible.`);
  }
  try {
    return Buffer.from(decodePDFRawStream(stream).decode()).toString('utf8');
  } catch (error) {
    throw new FlowIncident('ERR_FACTURX_002', `IRRECEVABILITE: le flux ${FACTURX_FILENAME} ne peut etre decode (${errorText(error)}).`);
  }
}

function looksLikePdf(file: Uint8Array): boolean {
  // The header may follow a few garbage bytes (ISO 32000 tolerates it within the first 1024).
  return Buffer.from(file.subarray(0, 1024)).includes('%PDF-');
}

/** File specifications of the catalog's /Names /EmbeddedFiles name tree. */
function embeddedFileSpecs(doc: PDFDocument): PDFDict[] {
  const names = doc.catalog.lookupMaybe(PDFName.of('Names'), PDFDict);
  const root = names?.lookupMaybe(PDFName.of('EmbeddedFiles'), PDFDict);
  const found: PDFDict[] = [];
  const walk = (node: PDFDict, depth: number): void => {
    if (depth > MAX_NAME_TREE_DEPTH) return;
    const pairs = node.lookupMaybe(PDFName.of('Names'), PDFArray);
    if (pairs) {
      for (let i = 1; i < pairs.size(); i += 2) {
        const value = pairs.lookup(i);
        if (value instanceof PDFDict) found.push(value);
      }
    }
    const kids = node.lookupMaybe(PDFName.of('Kids'), PDFArray);
    if (kids) {
      for (let i = 0; i < kids.size(); i++) {
        const kid = kids.lookup(i);
        if (kid instanceof PDFDict) walk(kid, depth + 1);
      }
    }
  };
  if (root) walk(root, 0);
  return found;
}

/** File specifications of the catalog's /AF array (PDF/A-3 associated files). */
function associatedFileSpecs(doc: PDFDocument): PDFDict[] {
  const af = doc.catalog.lookupMaybe(PDFName.of('AF'), PDFArray);
  const found: PDFDict[] = [];
  if (!af) return found;
  for (let i = 0; i < af.size(); i++) {
    const spec = af.lookup(i);
    if (spec instanceof PDFDict) found.push(spec);
  }
  return found;
}

function fileSpecName(spec: PDFDict): string | undefined {
  for (const key of ['UF', 'F']) {
    const value: PDFObject | undefined = spec.lookup(PDFName.of(key));
    if (value instanceof PDFString || value instanceof PDFHexString) return value.decodeText();
  }
  return undefined;
}

function fileSpecStream(spec: PDFDict): PDFRawStream | undefined {
  const ef = spec.lookupMaybe(PDFName.of('EF'), PDFDict);
  if (!ef) return undefined;
  for (const key of ['F', 'UF']) {
    const stream = ef.lookup(PDFName.of(key));
    if (stream instanceof PDFRawStream) return stream;
  }
  return undefined;
}

// --------------------------------------------------------------------------------------------------- XML

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  // Invoice numbers like "00042" must stay strings.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

export function readCiiInvoice(xml: string): CiiInvoice {
  const validation = XMLValidator.validate(xml);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw new FlowIncident('ERR_XSD_001', `IRRECEVABILITE: ${msg} - ligne: ${line} - position: ${col}`);
  }
  let parsed: unknown;
  try {
    parsed = parser.parse(xml);
  } catch (error) {
    throw new FlowIncident('ERR_XSD_001', `IRRECEVABILITE: ${errorText(error)}`);
  }
  const root = child(parsed, 'CrossIndustryInvoice');
  if (!root) {
    throw new FlowIncident('ERR_XSD_002', "IRRECEVABILITE: l'element racine rsm:CrossIndustryInvoice est absent.");
  }
  const document = child(root, 'ExchangedDocument');
  const transaction = child(root, 'SupplyChainTradeTransaction');
  const agreement = child(transaction, 'ApplicableHeaderTradeAgreement');
  const settlement = child(transaction, 'ApplicableHeaderTradeSettlement');
  const seller = child(agreement, 'SellerTradeParty');
  const buyer = child(agreement, 'BuyerTradeParty');
  const summation = child(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation');

  const context = child(root, 'ExchangedDocumentContext');
  return {
    numeroFacture: textOf(child(document, 'ID')),
    typeCode: textOf(child(document, 'TypeCode')),
    cadreFacturation: textOf(child(child(context, 'BusinessProcessSpecifiedDocumentContextParameter'), 'ID')),
    numeroFactureOrigine: textOf(child(child(settlement, 'InvoiceReferencedDocument'), 'IssuerAssignedID')),
    dateFacture: issueDate(child(child(document, 'IssueDateTime'), 'DateTimeString')),
    siretFournisseur: siretOf(seller),
    sellerName: textOf(child(seller, 'Name')),
    siretDestinataire: siretOf(buyer),
    buyerName: textOf(child(buyer, 'Name')),
    codeService: textOf(child(agreement, 'BuyerReference')),
    numeroEngagement: textOf(child(child(agreement, 'BuyerOrderReferencedDocument'), 'IssuerAssignedID')),
    numeroMarche: textOf(child(child(agreement, 'ContractReferencedDocument'), 'IssuerAssignedID')),
    paymentMeansCodes: children(settlement, 'SpecifiedTradeSettlementPaymentMeans')
      .map((means) => textOf(child(means, 'TypeCode')))
      .filter((code): code is string => code !== undefined),
    currency: textOf(child(settlement, 'InvoiceCurrencyCode')),
    taxBasisTotal: textOf(child(summation, 'TaxBasisTotalAmount')),
    grandTotal: textOf(child(summation, 'GrandTotalAmount')),
    duePayable: textOf(child(summation, 'DuePayableAmount')),
  };
}

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function children(node: unknown, name: string): unknown[] {
  if (!isNode(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function child(node: unknown, name: string): unknown {
  return children(node, name)[0];
}

/** Text of an element, whether the parser gave a bare string or `{ '#text', '@_attr' }`. */
function textOf(node: unknown): string | undefined {
  const raw = isNode(node) ? node['#text'] : node;
  if (typeof raw === 'string' || typeof raw === 'number') {
    const value = String(raw).trim();
    return value === '' ? undefined : value;
  }
  return undefined;
}

function siretOf(party: unknown): string | undefined {
  const ids = children(child(party, 'SpecifiedLegalOrganization'), 'ID');
  const siret = ids.find((id) => isNode(id) && id['@_schemeID'] === '0002');
  return textOf(siret);
}

function issueDate(node: unknown): string | undefined {
  const value = textOf(node);
  const format = isNode(node) ? node['@_format'] : undefined;
  if (value && (format === undefined || format === '102') && /^\d{8}$/.test(value)) {
    return `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}`;
  }
  return value;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
