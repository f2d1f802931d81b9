/**
 * Debian's chromium driven by playwright-core for the producer-space tests: headless, no network of its own,
 * a fresh profile per launch (Playwright makes one), an axe-core check and a saved screenshot of each page.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Where the screenshots go: kept after the run (gitignored), for a reviewer to look at. */
export const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR ?? path.resolve(__dirname, '..', '..', 'test-output', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless', ...FLAGS] });
}

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** axe-core's serious and critical violations on the page as it is now (WCAG 2 A/AA rules and best practices). */
export async function axeViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on.
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface PageFigures {
  page: string;
  /** Bytes over the wire: the HTML and every resource it loaded (the PDF frame apart). */
  htmlBytes: number;
  resourceBytes: number;
  pdfBytes: number;
  firstContentfulPaintMs: number | null;
  domContentLoadedMs: number;
}

/**
 * What a page weighs and how soon it paints, from the browser's own timings (Navigation and Resource Timing,
 * Paint Timing). Written to test-output/space-figures.json for the README; never asserted (timings vary).
 */
export async function pageFigures(page: Page, name: string): Promise<PageFigures> {
  const figures = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const pdf = resources.filter((r) => r.name.includes('/pdf'));
    const rest = resources.filter((r) => !r.name.includes('/pdf') && !r.name.includes('/version'));
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    return {
      htmlBytes: nav.transferSize,
      resourceBytes: rest.reduce((sum, r) => sum + r.transferSize, 0),
      pdfBytes: pdf.reduce((sum, r) => sum + r.transferSize, 0),
      firstContentfulPaintMs: fcp ? Math.round(fcp.startTime) : null,
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
    };
  });
  const out = { page: name, ...figures };
  const file = path.join(SCREENSHOT_DIR, '..', 'space-figures.json');
  const all = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as PageFigures[]).filter((f) => f.page !== name) : [];
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify([...all, out], null, 2)}\n`);
  return out;
}
