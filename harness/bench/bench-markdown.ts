/** Markdown views of bench reports: one runtime's figures, the side-by-side summary, and a comparison's verdicts. */
import { mdCode } from '../lib/markdown-escape.ts';
import type { BenchReport, ComparisonReport, MetricComparison, RuntimeBench, SummaryRow } from './bench-model.ts';
import { formatBytes, metricsOf } from './metrics.ts';

/** A figure with about three significant digits, no exponent. */
export function formatNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

function unitText(unit: string): string {
  return unit === '/s' ? ' /s' : ` ${unit}`;
}

function notes(rt: RuntimeBench): string[] {
  const out: string[] = [];
  const truncated = [
    rt.cold?.truncated ? `cold starts (${rt.cold.count})` : undefined,
    rt.warm?.truncated ? `warm (${rt.warm.count})` : undefined,
    rt.streaming && 'truncated' in rt.streaming && rt.streaming.truncated ? `streaming (${rt.streaming.count})` : undefined,
    ...rt.payload.filter((p) => p.truncated).map((p) => `${formatBytes(p.bytes)} ${p.direction} (${p.count})`),
  ].filter((s): s is string => s !== undefined);
  if (truncated.length > 0) out.push(`${rt.runtime}: cut short by the time budget: ${truncated.join(', ')}`);
  if (rt.streaming && 'skipped' in rt.streaming) out.push(`${rt.runtime}: streaming not measured (${rt.streaming.skipped})`);
  for (const e of rt.errors) out.push(`${rt.runtime}: ${mdCode(e)}`);
  return out;
}

function header(report: BenchReport, title: string): string[] {
  const m = report.machine;
  const s = report.settings;
  return [
    `# ${title}`,
    '',
    `${report.startedAt} · ${(report.durationMs / 1000).toFixed(0)} s · ${m.cpus} × ${m.cpuModel} · Node ${m.node} · load ${m.loadAverage}`,
    '',
    `Settings: ${s.coldStarts} cold starts, ${s.warmup} warm-up + ${s.warmInvocations} warm invocations (batches of ${s.warmBatch}), ` +
      `${s.streamInvocations} streamed, payloads ${s.payloadSizes.map(formatBytes).join(' / ')} × ${s.payloadRepetitions}, ` +
      `at most ${(s.phaseBudgetMs / 1000).toFixed(0)} s per runtime and phase.`,
    '',
  ];
}

/** One runtime: every metric's distribution. */
export function renderRuntimeMarkdown(report: BenchReport, rt: RuntimeBench): string {
  const lines = header(report, `lambdaspec bench: ${rt.runtime}`);
  lines.push('| metric | n | p50 | p90 | p99 | max | mean |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const m of metricsOf(rt)) {
    const d = m.distribution;
    lines.push(`| ${m.label} (${d.unit}) | ${d.count} | ${[d.p50, d.p90, d.p99, d.max, d.mean].map(formatNumber).join(' | ')} |`);
  }
  if (rt.warm) lines.push(`| warm throughput (/s) | ${rt.warm.count} | ${formatNumber(rt.warm.throughputPerSecond)} | | | | |`);
  const n = notes(rt);
  if (n.length > 0) lines.push('', ...n.map((l) => `- ${l}`));
  lines.push('', `Method: ${report.method}`, '');
  return lines.join('\n');
}

function cell(row: SummaryRow, name: string): string {
  const v = row.values[name];
  if (v === undefined) return '—';
  const r = row.ratios[name];
  const ratio = r === undefined ? '' : r === 1 ? ' **(1×)**' : ` (${r.toFixed(2)}×)`;
  return `${formatNumber(v)}${ratio}`;
}

function table(rows: SummaryRow[], names: string[], heading: (r: SummaryRow) => string): string[] {
  if (rows.length === 0) return [];
  return [
    `| runtime | ${rows.map(heading).join(' | ')} |`,
    `|---|${rows.map(() => '---:').join('|')}|`,
    ...names.map((name) => `| ${name} | ${rows.map((r) => cell(r, name)).join(' | ')} |`),
  ];
}

