/**
 * The producer's web space in a real browser (Debian's chromium through playwright-core) on the real stack: the
 * API process's pages, the workflow on Temporal, the Chorus sandbox moving invoices, PostgreSQL. Each page is
 * checked with axe-core and saved as a screenshot under test-output/screenshots.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { LoginLink, Producer, WebSession } from '../../db/entities';
import { signProducerToken } from '../../api/auth';
import { digestOf } from '../../api/use-cases/sessions';
import { startTestStack, type TestStack } from '../support/stack';
import { createOrder, sandboxControl, setUpParties, validateQuantities, waitForInvoice, type Parties, type PartiesOptions } from '../support/scenario';
import { axeViolations, launchBrowser, pageFigures, screenshot } from './browser';

let stack: TestStack;
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack({ sandbox: { flowProcessingDelayMs: 50 } });
  server = await new Promise<Server>((resolve) => {
    const s = stack.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await stack?.teardown();
});

const platformKey = () => `Bearer ${stack.config.AGRILOCAL_API_KEY}`;

async function loginLink(siret: string): Promise<string> {
  const res = await request(stack.app).post(`/api/v1/producers/${siret}/login-links`).set('Authorization', platformKey());
  if (res.status !== 201) throw new Error(`login link: ${res.status} ${JSON.stringify(res.body)}`);
  const { url } = res.body as { url: string };
  // PUBLIC_APP_URL names the stack's public address; the test server listens elsewhere.
  return `${base}${new URL(url).pathname}`;
}

async function invoiced(parties: Parties, options: Parameters<typeof createOrder>[2] = {}): Promise<{ invoiceId: string; number: string }> {
  const { orderId, invoiceId } = await createOrder(stack, parties, options);
  const res = await validateQuantities(stack, orderId);
  if (res.status !== 200) throw new Error(`validation: ${res.status}`);
  return { invoiceId, number: (res.body as { number: string }).number };
}

/** A producer signed in by his link, in a browser context of his own (cookies apart). */
async function signedIn(parties: Parties, viewport = { width: 1280, height: 900 }): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, locale: 'fr-FR' });
  const page = await context.newPage();
  const res = await page.goto(await loginLink(parties.producerSiret));
  expect(res?.status()).toBe(200);
  expect(new URL(page.url()).pathname).toBe('/factures');
  return { context, page };
}

async function checkPage(page: Page, name: string): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, name);
}

/** Page weight and first paint with an empty browser cache (same session), measured, not asserted. */
async function measureCold(signedInContext: BrowserContext, url: string, name: string): Promise<void> {
  const cold = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await cold.addCookies(await signedInContext.cookies());
  const page = await cold.newPage();
  await page.goto(url);
  await page.waitForLoadState('load');
  await pageFigures(page, name);
  await cold.close();
}

async function chorusMoves(invoiceId: string, statut: string, motif?: string): Promise<void> {
  const invoice = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
  await sandboxControl(stack, 'POST', `/invoices/${invoice.chorus.identifiantFactureCPP}/status`, { statut, ...(motif ? { motif } : {}) });
}

/** The invoice page of a signed-in producer, once its workflow shows the Chorus status (the page refreshes itself). */
async function awaitOnPage(page: Page, text: string): Promise<void> {
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: 30_000 });
}

async function parties(options: PartiesOptions = {}): Promise<Parties> {
  return setUpParties(stack, options);
}

