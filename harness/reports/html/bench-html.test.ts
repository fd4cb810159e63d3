import { describe, expect, it } from 'vitest';
import { renderBenchHtml, type BenchHtmlInput } from './bench-html.ts';
import { HOSTILE } from '../../testing/hostile.ts';
import { wellFormed } from '../../testing/svg-check.ts';

const input: BenchHtmlInput = {
  title: `cold starts ${HOSTILE}`,
  context: { concurrency: '4', [HOSTILE]: HOSTILE },
  runtimes: [
    { name: 'python-stdlib', metrics: { 'cold start': { samples: [100, 110, 120, 130], unit: 'ms' }, throughput: { samples: [900], unit: 'req/s', lowerIsBetter: false } } },
    { name: `node <b>`, metrics: { 'cold start': { samples: [50, 55, 60, 65], unit: 'ms' } } },
  ],
};

describe('bench.html', () => {
  const html = renderBenchHtml(input);

  it('has a section per metric with stats, ratios to the first runtime and well-formed charts', () => {
    expect(html.match(/<section class="metric"/g)).toHaveLength(2);
    const cold = html.slice(html.indexOf('data-metric="cold start"'), html.indexOf('data-metric="throughput"'));
    // node's p50 (57.5) against python's (115).
    expect(cold).toContain('×0.50');
    const svgs = cold.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    // grouped bars, CDF, box/strip, one histogram per runtime.
    expect(svgs).toHaveLength(5);
    for (const svg of svgs) expect(wellFormed(svg)).toBe(true);
    expect(html).toContain('higher is better');
  });

  it('shows a runtime without a metric as "no samples" rather than failing', () => {
    const tp = html.slice(html.indexOf('data-metric="throughput"'));
    expect(tp).toContain('no samples');
  });

  it('escapes titles, names and context, and runs no script', () => {
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('node <b>');
    expect(html).not.toMatch(/<script\b/i);
  });

  it('renders an empty input as a page that says so', () => {
    expect(renderBenchHtml({ title: 't', runtimes: [] })).toContain('No measurements.');
  });
});
