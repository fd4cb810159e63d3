/**
 * The HTML views in a real browser (the system's headless Chromium): a real run with failing cases is filtered,
 * expanded and checked for its transcript and timeline; the matrix's why-panel opens and links into the report;
 * hostile text stays text; nothing reaches the network. Screenshots go to reports/screenshots/ for people to look at.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAll } from '../runtime-definition/build.ts';
import { REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { buildMatrix, type Matrix } from '../reports/matrix.ts';
import type { RunReport } from '../model/report-model.ts';
import { sampleReport } from './sample-report.ts';
import { writeReports } from '../reports/write-reports.ts';
import { renderBenchHtml } from '../reports/html/bench-html.ts';
import { CHROMIUM, chromiumAvailable, openBrowser, type Browser } from './browser.ts';
import { flawedRun } from './flawed-run.ts';
import { hostileCase } from './hostile.ts';
import { renderMatrixHtml } from '../reports/html/matrix-html.ts';
import { renderReportHtml } from '../reports/html/report-html.ts';

const SCREENSHOTS = join(REPO_ROOT, 'reports', 'screenshots');
const available = chromiumAvailable();
const missing = `${CHROMIUM} not found (install the chromium package)`;

let browser: Browser | undefined;
let dir = '';
let flawed: RunReport;
let clean: RunReport;
/** Element shapes the page functions read (the test compiles without the DOM library). */
type Detailsish = { open: boolean; id: string; dataset: Record<string, string | undefined> };
type Win = { __pwned?: number; scrollTo(x: number, y: number): void; document: { getElementById(id: string): Detailsish | null } };

/** Every URL any page asked for. */
const requested: string[] = [];
/** Console errors and uncaught page errors (a CSP violation would show here). */
const pageErrors: string[] = [];