describe('Sign-in by link', () => {
  it('When the platform asks for a link, then 201 {url, expiresAt} in 15 minutes; producers may not ask; an unknown producer is 422', async () => {
    const p = await parties();
    const before = Date.now();
    const res = await request(stack.app).post(`/api/v1/producers/${p.producerSiret}/login-links`).set('Authorization', platformKey());
    expect(res.status).toBe(201);
    const body = res.body as { url: string; expiresAt: string };
    expect(body.url).toMatch(new RegExp(`^${stack.config.PUBLIC_APP_URL}/connexion/[A-Za-z0-9_-]{43}$`));
    const ttl = Date.parse(body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 1000);
    // Only the digest is stored.
    const token = body.url.split('/').pop()!;
    const rows = await stack.db.orm.em.fork().find(LoginLink, { producerSiret: p.producerSiret });
    expect(rows.map((r) => r.tokenHash)).toEqual([digestOf(token)]);

    const jwt = await signProducerToken(stack.config.PRODUCER_JWT_SECRET, p.producerSiret);
    expect((await request(stack.app).post(`/api/v1/producers/${p.producerSiret}/login-links`).set('Authorization', `Bearer ${jwt}`)).status).toBe(403);
    const unknown = await request(stack.app).post('/api/v1/producers/73282932000074/login-links').set('Authorization', platformKey());
    expect(unknown.status).toBe(422);
    expect((unknown.body as { error: { code: string } }).error.code).toBe('UNKNOWN_PRODUCER');
  });

  it('When the link is opened, then a session cookie HttpOnly SameSite=Lax; the link is refused the second time and once expired', async () => {
    const p = await parties();
    const link = await loginLink(p.producerSiret);
    const first = await request(base).get(new URL(link).pathname);
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/factures');
    const cookie = String(first.headers['set-cookie']);
    expect(cookie).toMatch(/agrilocal_session=[A-Za-z0-9_-]{43}/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).toMatch(/Max-Age=(28799|28800);/); // 8 hours
    expect(cookie).not.toMatch(/Secure/); // Secure in production only (plain http on loopback here)

    const context = await browser.newContext();
    const page = await context.newPage();
    const reused = await page.goto(link);
    expect(reused?.status()).toBe(410);
    expect(await page.textContent('h1')).toBe('Lien de connexion refusé');
    expect(await page.textContent('main')).toContain('Ce lien de connexion a déjà servi');
    await checkPage(page, 'connexion-lien-deja-utilise');

    const expired = await loginLink(p.producerSiret);
    const token = expired.split('/').pop()!;
    await stack.db.orm.em.fork().nativeUpdate(LoginLink, { tokenHash: digestOf(token) }, { expiresAt: new Date(Date.now() - 1000) });
    const late = await page.goto(expired);
    expect(late?.status()).toBe(410);
    expect(await page.textContent('main')).toContain('Ce lien de connexion a expiré');
    await checkPage(page, 'connexion-lien-expire');
    expect((await page.goto(`${base}/connexion/not-a-link`))?.status()).toBe(404);
    await context.close();
  });

  it('When a mail link is opened without a session, then a clear sign-in page, and after signing in the invoice itself', async () => {
    const p = await parties();
    const { invoiceId, number } = await invoiced(p);
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(`${base}/factures/${invoiceId}`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('h1')).toBe('Connexion nécessaire');
    await checkPage(page, 'connexion-necessaire');
    await page.goto(await loginLink(p.producerSiret));
    expect(new URL(page.url()).pathname).toBe(`/factures/${invoiceId}`);
    expect(await page.textContent('h1')).toBe(`Facture ${number}`);

    // A session past its end opens nothing (the cookie may outlive it in the browser).
    await stack.db.orm.em.fork().nativeUpdate(WebSession, { producerSiret: p.producerSiret }, { expiresAt: new Date(Date.now() - 1000) });
    expect((await page.goto(`${base}/factures`))?.status()).toBe(401);
    await page.goto(await loginLink(p.producerSiret));
    expect(new URL(page.url()).pathname).toBe('/factures');

    // Sign-out ends the session on the server: the same cookie opens nothing afterwards.
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    expect(await page.textContent('h1')).toBe('Vous êtes déconnecté');
    await checkPage(page, 'deconnexion');
    expect((await page.goto(`${base}/factures`))?.status()).toBe(401);
    await context.close();
  });
});

