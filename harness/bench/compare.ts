/**
 * Comparing two bench reports metric by metric: the ratio of medians (current / baseline) with a seeded bootstrap
 * confidence interval, and a verdict that only counts what the noise cannot explain — a regression needs the whole
 * interval above 1 + threshold, an improvement the whole interval below 1 / (1 + threshold).
 */
import { readFileSync } from 'node:fs';
import { bootstrapMedianRatio, type BootstrapOptions } from '../stats/bootstrap.ts';
import { UserError } from '../lib/user-error.ts';
import { BENCH_FORMAT, type BenchReport, type ChangeVerdict, type ComparisonReport, type MetricComparison } from './bench-model.ts';
import { metricsOf } from './metrics.ts';

export interface CompareOptions extends BootstrapOptions {
  /** Allowed slowdown in percent (e.g. 10: a median up to 1.1× the baseline is not a regression). */
  thresholdPct: number;
  baselinePath?: string;
  currentPath?: string;
}

/** Read a bench report (summary.json or <runtime>.json); a missing or foreign file is the user's to fix. */
export function readBenchReport(path: string): BenchReport {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read bench report ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const format = typeof parsed === 'object' && parsed !== null ? (parsed as { format?: unknown }).format : undefined;
  if (format !== BENCH_FORMAT || !Array.isArray((parsed as { runtimes?: unknown }).runtimes)) {
    throw new UserError(`${path} is not a lambdaspec bench report (format ${JSON.stringify(format)}, expected "${BENCH_FORMAT}")`);
  }
  return parsed as BenchReport;
}

export function verdictFor(low: number, high: number, thresholdPct: number): ChangeVerdict {
  const limit = 1 + thresholdPct / 100;
  if (low > limit) return 'regression';
  if (high < 1 / limit) return 'improvement';
  return 'no-change';
}

export function compareReports(baseline: BenchReport, current: BenchReport, options: CompareOptions): ComparisonReport {
  if (!(options.thresholdPct >= 0)) throw new UserError(`--max-regression: ${options.thresholdPct} is not a percentage ≥ 0`);
  const metrics: MetricComparison[] = [];
  const unmatched: string[] = [];
  const baseByName = new Map(baseline.runtimes.map((r) => [r.runtime, r]));
  const currentNames = new Set(current.runtimes.map((r) => r.runtime));
  for (const name of baseByName.keys()) if (!currentNames.has(name)) unmatched.push(`${name}: only in the baseline`);
  for (const cur of current.runtimes) {
    const base = baseByName.get(cur.runtime);
    if (!base) {
      unmatched.push(`${cur.runtime}: not in the baseline`);
      continue;
    }
    const baseMetrics = new Map(metricsOf(base).map((m) => [m.id, m]));
    const curMetrics = metricsOf(cur);
    for (const id of baseMetrics.keys())
      if (!curMetrics.some((m) => m.id === id)) unmatched.push(`${cur.runtime} ${id}: only in the baseline`);
    for (const m of curMetrics) {
      const b = baseMetrics.get(m.id);
      if (!b) {
        unmatched.push(`${cur.runtime} ${m.id}: not in the baseline`);
        continue;
      }
      if (!(b.distribution.p50 > 0)) {
        unmatched.push(`${cur.runtime} ${m.id}: baseline median is 0, no ratio`);
        continue;
      }
      const interval = bootstrapMedianRatio(b.distribution.samples, m.distribution.samples, options);
      metrics.push({
        runtime: cur.runtime,
        metric: m.id,
        label: m.label,
        unit: m.distribution.unit,
        baselineMedian: b.distribution.p50,
        currentMedian: m.distribution.p50,
        baselineCount: b.distribution.count,
        currentCount: m.distribution.count,
        interval,
        verdict: verdictFor(interval.low, interval.high, options.thresholdPct),
        gates: m.gates,
      });
    }
  }
  const regressions = metrics.filter((m) => m.verdict === 'regression').length;
  return {
    thresholdPct: options.thresholdPct,
    baseline: { ...(options.baselinePath ? { path: options.baselinePath } : {}), startedAt: baseline.startedAt },
    current: { ...(options.currentPath ? { path: options.currentPath } : {}), startedAt: current.startedAt },
    metrics,
    unmatched,
    regressions,
    improvements: metrics.filter((m) => m.verdict === 'improvement').length,
    failed: metrics.some((m) => m.verdict === 'regression' && m.gates),
  };
}
