import { describe, expect, it } from 'vitest';
import { formatNumber, renderRuntimeMarkdown, renderSummaryMarkdown } from './bench-markdown.ts';
import { formatBytes, metricsOf, summaryRows } from './metrics.ts';
import { benchReport, runtimeBench } from '../testing/bench-reports.ts';

describe('summaryRows', () => {
  const runtimes = [runtimeBench('slow', 3), runtimeBench('fast', 1)];
  const rows = summaryRows(runtimes);
  const row = (id: string) => rows.find((r) => r.metric === id)!;

  it('takes medians and divides by the fastest runtime', () => {
    expect(row('warm.runtime').values).toEqual({ slow: 3, fast: 1 });
    expect(row('warm.runtime').ratios).toEqual({ slow: 3, fast: 1 });
    expect(row('warm.endToEnd').ratios).toEqual({ slow: 2.43, fast: 1 });
  });

  it('ranks throughput the other way round', () => {
    const t = row('warm.throughput');
    expect(t.lowerIsBetter).toBe(false);
    expect(t.ratios).toEqual({ slow: 2.43, fast: 1 });
  });

  it('leaves out figures no runtime has, and lists payload points after the others', () => {
    expect(rows.some((r) => r.metric.startsWith('streaming.'))).toBe(false);
    expect(rows.map((r) => r.metric).slice(-2)).toEqual(['warm.throughput', 'payload.response.1048576.endToEnd']);
  });
});

describe('renderSummaryMarkdown', () => {
  const slow = runtimeBench('slow', 3, { errors: ['payload response.6291456: HTTP 500'] });
  slow.warm!.truncated = true;
  const report = benchReport([slow, runtimeBench('fast', 1)]);
  report.summary = summaryRows(report.runtimes);
  const md = renderSummaryMarkdown(report);

  it('puts runtimes in rows with the ratio to the best, the best in bold', () => {
    expect(md).toContain(
      '| runtime | cold init (ms) | cold invoke (ms) | peak RSS (MiB) | warm invoke (ms) | warm, runtime share (ms) | warm throughput (/s) |',
    );
    expect(md).toMatch(
      /\| slow \| 40\.0 \*\*\(1×\)\*\* \| 45\.0 \*\*\(1×\)\*\* \| 16\.0 \*\*\(1×\)\*\* \| 3\.40 \(2\.43×\) \| 3\.00 \(3\.00×\) \| 294 \(2\.43×\) \|/,
    );
    expect(md).toMatch(/\| fast \| .* \| 1\.40 \*\*\(1×\)\*\* \| 1\.00 \*\*\(1×\)\*\* \| 714 \*\*\(1×\)\*\* \|/);
    expect(md).toContain('| runtime | 1 MiB response |');
  });

  it('notes cut-short phases, skipped streaming and failed invocations', () => {
    expect(md).toContain('- slow: cut short by the time budget: warm (50)');
    expect(md).toContain('- fast: streaming not measured (runtime.yaml does not declare capability streaming)');
    expect(md).toContain('- slow: `payload response.6291456: HTTP 500`');
  });
});

describe('renderRuntimeMarkdown', () => {
  it('lists every metric with its percentiles', () => {
    const rt = runtimeBench('fast', 1);
    const md = renderRuntimeMarkdown(benchReport([rt]), rt);
    expect(md).toContain('| warm invoke: runtime (handed out → response) (ms) | 50 | 1.00 |');
    expect(md).toContain('| 1 MiB response: end to end (ms) | 5 | 20.0 |');
    expect(md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| metric')).length).toBe(metricsOf(rt).length + 1);
  });
});

describe('formatting', () => {
  it('keeps about three significant digits', () => {
    expect([0.12345, 1.2345, 12.345, 123.45, 1234.5].map(formatNumber)).toEqual(['0.123', '1.23', '12.3', '123', '1235']);
  });

  it('names sizes in KiB and MiB', () => {
    expect([1024, 65536, 1048576, 6291456, 1000].map(formatBytes)).toEqual(['1 KiB', '64 KiB', '1 MiB', '6 MiB', '1000 B']);
  });
});
