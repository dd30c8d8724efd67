/// <reference lib="dom" />
// The measuring function runs inside the page: it needs the DOM's types (nothing else in the workspace does).
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, Page, chromium } from 'playwright-core';
import { Evidence, auditorDocuments, evidenceOnDisk, scriptFixture } from '../python/__fixtures__/evidence-on-disk';

// evidence.html, as python/fipskit_evidence.py writes it, as a person sees it: Debian's Chromium (tools/install-build-deps.sh installs it) renders the page and
// the test measures the layout, instead of trusting CSS it never saw applied. Screenshots and PDFs go to
// tmp/evidence-screenshots/, which CI keeps as an artifact.
const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOTS = join(__dirname, '..', '..', '..', '..', 'tmp', 'evidence-screenshots');
// A laptop screen, a small laptop screen, and A4 paper less the print margins (186 mm at 96 px per inch).
const SCREENS = [1280, 1024];
const PRINT_WIDTH = 703;
const CHECKS_TITLE = 'Checks run inside the interpreter';

interface Layout {
  overflowX: number;
  scripts: number;
  checks: Array<{ id: string; idLines: number; idOverflow: number; result: string; resultLines: number; resultBackground: string; evidenceShare: number }>;
  banner: Array<{ summary: string; holds: boolean; background: string; top: number }>;
  firstTableTop: number;
}

/** Measured in the page, from the rendered boxes: how many line boxes a cell's text takes, what overflows. */
function measureLayout(checksTitle: string): Layout {
  const lines = (element: Element) => {
    const tops = new Set<number>();
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of Array.from(range.getClientRects())) if (rect.width > 0) tops.add(Math.round(rect.top));
    }
    return tops.size;
  };
  const heading = Array.from(document.querySelectorAll('h2')).find((h) => h.textContent === checksTitle);
  const table = heading?.parentElement?.querySelector('table');
  const rows = Array.from(table?.querySelectorAll('tbody tr') ?? []);
  const checks = rows.map((row) => {
    const cells = Array.from(row.querySelectorAll('td'));
    // The columns are result | check | evidence.
    const [result, id, evidence] = cells;
    const mark = result.firstElementChild ?? result;
    return {
      id: id.textContent!.trim(),
      idLines: lines(id),
      idOverflow: id.scrollWidth - id.clientWidth,
      result: result.textContent!.trim(),
      resultLines: lines(result),
      resultBackground: getComputedStyle(mark).backgroundColor,
      evidenceShare: evidence.getBoundingClientRect().width / table!.getBoundingClientRect().width,
    };
  });
  const banner = Array.from(document.querySelectorAll('.verdict-line')).map((line) => ({
    summary: line.querySelector('.verdict-summary')?.textContent ?? '',
    holds: line.classList.contains('holds'),
    background: getComputedStyle(line).backgroundColor,
    top: line.getBoundingClientRect().top + window.scrollY,
  }));
  return {
    overflowX: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    scripts: document.scripts.length,
    checks,
    banner,
    firstTableTop: (document.querySelector('table')?.getBoundingClientRect().top ?? 0) + window.scrollY,
  };
}

const available = existsSync(CHROMIUM);
const title = available
  ? `evidence.html rendered by ${CHROMIUM}`
  : `evidence.html rendered by a browser — SKIPPED: needs ${CHROMIUM} (Debian's chromium; tools/install-build-deps.sh installs it)`;
// Jest lists nothing of a file whose tests are all skipped: say it where the run's output shows it.
if (!available) console.warn(title);

