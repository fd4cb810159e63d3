/**
 * The benchmark and load reports as HTML pages: their report types mapped onto the generic charts page
 * (bench-html.ts) — named sample distributions per runtime.
 */
import type { BenchReport, RuntimeBench } from '../../bench/bench-model.ts';
import { decodeHistogram } from '../../load/latency-histogram.ts';
import type { LatencySummary, LoadReport } from '../../load/load-model.ts';
import type { Distribution } from '../../stats/distribution.ts';
import { renderBenchHtml, type BenchDistribution, type BenchHtmlInput } from './bench-html.ts';

function dist(d: Distribution | undefined): BenchDistribution | undefined {
  return d && d.samples.length > 0 ? { samples: d.samples, unit: d.unit } : undefined;
}

function sizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round(bytes / (1024 * 1024))}MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)}KiB`;
  return `${bytes}B`;
}

/** Every measured distribution of one runtime, by metric name (the names `lambdaspec compare` uses). */
export function benchMetrics(rt: RuntimeBench): Record<string, BenchDistribution> {
  const out: Record<string, BenchDistribution | undefined> = {
    'cold.init': dist(rt.cold?.init),
    'cold.endToEnd': dist(rt.cold?.endToEnd),
    'cold.peakRss': dist(rt.cold?.peakRss),
    'warm.endToEnd': dist(rt.warm?.endToEnd),
    'warm.runtime': dist(rt.warm?.runtime),
  };
  if (rt.streaming && 'firstByte' in rt.streaming) {
    out['streaming.firstByte'] = dist(rt.streaming.firstByte);
    out['streaming.total'] = dist(rt.streaming.total);
  }
  for (const p of rt.payload) out[`payload.${p.direction}.${sizeLabel(p.bytes)}`] = dist(p.endToEnd);
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, BenchDistribution] => e[1] !== undefined));
}

export function benchReportHtml(report: BenchReport): string {
  const input: BenchHtmlInput = {
    title: report.runtimes.length > 1 ? 'lambdaspec bench — runtimes side by side' : `lambdaspec bench — ${report.runtimes[0]?.runtime ?? ''}`,
    subtitle: report.method,
    generatedAt: report.finishedAt,
    context: {
      machine: `${report.machine.cpus} × ${report.machine.cpuModel}, load ${report.machine.loadAverage.toFixed(1)}`,
      node: report.machine.node,
      duration: `${(report.durationMs / 1000).toFixed(1)} s`,
    },
    runtimes: report.runtimes.map((rt) => ({ name: rt.runtime, metrics: benchMetrics(rt) })),
  };
  return renderBenchHtml(input);
}

/**
 * A load run keeps whole histograms, not samples: 199 quantiles (0.5 % … 99.5 %) stand in for the samples, which
 * draws the same CDF, box and histogram shapes.
 */
export function quantileSamples(summary: LatencySummary): number[] {
  if (summary.hdrBase64) {
    const h = decodeHistogram(summary.hdrBase64);
    const samples: number[] = [];
    for (let p = 0.5; p < 100; p += 0.5) samples.push(h.getValueAtPercentile(p) / 1000);
    h.destroy();
    return samples;
  }
  // k6 exports percentiles only.
  return summary.count > 0 ? [summary.min, summary.p50, summary.p90, summary.p99, summary.p99_9, summary.max] : [];
}

export function loadReportHtml(report: LoadReport): string {
  const metrics: Record<string, BenchDistribution> = {
    latency: { samples: quantileSamples(report.latency.uncorrected), unit: 'ms' },
  };
  if (report.latency.corrected) metrics['latency (corrected for coordinated omission)'] = { samples: quantileSamples(report.latency.corrected), unit: 'ms' };
  const errors = report.errors.total > 0 ? `${report.errors.total} (${JSON.stringify({ ...report.errors.transport, ...report.errors.http, ...report.errors.functionError })})` : '0';
  return renderBenchHtml({
    title: `lambdaspec load — ${report.runtime ?? report.target.url}`,
    subtitle: `${report.engine} engine, ${report.options.model} model, concurrency ${report.options.concurrency}${report.options.ratePerSecond ? `, ${report.options.ratePerSecond} req/s` : ''}`,
    generatedAt: report.startedAt,
    context: {
      sent: String(report.counts.sent),
      ok: String(report.counts.ok),
      throughput: `${report.throughput.requestsPerSecond.toFixed(1)} req/s`,
      errors,
      'cold starts': String(report.coldStarts.fromEnvironments ?? report.coldStarts.fromLogTail ?? 'unknown'),
      ...(report.engine === 'k6' ? { samples: 'k6 exports percentiles only: min, p50, p90, p99, p99.9, max are drawn' } : {}),
    },
    runtimes: [{ name: report.runtime ?? 'url', metrics }],
  });
}