const SHORT: Record<string, string> = {
  'cold.init': 'cold init',
  'cold.endToEnd': 'cold invoke',
  'cold.peakRss': 'peak RSS',
  'warm.endToEnd': 'warm invoke',
  'warm.runtime': 'warm, runtime share',
  'warm.throughput': 'warm throughput',
  'streaming.firstByte': 'stream first byte',
  'streaming.total': 'stream total',
};

/** Several runtimes side by side: medians with the ratio to the best (1× in bold). */
export function renderSummaryMarkdown(report: BenchReport): string {
  const rows = report.summary ?? [];
  const names = report.runtimes.map((r) => r.runtime);
  const lines = header(report, 'lambdaspec bench: runtimes side by side');
  const main = rows.filter((r) => !r.metric.startsWith('payload.'));
  const payload = rows.filter((r) => r.metric.startsWith('payload.'));
  lines.push(
    'Medians (warm throughput: invocations/s, one at a time); in brackets the ratio to the best runtime, 1× in bold.',
    'Times in ms, memory in MiB. "runtime share": event handed out on /next → response complete, at the fake Runtime API.',
    '',
    ...table(main, names, (r) => `${SHORT[r.metric] ?? r.label} (${r.unit})`),
    '',
  );
  if (payload.length > 0) {
    lines.push(
      'Payload scaling, end to end (ms): an event of that size with a small response, or a small event with a response of that size.',
      '',
    );
    lines.push(
      ...table(payload, names, (r) => {
        const [, dir, bytes] = r.metric.split('.');
        return `${formatBytes(Number(bytes))} ${dir}`;
      }),
      '',
    );
  }
  const n = report.runtimes.flatMap(notes);
  if (n.length > 0) lines.push('Notes:', '', ...n.map((l) => `- ${l}`), '');
  lines.push(`Method: ${report.method}`, '');
  if (report.comparison) lines.push(renderComparisonMarkdown(report.comparison));
  return lines.join('\n');
}

const MARK: Record<MetricComparison['verdict'], string> = {
  regression: 'REGRESSION',
  improvement: 'improvement',
  'no-change': 'no change',
};

function ciText(m: MetricComparison): string {
  return `${m.interval.ratio.toFixed(3)}× [${m.interval.low.toFixed(3)}, ${m.interval.high.toFixed(3)}]`;
}

/** The comparison as a Markdown table (also readable as plain text on a terminal). */
export function renderComparisonMarkdown(c: ComparisonReport): string {
  const confidence = c.metrics[0] ? `${Math.round(c.metrics[0].interval.confidence * 100)} %` : '95 %';
  const lines = [
    `## Compared with ${c.baseline.path ?? 'the baseline'} (${c.baseline.startedAt})`,
    '',
    `Ratio of medians current / baseline with its ${confidence} bootstrap confidence interval; a regression needs the whole ` +
      `interval above ${(1 + c.thresholdPct / 100).toFixed(2)}× (threshold ${c.thresholdPct} %), an improvement the whole interval ` +
      `below ${(1 / (1 + c.thresholdPct / 100)).toFixed(2)}×.`,
    '',
    '| runtime | metric | baseline | current | ratio [CI] | verdict |',
    '|---|---|---:|---:|---|---|',
  ];
  for (const m of c.metrics) {
    const verdict = m.verdict === 'regression' && !m.gates ? `${MARK[m.verdict]} (not gating)` : MARK[m.verdict];
    lines.push(
      `| ${m.runtime} | ${m.metric} | ${formatNumber(m.baselineMedian)}${unitText(m.unit)} (n=${m.baselineCount}) | ` +
        `${formatNumber(m.currentMedian)}${unitText(m.unit)} (n=${m.currentCount}) | ${ciText(m)} | ${verdict} |`,
    );
  }
  lines.push(
    '',
    `${c.regressions} regression(s), ${c.improvements} improvement(s), ${c.metrics.length - c.regressions - c.improvements} without a change beyond the noise.`,
  );
  if (c.unmatched.length > 0) lines.push('', 'Not compared:', '', ...c.unmatched.map((u) => `- ${u}`));
  lines.push('', c.failed ? '**Gate: FAILED** (a runtime metric regressed beyond the threshold)' : 'Gate: passed', '');
  return lines.join('\n');
}