(available ? describe : describe.skip)(title, () => {
  let root: string;
  let profile: string;
  let browser: BrowserContext;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'fipskit-evidence-page-'));
    profile = mkdtempSync(join(tmpdir(), 'fipskit-chromium-'));
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // Nothing may reach the network: no updater, no sync, no QUIC probes. The page itself asks for nothing either.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 30_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  });

  const reports: Array<[string, () => Evidence]> = [
    // What fipskit builds from Debian's 3.0.22: FIPS mode holds, no certificate covers the provider.
    ['in-force-not-claimable', () => evidenceOnDisk(join(root, 'a'), { providerVersion: '3.0.22' })],
    // A validated provider beside newer libraries: both lines hold.
    ['claimable-split-build', () => evidenceOnDisk(join(root, 'b'), { providerVersion: '3.0.9', libraryVersion: '3.5.7' })],
    // Debian's python3.11 as it is: most checks fail, with the longest evidence strings there are.
    ['not-in-force', () => evidenceOnDisk(join(root, 'c'), { providerVersion: '3.0.22', script: scriptFixture('checks-system-python.json') })],
  ];

  async function render(html: string, width: number, media: 'screen' | 'print'): Promise<{ page: Page; layout: Layout; requests: string[] }> {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.setViewportSize({ width, height: 900 });
    await page.emulateMedia({ media });
    await page.setContent(html, { waitUntil: 'load' });
    return { page, layout: await page.evaluate(measureLayout, CHECKS_TITLE), requests };
  }

  it.each(reports)(
    '%s: the banner leads with both verdict lines, in words and colour',
    async (name, evidenceFor) => {
      const evidence = evidenceFor();
      const { verdict } = evidence.report;
      const { page, layout } = await render(auditorDocuments(evidence).html, SCREENS[0], 'screen');
      await page.close();
      expect(layout.banner.map(({ summary, holds }) => ({ summary, holds }))).toEqual([
        { summary: verdict.fipsMode.summary, holds: verdict.fipsMode.inForce },
        { summary: verdict.compliance.summary, holds: verdict.compliance.claimable },
      ]);
      // Above everything else and on the first screen.
      for (const line of layout.banner) expect(line.top).toBeLessThan(Math.min(layout.firstTableTop, 600));
      const colour = (holds: boolean) => (holds ? 'rgb(230, 244, 234)' : 'rgb(253, 236, 234)');
      for (const line of layout.banner) expect(line.background).toBe(colour(line.holds));
    },
    30_000,
  );

  it.each(reports)(
    '%s: check ids and results stay on one line, failures first and marked, nothing overflows',
    async (name, evidenceFor) => {
      const evidence = evidenceFor();
      const { html } = auditorDocuments(evidence);
      for (const [media, width] of [...SCREENS.map((w) => ['screen', w] as const), ['print', PRINT_WIDTH] as const]) {
        const { page, layout, requests } = await render(html, width, media);
        const shot = join(SCREENSHOTS, `${name}-${media === 'print' ? 'print' : width}.png`);
        await page.screenshot({ path: shot, fullPage: true });
        if (media === 'print')
          await page.pdf({
            path: join(SCREENSHOTS, `${name}.pdf`),
            format: 'A4',
            margin: { top: '12mm', bottom: '12mm', left: '12mm', right: '12mm' },
            printBackground: true,
          });
        await page.close();
        expect(statSync(shot).size).toBeGreaterThan(0);

        const where = `${name} at ${width} px (${media})`;
        expect({ where, overflowX: layout.overflowX, scripts: layout.scripts, requests }).toEqual({ where, overflowX: 0, scripts: 0, requests: [] });
        expect(layout.checks.map((c) => c.id).sort()).toEqual(evidence.report.checks.map((c) => c.id).sort());
        for (const check of layout.checks) {
          expect({ where, id: check.id, idLines: check.idLines, idOverflow: check.idOverflow, resultLines: check.resultLines }).toEqual({
            where,
            id: check.id,
            idLines: 1,
            idOverflow: 0,
            resultLines: 1,
          });
          // The evidence keeps a readable share of the row instead of being what crushes the other columns.
          expect(check.evidenceShare).toBeGreaterThan(0.45);
        }
        const results = layout.checks.map((c) => c.result);
        const failed = results.filter((r) => r === 'FAIL').length;
        expect(results.slice(0, failed)).toEqual(Array(failed).fill('FAIL'));
        expect(failed).toBe(evidence.report.failedRequired.length);
        // A failure looks different from a pass before a word of it is read.
        const background = (result: string) => new Set(layout.checks.filter((c) => c.result === result).map((c) => c.resultBackground));
        if (failed) expect([...background('FAIL')]).not.toEqual([...background('PASS')]);
        expect(background('PASS').has('rgba(0, 0, 0, 0)')).toBe(false);
      }
    },
    60_000,
  );
});
