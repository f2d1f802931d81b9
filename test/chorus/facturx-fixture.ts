/**
 * Minimal Factur-X test files: a CII (EN 16931) XML with exactly the terms the sandbox reads, attached as
 * `factur-x.xml` to a one-page PDF with pdf-lib. Not a conformant PDF/A-3 (the real generator lives in
 * documents/); enough for what Chorus Pro checks.
 */
import { AFRelationship, PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { SANDBOX_SEEDS } from '../../chorus-sandbox';

export interface InvoiceFixture {
  numeroFacture: string;
  /** BT-2 as YYYYMMDD (format 102). */
  issueDate?: string;
  typeCode?: string;
  /** null: no SIRET in the XML. */
  sellerSiret?: string | null;
  buyerSiret?: string | null;
  /** BT-10, the service code. */
  buyerReference?: string;
  /** BT-13, the commitment number. */
  engagement?: string;
  /** BT-12, the contract number. */
  contract?: string;
  /** BT-81; null leaves the payment means block out. */
  paymentMeansCode?: string | null;
  grandTotal?: string;
  /** BT-23, the cadre de facturation (default A1). */
  cadre?: string;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function ciiXml(f: InvoiceFixture): string {
  const seller = f.sellerSiret === undefined ? SANDBOX_SEEDS.suppliers.primary.siret : f.sellerSiret;
  const buyer = f.buyerSiret === undefined ? SANDBOX_SEEDS.buyers.noRequirement.siret : f.buyerSiret;
  const paymentMeans = f.paymentMeansCode === undefined ? '30' : f.paymentMeansCode;
  const total = f.grandTotal ?? '120.00';
  const legalOrg = (siret: string | null) =>
    siret === null ? '' : `<ram:SpecifiedLegalOrganization><ram:ID schemeID="0002">${siret}</ram:ID></ram:SpecifiedLegalOrganization>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
  xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
  xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
  xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>${f.cadre ?? 'A1'}</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>${escapeXml(f.numeroFacture)}</ram:ID>
    <ram:TypeCode>${f.typeCode ?? '380'}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">${f.issueDate ?? '20250115'}</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>Pommes de terre</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>2.00</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="KGM">50</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>5.5</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>100.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      ${f.buyerReference === undefined ? '' : `<ram:BuyerReference>${escapeXml(f.buyerReference)}</ram:BuyerReference>`}
      <ram:SellerTradeParty><ram:Name>EARL FERME DES TROIS CHENES</ram:Name>${legalOrg(seller)}</ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>ACHETEUR PUBLIC</ram:Name>${legalOrg(buyer)}</ram:BuyerTradeParty>
      ${f.engagement === undefined ? '' : `<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>${escapeXml(f.engagement)}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>`}
      ${f.contract === undefined ? '' : `<ram:ContractReferencedDocument><ram:IssuerAssignedID>${escapeXml(f.contract)}</ram:IssuerAssignedID></ram:ContractReferencedDocument>`}
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      ${paymentMeans === null ? '' : `<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>${paymentMeans}</ram:TypeCode></ram:SpecifiedTradeSettlementPaymentMeans>`}
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>100.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>100.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">5.50</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>${total}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>${total}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
`;
}

export interface PdfOptions {
  /** Name of the embedded file (default factur-x.xml). */
  attachmentName?: string;
  /** Raw XML instead of the one built from the fixture. */
  xml?: string;
  /** Drop the catalog's /Names tree so that only the /AF array points at the file. */
  onlyAssociatedFiles?: boolean;
  /** No embedded file at all (a plain PDF). */
  noAttachment?: boolean;
}

export async function facturxPdf(fixture: InvoiceFixture, options: PdfOptions = {}): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage([595, 842]).drawText(`Facture ${fixture.numeroFacture}`, { x: 50, y: 780, size: 14, font });
  if (!options.noAttachment) {
    await doc.attach(Buffer.from(options.xml ?? ciiXml(fixture), 'utf8'), options.attachmentName ?? 'factur-x.xml', {
      mimeType: 'text/xml',
      description: 'Factur-X invoice',
      afRelationship: AFRelationship.Data,
    });
  }
  if (options.onlyAssociatedFiles) {
    // attach() registers the file at save time; save once, reload, then remove the name tree.
    const reloaded = await PDFDocument.load(await doc.save());
    reloaded.catalog.delete(PDFName.of('Names'));
    return Buffer.from(await reloaded.save());
  }
  return Buffer.from(await doc.save());
}

let counter = 0;
/** A fresh invoice number (max 20 characters, as Chorus wants). */
export function nextInvoiceNumber(prefix = 'T'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36).slice(-6)}-${counter}`.slice(0, 20);
}