async function open(url: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser!.context.newPage();
  await page.setViewportSize(viewport);
  page.on('request', (r) => requested.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(url);
  return page;
}

function url(path: string, hash = ''): string {
  return `${pathToFileURL(path).href}${hash}`;
}

// Without Chromium the tests are skipped with the reason in their name; under LAMBDASPEC_REQUIRE_ALL=1 they fail.
describe.runIf(available || requireAll())(`HTML reports in headless Chromium${available ? '' : ` (skipped: ${missing})`}`, () => {
  beforeAll(async () => {
    if (!available) throw new Error(`LAMBDASPEC_REQUIRE_ALL=1: ${missing}`);
    mkdirSync(SCREENSHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'lambdaspec-html-'));
    [flawed, clean] = [await flawedRun(), await flawedRun({ withFlaws: false, name: 'flawed-fixed' })];
    writeReports(flawed, join(dir, 'flawed'));
    writeReports(clean, join(dir, 'flawed-fixed'));
    browser = await openBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    expect(liveProcessCount()).toBe(0);
  });

  it('report.html: filter to the failures, expand one, see its transcript and timeline', async () => {
    const failing = flawed.cases.filter((c) => c.verdict === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    const page = await open(url(join(dir, 'flawed', 'report.html')));
    const visible = (): Promise<string[]> =>
      page.$$eval('details.case:not([hidden])', (els) => els.map((e) => (e as unknown as Detailsish).dataset['verdict']!));
    expect(await visible()).toHaveLength(flawed.cases.length);

    await page.click('button.tile[data-only="fail"]');
    expect(await visible()).toEqual(failing.map(() => 'fail'));
    expect(await page.textContent('#shown')).toBe(`showing ${failing.length} of ${flawed.cases.length}`);

    // The id search narrows further; the area select too.
    await page.fill('#q', 'streaming.incr');
    expect(await page.$$eval('details.case:not([hidden])', (els) => els.map((e) => e.id))).toEqual(['streaming.incremental']);
    await page.fill('#q', '');
    await page.selectOption('#area', 'error');
    expect(await page.$$eval('details.case:not([hidden])', (els) => els.map((e) => e.id))).toEqual(
      failing.filter((c) => c.area === 'error').map((c) => c.id),
    );
    await page.selectOption('#area', '');

    const id = 'streaming.incremental';
    const sel = `details.case[id="${id}"]`;
    await page.click(`${sel} > summary`);
    expect(await page.$eval(sel, (e) => (e as unknown as Detailsish).open)).toBe(true);
    const transcript = await page.$$eval(`${sel} .exchange pre.http`, (els) => els.map((e) => e.textContent ?? ''));
    expect(
      transcript.some(
        (t) => /^POST \/2018-06-01\/runtime\/invocation\/[^/]+\/response 1\.1\n/.test(t) && t.includes('Transfer-Encoding: chunked'),
      ),
    ).toBe(true);
    expect(transcript.some((t) => t.startsWith('HTTP/1.1 202 Accepted'))).toBe(true);
    expect(await page.isVisible(`${sel} table.chunks`)).toBe(true);
    const timeline = page.locator(`${sel} svg.timeline`);
    expect(await timeline.isVisible()).toBe(true);
    expect(await timeline.locator('.exchange-row').count()).toBe(flawed.cases.find((c) => c.id === id)!.evidence.exchanges.length);
    expect(await timeline.locator('line.chunk').count()).toBeGreaterThan(0);
    const box = await timeline.boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    expect(await page.textContent(`${sel} .reason`)).toContain('chunks');

    await page.$eval(sel, (e) => e.scrollIntoView({ block: 'start' }));
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.screenshot({ path: join(SCREENSHOTS, 'report-failing-case.png') });
    await page.evaluate(() => (globalThis as unknown as Win).scrollTo(0, 0));
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: join(SCREENSHOTS, 'report-summary-filtered.png') });
    await page.close();
  }, 60_000);

  it('report.html#<case id> opens that case', async () => {
    const page = await open(url(join(dir, 'flawed', 'report.html'), '#error.keeps-serving'));
    expect(await page.$eval('details.case[id="error.keeps-serving"]', (e) => (e as unknown as Detailsish).open)).toBe(true);
    expect(await page.$$eval('details.case[open]', (els) => els.length)).toBe(1);
    await page.close();
  });

  it("matrix.html: clicking a cell shows why, and its link opens the case in that runtime's report", async () => {
    const m = buildMatrix([flawed, clean], new Date(), {
      flawed: { 'error.keeps-serving': "exits after a handler error on purpose: the fixture's flaw" },
    });
    const path = join(dir, 'matrix', 'matrix.html');
    mkdirSync(join(dir, 'matrix'));
    writeFileSync(path, renderMatrixHtml(m, { reportHref: (name) => `../${name}/report.html` }));
    const page = await open(url(path));
    expect(await page.isVisible('#why')).toBe(false);
    const cell = page.locator('button.cell[data-rt="flawed"][data-case="streaming.incremental"]');
    expect(await cell.textContent()).toContain('fail');
    await cell.click();
    expect(await page.isVisible('#why')).toBe(true);
    expect(await page.textContent('#why-case')).toBe('streaming.incremental');
    expect(await page.textContent('#why-verdict')).toContain('fail');
    expect(await page.textContent('#why-reason')).toBe(flawed.cases.find((c) => c.id === 'streaming.incremental')!.reason);
    expect(await page.isVisible('#why-deviation')).toBe(false);

    await page.click('button.cell[data-rt="flawed"][data-case="error.keeps-serving"]');
    expect(await page.textContent('#why-deviation-text')).toContain('on purpose');
    await page.screenshot({ path: join(SCREENSHOTS, 'matrix-why-panel.png') });

    const link = page.locator('#why-link');
    expect(await link.getAttribute('href')).toBe('../flawed/report.html#error.keeps-serving');
    await link.click();
    await page.waitForURL(/report\.html#error\.keeps-serving$/);
    await page.waitForFunction(() => (globalThis as unknown as Win).document.getElementById('error.keeps-serving')?.open === true);
    await page.close();
  }, 30_000);

  it('the committed matrix renders, and a documented deviation shows in its why-panel', async () => {
    const m = JSON.parse(readFileSync(join(REPO_ROOT, 'reports', 'matrix', 'matrix.json'), 'utf8')) as Matrix;
    const path = join(dir, 'committed-matrix.html');
    writeFileSync(path, renderMatrixHtml(m, { reportHref: (name) => `../${name}/report.html` }));
    const page = await open(url(path), { width: 1280, height: 1000 });
    expect(await page.locator('tr.row').count()).toBe(m.rows.length);
    const deviation = m.runtimes.flatMap((r) => Object.keys(r.deviations ?? {}).map((id) => [r.name, id] as const))[0];
    if (deviation) {
      await page.check('#diff');
      const cell = page.locator(`button.cell[data-rt="${deviation[0]}"][data-case="${deviation[1]}"]`);
      expect(await cell.getAttribute('class')).toContain('dev');
      await cell.click();
      expect(await page.isVisible('#why-deviation')).toBe(true);
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'matrix-committed.png') });
    await page.close();
  });

  it('hostile text from a runtime stays text in the DOM and runs nothing', async () => {
    const path = join(dir, 'hostile.html');
    writeFileSync(path, renderReportHtml(sampleReport([hostileCase()])));
    const page = await open(url(path, '#error.hostile'));
    expect(await page.evaluate(() => (globalThis as unknown as Win).__pwned)).toBeUndefined();
    expect(await page.$$eval('script', (els) => els.length)).toBe(1);
    expect(await page.$$eval('img', (els) => els.length)).toBe(0);
    expect(await page.textContent('details.case .reason')).toContain('<script>window.__pwned=1</script>');
    expect(await page.$$eval('.exchange pre.http', (els) => els[0]!.textContent)).toContain('Lambda-Runtime-Function-Error-Type: <script>');
    await page.close();
  });

  it('bench HTML draws its charts', async () => {
    const ramp = (n: number, base: number, step: number): number[] =>
      Array.from({ length: n }, (_, i) => base + step * i + ((i * 37) % 11));
    const path = join(dir, 'bench.html');
    writeFileSync(
      path,
      renderBenchHtml({
        title: 'bench views (synthetic samples)',
        runtimes: [
          { name: 'a', metrics: { 'cold start': { samples: ramp(40, 60, 1.5), unit: 'ms' } } },
          { name: 'b', metrics: { 'cold start': { samples: ramp(40, 20, 0.8), unit: 'ms' } } },
        ],
      }),
    );
    const page = await open(url(path));
    const charts = page.locator('section.metric svg.chart');
    expect(await charts.count()).toBe(5);
    for (let i = 0; i < 5; i++) expect((await charts.nth(i).boundingBox())!.height).toBeGreaterThan(100);
    await page.screenshot({ path: join(SCREENSHOTS, 'bench-charts.png'), fullPage: true });
    await page.close();
  });

  it('fetched nothing but the files themselves, and no page logged an error', () => {
    expect(requested.length).toBeGreaterThan(0);
    expect(requested.filter((u) => !u.startsWith('file://'))).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
