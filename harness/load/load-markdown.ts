/** The Markdown summary of a `LoadReport` that `lambdaspec load` prints. */
import { mdCode } from '../lib/markdown-escape.ts';
import type { ErrorCounts, LatencySummary, LoadReport } from './load-model.ts';

function latencyRow(name: string, l: LatencySummary): string {
  return `| ${name} | ${l.count} | ${l.p50} | ${l.p90} | ${l.p99} | ${l.p99_9} | ${l.max} |`;
}

function errorLines(e: ErrorCounts): string[] {
  if (e.total === 0) return ['No errors.'];
  const lines = [`Errors: ${e.total}`];
  for (const [kind, map] of [
    ['transport', e.transport],
    ['HTTP status', e.http],
    ['function error', e.functionError],
  ] as const) {
    for (const [key, n] of Object.entries(map).sort((a, b) => b[1] - a[1])) lines.push(`- ${kind} ${mdCode(key)}: ${n}`);
  }
  return lines;
}

export function loadMarkdown(r: LoadReport): string {
  const o = r.options;
  const shape = o.model === 'open' ? `open model, ${o.ratePerSecond}/s` : 'closed model';
  const what = r.runtime ?? r.target.url;
  const c = r.coldStarts;
  const lines = [
    `## Load: ${what} (${r.engine})`,
    '',
    `${shape}, concurrency ${o.concurrency}${o.stages ? `, ${o.stages.length} stages` : ''}, up to ${o.durationMs} ms / ${o.requests} requests${o.profile ? `, profile ${o.profile}` : ''}`,
    '',
    `Sent ${r.counts.sent}, completed ${r.counts.completed}, ok ${r.counts.ok}${r.counts.missedSchedule !== undefined ? `, missed schedule ${r.counts.missedSchedule}` : ''} in ${(r.elapsedMs / 1000).toFixed(2)} s: **${r.throughput.requestsPerSecond} req/s** (${r.throughput.okPerSecond} ok/s)`,
    '',
    '| latency (ms) | count | p50 | p90 | p99 | p99.9 | max |',
    '|---|---|---|---|---|---|---|',
    latencyRow('from send', r.latency.uncorrected),
    ...(r.latency.corrected ? [latencyRow('from schedule (CO-corrected)', r.latency.corrected)] : []),
    '',
    ...errorLines(r.errors),
    '',
    c.environmentsCreated === null
      ? 'Cold starts: not observable for this target.'
      : `Cold starts: ${c.fromEnvironments} (environments created ${c.environmentsCreated}, processes started ${c.processesStarted}${c.fromLogTail !== null ? `, seen in log tails ${c.fromLogTail}` : ''})`,
    ...(r.k6 ? ['', `k6 ${r.k6.version}`] : []),
    ...(r.notes.length ? ['', ...r.notes.map((n) => `- note: ${n}`)] : []),
    '',
  ];
  return lines.join('\n');
}
