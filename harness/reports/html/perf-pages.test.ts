import { describe, expect, it } from 'vitest';
import { benchReport, runtimeBench } from '../../testing/bench-reports.ts';
import { newHistogram, summarise, toMicros } from '../../load/latency-histogram.ts';
import type { LatencySummary } from '../../load/load-model.ts';
import { benchMetrics, benchReportHtml, quantileSamples } from './perf-pages.ts';

describe('bench and load reports as pages', () => {
  it('draws every measured distribution of every runtime', () => {
    const report = benchReport([runtimeBench('fast', 1), runtimeBench('slow', 3)]);
    const metrics = benchMetrics(report.runtimes[0]!);
    expect(Object.keys(metrics)).toContain('warm.endToEnd');
    expect(metrics['warm.endToEnd']!.samples).toEqual(report.runtimes[0]!.warm!.endToEnd.samples);
    const html = benchReportHtml(report);
    expect(html).toContain('fast');
    expect(html).toContain('slow');
    expect(html).toContain('warm.endToEnd');
    expect(html).toContain('<svg');
  });

  it('stands quantiles of a load histogram in for its samples', () => {
    const h = newHistogram();
    for (let i = 1; i <= 1000; i++) h.recordValue(toMicros(i / 10));
    const summary: LatencySummary = summarise(h);
    const q = quantileSamples(summary);
    expect(q).toHaveLength(199);
    expect(q[0]!).toBeGreaterThan(0);
    expect(q[98]!).toBeCloseTo(50, 0);
    expect([...q].sort((a, b) => a - b)).toEqual(q);
    // k6: percentiles only.
    const { hdrBase64: _, ...k6 } = summary;
    expect(quantileSamples(k6)).toEqual([k6.min, k6.p50, k6.p90, k6.p99, k6.p99_9, k6.max]);
  });
});
