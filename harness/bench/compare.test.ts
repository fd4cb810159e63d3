import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../lib/user-error.ts';
import { renderComparisonMarkdown } from './bench-markdown.ts';
import { compareReports, readBenchReport, verdictFor } from './compare.ts';
import { benchReport, runtimeBench } from '../testing/bench-reports.ts';

describe('verdictFor', () => {
  it('needs the whole interval beyond the threshold', () => {
    expect(verdictFor(1.11, 1.3, 10)).toBe('regression');
    expect(verdictFor(1.09, 1.3, 10)).toBe('no-change');
    expect(verdictFor(0.5, 0.9, 10)).toBe('improvement');
    expect(verdictFor(0.5, 0.95, 10)).toBe('no-change');
    expect(verdictFor(1.01, 1.02, 0)).toBe('regression');
  });
});

describe('compareReports', () => {
  const baseline = benchReport([runtimeBench('fast', 1), runtimeBench('other', 2)]);

  it('finds no change against itself, and passes the gate', () => {
    const c = compareReports(baseline, baseline, { thresholdPct: 10 });
    expect(c.failed).toBe(false);
    expect(c.regressions).toBe(0);
    expect(c.metrics.every((m) => m.verdict === 'no-change' && m.interval.ratio === 1)).toBe(true);
    expect(c.metrics.map((m) => m.metric)).toContain('payload.response.1048576.endToEnd');
  });

  it('fails the gate on a runtime slowed beyond the threshold, and names the metrics', () => {
    const current = benchReport([runtimeBench('fast', 3), runtimeBench('other', 2)]);
    const c = compareReports(baseline, current, { thresholdPct: 10 });
    expect(c.failed).toBe(true);
    const regressed = c.metrics.filter((m) => m.verdict === 'regression').map((m) => `${m.runtime} ${m.metric}`);
    expect(regressed).toEqual(['fast warm.endToEnd', 'fast warm.runtime']);
    const warm = c.metrics.find((m) => m.runtime === 'fast' && m.metric === 'warm.runtime')!;
    expect(warm.interval.low).toBeGreaterThan(1.1);
    expect(warm.interval.ratio).toBeCloseTo(3, 1);
  });

  it('passes a slowdown within the threshold, and reports an improvement', () => {
    const current = benchReport([runtimeBench('fast', 1.05), runtimeBench('other', 1)]);
    const c = compareReports(baseline, current, { thresholdPct: 10 });
    expect(c.failed).toBe(false);
    expect(c.metrics.find((m) => m.runtime === 'other' && m.metric === 'warm.runtime')!.verdict).toBe('improvement');
  });

  it('does not gate on the harness share', () => {
    const slowHarness = runtimeBench('fast', 1);
    const base = runtimeBench('fast', 1);
    slowHarness.warm!.harness = {
      ...base.warm!.harness,
      samples: base.warm!.harness.samples.map((s) => s * 5),
      p50: base.warm!.harness.p50 * 5,
    };
    const c = compareReports(benchReport([base]), benchReport([slowHarness]), { thresholdPct: 10 });
    const h = c.metrics.find((m) => m.metric === 'warm.harness')!;
    expect(h.verdict).toBe('regression');
    expect(h.gates).toBe(false);
    expect(c.failed).toBe(false);
  });

  it('lists runtimes and metrics present on one side only', () => {
    const current = benchReport([runtimeBench('fast', 1, { payload: [] }), runtimeBench('new', 1)]);
    const c = compareReports(baseline, current, { thresholdPct: 10 });
    expect(c.unmatched).toEqual([
      'other: only in the baseline',
      'fast payload.response.1048576.endToEnd: only in the baseline',
      'fast payload.response.1048576.runtime: only in the baseline',
      'new: not in the baseline',
    ]);
  });

  it('is formatted metric by metric with ratio, interval and verdict', () => {
    const current = benchReport([runtimeBench('fast', 3), runtimeBench('other', 2)], '2026-01-02T00:00:00.000Z');
    const text = renderComparisonMarkdown(compareReports(baseline, current, { thresholdPct: 10, baselinePath: 'base.json' }));
    expect(text).toContain('## Compared with base.json (2026-01-01T00:00:00.000Z)');
    expect(text).toContain('whole interval above 1.10× (threshold 10 %)');
    expect(text).toMatch(
      /\| fast \| warm\.runtime \| 1\.00 ms \(n=50\) \| 3\.00 ms \(n=50\) \| 3\.000× \[\d\.\d{3}, \d\.\d{3}\] \| REGRESSION \|/,
    );
    expect(text).toMatch(
      /\| other \| warm\.runtime \| 2\.00 ms \(n=50\) \| 2\.00 ms \(n=50\) \| 1\.000× \[\d\.\d{3}, \d\.\d{3}\] \| no change \|/,
    );
    expect(text).toContain('| fast | cold.peakRss | 16.0 MiB (n=10) |');
    expect(text).toContain('2 regression(s), 0 improvement(s)');
    expect(text).toContain('**Gate: FAILED**');
  });
});

describe('readBenchReport', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-compare-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a report back', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(benchReport([runtimeBench('fast', 1)])));
    expect(readBenchReport(path).runtimes[0]!.runtime).toBe('fast');
  });

  it('turns a missing file, broken JSON or another format into a UserError naming the file', () => {
    expect(() => readBenchReport(join(dir, 'missing.json'))).toThrow(UserError);
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => readBenchReport(join(dir, 'broken.json'))).toThrow(/broken\.json is not JSON/);
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ format: 'lambdaspec.bench.harness/v1' }));
    expect(() => readBenchReport(join(dir, 'other.json'))).toThrow(/other\.json is not a lambdaspec bench report/);
  });
});
