/**
 * `renderBenchHtml`: benchmark or load results as one self-contained page — per metric, a table of summary
 * statistics with ratios to the first runtime, grouped bars of p50/p90/p99, a CDF, a box-and-strip plot and one
 * histogram per runtime. Its input is deliberately generic (named sample distributions per runtime) so any
 * benchmark's results can be adapted to it.
 */
import { boxStripSvg, cdfSvg, formatNumber, groupedBarSvg, histogramSvg, summarise, type SampleSummary } from './charts.ts';
import { attr, esc } from './escape.ts';
import { renderPage } from './page.ts';
import { seriesColour } from './palette.ts';

/** One metric of one runtime: its raw samples (e.g. each request's latency) and their unit. */
export interface BenchDistribution {
  samples: number[];
  /** e.g. `ms`, `MB`, `req/s`. */
  unit: string;
  /** Whether smaller is better (latency, memory: the default) or larger (throughput). Only wording depends on it. */
  lowerIsBetter?: boolean;
}

export interface BenchHtmlInput {
  title: string;
  subtitle?: string;
  /** ISO time the results were produced. */
  generatedAt?: string;
  /** Facts about the run shown under the title (machine, concurrency, duration…). */
  context?: Record<string, string>;
  /** Runtimes side by side; the first is the reference the others' ratios are computed against. */
  runtimes: Array<{ name: string; metrics: Record<string, BenchDistribution> }>;
}

const CSS = `
.context{display:flex;flex-wrap:wrap;gap:4px 18px;margin-top:6px;font-size:13px}
section.metric{margin:8px 0 36px;padding-top:8px;border-top:1px solid var(--line)}
section.metric h2{margin:6px 0 10px;font-size:17px;font-family:var(--mono)}
table.stats{font-size:13px;margin-bottom:14px}
table.stats caption{caption-side:bottom;text-align:left;font-size:12px;padding-top:4px;color:var(--muted)}
table.stats td.num,table.stats th.num{text-align:right;font-variant-numeric:tabular-nums}
.swatch{display:inline-block;width:10px;height:10px;margin-right:6px;vertical-align:baseline}
.charts{display:flex;flex-wrap:wrap;gap:14px}
.charts figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:6px;background:#fff}
.charts figcaption{font-size:12px;color:var(--muted);padding:2px 4px}
nav.toc{font-size:13px;margin:0 0 12px}
nav.toc a{margin-right:12px}
`;

function ratio(value: number, reference: number | undefined): string {
  if (reference === undefined || !Number.isFinite(reference) || reference === 0) return '';
  return `×${(value / reference).toFixed(2)}`;
}

function metricNames(input: BenchHtmlInput): string[] {
  const names: string[] = [];
  for (const r of input.runtimes) for (const m of Object.keys(r.metrics)) if (!names.includes(m)) names.push(m);
  return names;
}

function statsTable(metric: string, rows: Array<{ name: string; index: number; sum: SampleSummary | undefined }>, unit: string, lowerIsBetter: boolean): string {
  const ref = rows[0]?.sum;
  const body = rows
    .map(({ name, index, sum }) => {
      const label = `<td><span class="swatch" style="background:${seriesColour(index)}"></span>${esc(name)}</td>`;
      if (!sum) return `<tr>${label}<td class="num">0</td><td colspan="7" class="muted">no samples</td></tr>`;
      const cells = [sum.min, sum.p50, sum.p90, sum.p99, sum.max, sum.mean].map((v) => `<td class="num">${esc(formatNumber(v))}</td>`).join('');
      return `<tr>${label}<td class="num">${sum.n}</td>${cells}<td class="num">${index === 0 ? '<span class="muted">reference</span>' : esc(ratio(sum.p50, ref?.p50))}</td></tr>`;
    })
    .join('');
  return `<table class="stats" data-metric="${attr(metric)}"><caption>values in ${esc(unit)}; ${lowerIsBetter ? 'lower is better' : 'higher is better'}</caption><thead><tr><th>runtime</th><th class="num">n</th><th class="num">min</th><th class="num">p50</th><th class="num">p90</th><th class="num">p99</th><th class="num">max</th><th class="num">mean</th><th class="num">p50 vs ${esc(rows[0]?.name ?? '')}</th></tr></thead><tbody>${body}</tbody></table>`;
}

function metricSection(input: BenchHtmlInput, metric: string, anchor: string): string {
  const rows = input.runtimes.map((r, index) => ({ name: r.name, index, dist: r.metrics[metric] }));
  const present = rows.filter((r) => r.dist !== undefined);
  const unit = present[0]?.dist?.unit ?? '';
  const lowerIsBetter = present[0]?.dist?.lowerIsBetter ?? true;
  const series = rows.map((r) => ({ name: r.name, samples: r.dist?.samples ?? [] }));
  const sums = rows.map((r) => ({ name: r.name, index: r.index, sum: summarise(r.dist?.samples ?? []) }));
  const bars = groupedBarSvg({
    title: `${metric}: p50 / p90 / p99`,
    unit,
    categories: ['p50', 'p90', 'p99'],
    series: sums.map((s) => ({ name: s.name, values: s.sum ? [s.sum.p50, s.sum.p90, s.sum.p99] : [] })),
  });
  const charts = [
    `<figure>${bars}<figcaption>ratios relative to ${esc(rows[0]?.name ?? '')}</figcaption></figure>`,
    `<figure>${cdfSvg({ title: `${metric}: cumulative distribution`, unit, series })}<figcaption>share of samples at or under each value</figcaption></figure>`,
    `<figure>${boxStripSvg({ title: `${metric}: distribution per runtime`, unit, series })}<figcaption>box: quartiles; whiskers: 1.5 × IQR; dots: every sample</figcaption></figure>`,
    ...rows.map((r) => `<figure>${histogramSvg({ title: `${metric} — ${r.name}`, unit, samples: r.dist?.samples ?? [], colour: seriesColour(r.index), width: 360, height: 200 })}</figure>`),
  ].join('');
  return `<section class="metric" id="${attr(anchor)}"><h2>${esc(metric)} <span class="muted">(${esc(unit)})</span></h2>${statsTable(metric, sums, unit, lowerIsBetter)}<div class="charts">${charts}</div></section>`;
}

export function renderBenchHtml(input: BenchHtmlInput): string {
  const metrics = metricNames(input);
  const anchors = metrics.map((m, i) => `metric-${i}-${m.replace(/[^A-Za-z0-9_-]+/g, '-')}`);
  const context = Object.entries(input.context ?? {})
    .map(([k, v]) => `<span>${esc(k)} <b>${esc(v)}</b></span>`)
    .join('');
  const body = `<header class="top"><h1>${esc(input.title)}</h1>${input.subtitle ? `<div class="muted">${esc(input.subtitle)}</div>` : ''}<div class="context">${input.generatedAt ? `<span>generated <b>${esc(input.generatedAt)}</b></span>` : ''}<span>runtimes <b>${esc(input.runtimes.map((r) => r.name).join(', ') || 'none')}</b></span>${context}</div></header>
<main>${metrics.length > 1 ? `<nav class="toc">${metrics.map((m, i) => `<a href="#${attr(anchors[i])}">${esc(m)}</a>`).join('')}</nav>` : ''}
${metrics.length === 0 ? '<p class="muted">No measurements.</p>' : metrics.map((m, i) => metricSection(input, m, anchors[i]!)).join('')}
</main>`;
  return renderPage({ title: input.title, css: CSS, body });
}