describe('The invoices, as the guide shows them', () => {
  it('A new invoice is "à traiter", its PDF opens, it is sent by Chorus, moves to "traitées" and follows each Chorus status by itself, then is archived', async () => {
    const p = await parties();
    const { invoiceId, number } = await invoiced(p);
    const { context, page } = await signedIn(p);
    const row = page.locator('table.invoices tbody tr', { hasText: number });
    await expect(row.count()).resolves.toBe(1);
    const text = await row.textContent();
    expect(text).toContain('Collège Jean Moulin');
    expect(text).toContain('20/11/2026');
    expect(text).toMatch(/\d+,\d{2}\u00a0€/);
    expect(text).toContain('À traiter');
    await checkPage(page, 'factures-a-traiter');
    await measureCold(context, `${base}/factures`, '/factures');

    await row.getByRole('link', { name: number }).click();
    expect(await page.textContent('h1')).toBe(`Facture ${number}`);
    const buttons = await page.locator('.actions button').allTextContents();
    expect(buttons).toEqual(['Envoyer par Chorus', 'Envoyer par mail', 'Marquer comme traitée', 'Archiver']);
    expect(await page.locator('table.lines tbody tr').count()).toBe(3);
    expect(await page.textContent('table.lines tfoot')).toContain('Total TTC');
    const inline = await page.request.get(`${base}/factures/${invoiceId}/pdf`);
    expect(inline.headers()['content-type']).toBe('application/pdf');
    expect(inline.headers()['content-disposition']).toMatch(/^inline; filename=".+\.pdf"$/);
    expect((await inline.body()).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await page.getAttribute('iframe.pdf', 'src')).toBe(`/factures/${invoiceId}/pdf`);
    const download = await page.request.get(`${base}${await page.getAttribute('a[download]', 'href')}`);
    expect(download.headers()['content-disposition']).toMatch(/^attachment; /);
    await checkPage(page, 'facture-a-traiter');
    await measureCold(context, `${base}/factures/${invoiceId}`, '/factures/{id}');

    await page.getByRole('button', { name: 'Envoyer par Chorus' }).click();
    expect(await page.textContent('.notice')).toContain('transmise à Chorus Pro');
    // The page refreshes itself as the workflow reads the flow report, then the buyer's side moves.
    await awaitOnPage(page, 'Facture déposée sous Chorus');
    await page.goto(`${base}/factures?vue=traitees`);
    expect(await page.locator('table.invoices tbody tr', { hasText: number }).textContent()).toContain('Facture déposée sous Chorus');
    await checkPage(page, 'factures-traitees');
    await page.goto(`${base}/factures/${invoiceId}`);
    for (const [statut, label] of [
      ['MISE_A_DISPOSITION', "Facture mise à disposition de l'établissement"],
      ['SERVICE_FAIT', 'Service fait'],
      ['MANDATEE', 'Facture mandatée'],
      ['MISE_EN_PAIEMENT', 'Facture mise en paiement'],
    ] as const) {
      await chorusMoves(invoiceId, statut);
      await page.locator('.status strong', { hasText: label }).waitFor({ timeout: 30_000 });
    }
    await checkPage(page, 'facture-mise-en-paiement');
    expect(await page.locator('.actions button').allTextContents()).toEqual(['Archiver']);
    expect(await page.locator('ol.timeline li').count()).toBeGreaterThanOrEqual(7);
    await page.getByRole('button', { name: 'Archiver' }).click();
    expect(await page.textContent('.status')).toContain('Facture archivée manuellement');
    expect(await page.locator('.actions button').count()).toBe(0);
    await context.close();
  });

  it('When Chorus requires an engagement code, then the send form asks for it ("Code d’engagement"), and the invoice goes with it', async () => {
    const p = await parties({ buyerEngagementRequired: true });
    const { invoiceId } = await invoiced(p);
    const { context, page } = await signedIn(p);
    await page.goto(`${base}/factures/${invoiceId}`);
    await page.getByRole('button', { name: 'Envoyer par Chorus' }).click();
    // The workflow's refusal, in French, next to the field it asks for.
    const field = page.getByLabel('Code d’engagement (obligatoire)');
    await field.waitFor();
    expect(await page.textContent('#send_chorus-engagementCode-erreur')).toContain('exige un code d\'engagement');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await page.textContent('main')).toContain('il l’indique dans les commentaires au moment de l’attribution du marché');
    await checkPage(page, 'facture-code-engagement');
    await field.fill('EJ-2026-0042');
    await page.getByRole('button', { name: 'Envoyer par Chorus' }).click();
    expect(await page.textContent('.notice')).toContain('transmise à Chorus Pro');
    const invoice = await waitForInvoice(stack, invoiceId, { status: 'DEPOSEE_CHORUS' });
    expect(invoice.history.some((h) => h.detail === "Code d'engagement renseigné")).toBe(true);
    await context.close();
  });

  it('When the order requires an engagement code, then the field is there and required before sending', async () => {
    const p = await parties();
    const { invoiceId } = await invoiced(p, { engagementCodeRequired: true });
    const { context, page } = await signedIn(p);
    await page.goto(`${base}/factures/${invoiceId}`);
    const field = page.getByLabel('Code d’engagement (obligatoire)');
    expect(await field.getAttribute('required')).not.toBeNull();
    await context.close();
  });

  it('"À recycler" shows the form for a new recipient; a bad SIRET is refused next to the field; the invoice goes back to Chorus', async () => {
    const p = await parties();
    const { invoiceId } = await invoiced(p);
    const { context, page } = await signedIn(p);
    await page.goto(`${base}/factures/${invoiceId}`);
    await page.getByRole('button', { name: 'Envoyer par Chorus' }).click();
    await chorusMoves(invoiceId, 'MISE_A_DISPOSITION');
    await chorusMoves(invoiceId, 'A_RECYCLER', 'Destinataire erroné');
    await page.locator('.status strong', { hasText: 'Facture à recycler' }).waitFor({ timeout: 30_000 });
    expect(await page.textContent('main')).toContain('sans changer le numéro de la facture');
    await page.getByLabel('Nouveau SIRET de l’acheteur').fill('12345');
    await page.getByRole('button', { name: 'Renvoyer la facture' }).click();
    expect(await page.textContent('#recycle-buyerSiret-erreur')).toBe('Le SIRET doit faire 14 chiffres, avec une clé valide.');
    await checkPage(page, 'facture-a-recycler');
    await page.getByLabel('Nouveau SIRET de l’acheteur').fill('');
    await page.getByLabel('Code d’engagement').fill('EJ-2026-0099');
    await page.getByRole('button', { name: 'Renvoyer la facture' }).click();
    expect(await page.textContent('.notice')).toContain('renvoyée au nouveau destinataire');
    expect(await page.textContent('.status')).toContain('Facture déposée sous Chorus');
    await context.close();
  });

  it('"Suspendue" shows the attachments form with its limits; nothing given is refused; a PDF and a comment complete it', async () => {
    const p = await parties();
    const { invoiceId } = await invoiced(p);
    const { context, page } = await signedIn(p);
    await page.goto(`${base}/factures/${invoiceId}`);
    await page.getByRole('button', { name: 'Envoyer par Chorus' }).click();
    await chorusMoves(invoiceId, 'MISE_A_DISPOSITION');
    await chorusMoves(invoiceId, 'SUSPENDUE', 'Bon de livraison manquant');
    await page.locator('.status strong', { hasText: 'Facture suspendue' }).waitFor({ timeout: 30_000 });
    expect(await page.textContent('#complete-attachments-aide')).toContain('10 fichiers au plus, 10 Mo chacun');
    await page.getByRole('button', { name: 'Compléter la facture' }).click();
    expect(await page.textContent('#complete-attachments-erreur')).toContain('Joignez au moins une pièce justificative');
    await checkPage(page, 'facture-suspendue');
    await page.getByLabel('Pièces justificatives').setInputFiles({ name: 'bon-de-livraison.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% bon signé\n%%EOF\n') });
    await page.getByLabel('Commentaire').fill('Bon de livraison signé joint.');
    await page.getByRole('button', { name: 'Compléter la facture' }).click();
    expect(await page.textContent('.notice')).toContain('La facture est complétée');
    expect(await page.textContent('.status')).toContain('Facture complétée');
    await context.close();
  });

  it('"Rejetée" by the buyer says that a new invoice must be issued', async () => {
    const p = await parties();
    const { invoiceId } = await invoiced(p);
    const { context, page } = await signedIn(p);
    await page.goto(`${base}/factures/${invoiceId}`);
    await page.getByRole('button', { name: 'Envoyer par Chorus' }).click();
    await chorusMoves(invoiceId, 'MISE_A_DISPOSITION');
    await chorusMoves(invoiceId, 'REJETEE', 'Données de facturation erronées');
    await page.locator('.status strong', { hasText: 'Facture rejetée' }).waitFor({ timeout: 30_000 });
    expect(await page.textContent('.explain')).toContain('Vous devez émettre une nouvelle facture.');
    await checkPage(page, 'facture-rejetee');
    await context.close();
  });

  it('Marked processed, the invoice leaves "à traiter" for "traitées"; a form without its CSRF token changes nothing', async () => {
    const p = await parties();
    const { invoiceId, number } = await invoiced(p);
    const { context, page } = await signedIn(p);
    const forged = await page.request.post(`${base}/factures/${invoiceId}/traitee`, { form: { _key: 'forged' } });
    expect(forged.status()).toBe(403);
    expect((await waitForInvoice(stack, invoiceId, { status: 'A_TRAITER' })).status).toBe('A_TRAITER');
    await page.goto(`${base}/factures/${invoiceId}`);
    await page.getByRole('button', { name: 'Marquer comme traitée' }).click();
    expect(await page.textContent('.status')).toContain('Facture traitée (déposée sur le portail Chorus Pro)');
    await page.goto(`${base}/factures?vue=a_traiter`);
    expect(await page.locator('table.invoices tbody tr', { hasText: number }).count()).toBe(0);
    await page.goto(`${base}/factures?vue=traitees`);
    expect(await page.locator('table.invoices tbody tr', { hasText: number }).count()).toBe(1);
    await context.close();
  });

  it('Sent by mail, the invoice is "Facture envoyée par mail" in "traitées", and only "Archiver" is left', async () => {
    const p = await parties();
    const { invoiceId, number } = await invoiced(p);
    const { context, page } = await signedIn(p);
    await page.goto(`${base}/factures/${invoiceId}`);
    await page.getByRole('button', { name: 'Envoyer par mail' }).click();
    expect(await page.textContent('.notice')).toContain('partie par mail');
    expect(await page.textContent('.status')).toContain('Facture envoyée par mail');
    expect(await page.locator('.actions button').allTextContents()).toEqual(['Archiver']);
    await page.goto(`${base}/factures?vue=traitees`);
    expect(await page.locator('table.invoices tbody tr', { hasText: number }).textContent()).toContain('Facture envoyée par mail');
    await context.close();
  });

  it('Another producer never sees this invoice: his link opens his own space, this invoice is a 404 page', async () => {
    const owner = await parties();
    const { invoiceId } = await invoiced(owner);
    const other = await parties();
    const { context, page } = await signedIn(other);
    for (const path of [`/factures/${invoiceId}`, `/factures/${invoiceId}/pdf`]) {
      const res = await page.goto(`${base}${path}`);
      expect(res?.status()).toBe(404);
      expect(await page.textContent('h1')).toBe('Page introuvable');
    }
    await checkPage(page, 'introuvable');
    const post = await page.request.post(`${base}/factures/${invoiceId}/archiver`, { form: { _csrf: 'x' } });
    expect(post.status()).toBe(403);
    await context.close();
  });

  it('At 375 px wide, the lists and the invoice fit the screen (no sideways scrolling)', async () => {
    const p = await parties();
    const { invoiceId } = await invoiced(p);
    const { context, page } = await signedIn(p, { width: 375, height: 812 });
    // What sticks out on the right, named, so that a failure says what to fix.
    const fits = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
          .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
          .slice(0, 5),
      );
    expect(await fits()).toEqual([]);
    await screenshot(page, 'mobile-factures');
    await page.goto(`${base}/factures/${invoiceId}`);
    expect(await fits()).toEqual([]);
    await checkPage(page, 'mobile-facture');
    await page.goto(`${base}/profil`);
    expect(await fits()).toEqual([]);
    await screenshot(page, 'mobile-profil');
    await context.close();
  });
});

describe('The profile', () => {
  it('shows the Chorus flow with its prerequisites and guides; a bad IBAN is refused next to the field; cheque and VAT number are saved by the rules of PUT /producers', async () => {
    const p = await parties();
    const { context, page } = await signedIn(p);
    await page.getByRole('link', { name: 'Mon profil' }).click();
    expect(await page.textContent('h1')).toBe('Mon profil');
    expect(await page.getByLabel('Ouvrir le flux de la facturation vers Chorus Pro').isChecked()).toBe(true);
    expect(await page.getAttribute('a[href^="https://communaute.chorus-pro.gouv.fr"]', 'href')).toContain('creer-un-compte');
    await checkPage(page, 'profil');

    await page.getByLabel('IBAN (pour un virement)').fill('FR76 0000 0000 0000');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    expect(await page.textContent('#profil-iban-erreur')).toBe('IBAN invalide : vérifiez sa clé et sa longueur.');
    await checkPage(page, 'profil-iban-refuse');

    // The VAT exemption: its mention is refused next to the field when too long, kept as typed.
    const exemption = page.getByLabel('Mention d’exonération de TVA (si vous ne facturez pas la TVA)');
    await page.getByLabel('IBAN (pour un virement)').fill('FR76 3000 6000 0112 3456 7890 189');
    await exemption.fill('x'.repeat(201));
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    expect(await page.textContent('#profil-vatExemptionMention-erreur')).toContain('200 caractères');
    expect(await exemption.inputValue()).toBe('x'.repeat(201));

    await page.getByLabel('Chèque').check();
    await page.getByLabel('Numéro de TVA intracommunautaire (facultatif)').fill('');
    await exemption.fill('TVA non applicable, art. 293 B du CGI');
    await page.getByLabel('Ouvrir le flux de la facturation vers Chorus Pro').uncheck();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    expect(await page.textContent('.notice')).toBe('Votre profil est enregistré.');
    expect(await exemption.inputValue()).toBe('TVA non applicable, art. 293 B du CGI');
    const row = await stack.db.orm.em.fork().findOneOrFail(Producer, { siret: p.producerSiret });
    expect(row.paymentMethod).toEqual({ type: 'CHEQUE' });
    expect(row.vatNumber).toBeNull();
    expect(row.vatExemptionMention).toBe('TVA non applicable, art. 293 B du CGI');
    expect(row.chorusEnabled).toBe(false);
    expect(row.name).toBe('Ferme des Trois Chênes');
    await context.close();
  });

  it('Opening the Chorus flow without the rattachement is refused with the guide’s explanation', async () => {
    const p = await parties({ chorusEnabled: false, producerAttached: false });
    const { context, page } = await signedIn(p);
    await page.goto(`${base}/profil`);
    await page.getByLabel('Ouvrir le flux de la facturation vers Chorus Pro').check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    expect(await page.textContent('#profil-chorus-erreur')).toContain('Gestion des rattachements');
    await context.close();
  });
});
