/**
 * Folding k6 summaries into one `LoadReport` shape: one summary (a single instance), several (the segments of one
 * run, on this machine or as k6-operator runner pods). Counts and error counters add exactly; latency comes from
 * the script's bucket counters (k6-latency-buckets.ts), which add too, so the merged quantiles are within
 * LATENCY_BUCKET_RELATIVE_ERROR of the true ones; min and max are exact (the smallest min, the largest max).
 */
import { readFileSync } from 'node:fs';
import { UserError } from '../lib/user-error.ts';
import { histogramOfBuckets, LATENCY_BUCKET_METRIC } from './k6-latency-buckets.ts';
import { K6_BROKEN_OUT_STATUSES, K6_METRICS, K6_SUMMARY_MARKER, type K6ScriptMeta } from './k6-script.ts';
import { summarise } from './latency-histogram.ts';
import {
  bump,
  emptyErrorCounts,
  type ErrorCounts,
  type K6SegmentFold,
  type LatencySummary,
  type LoadCounts,
  type LoadModel,
} from './load-model.ts';

/** A metric as `--summary-export` writes it: trends have stats, counters count/rate, rates passes/fails/value. */
type SummaryMetric = Record<string, number | Record<string, boolean>>;
export interface K6SummaryExport {
  metrics: Record<string, SummaryMetric>;
}

export interface K6Fold {
  counts: LoadCounts;
  elapsedMs: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  errors: ErrorCounts;
  /** How the latency figures were obtained, for the report's notes. */
  latencyMethod: 'buckets' | 'k6-percentiles';
  /** Per instance, when more than one summary was folded. */
  segments?: K6SegmentFold[];
}

const num = (m: SummaryMetric | undefined, key: string): number => {
  const v = m?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function errorsOf(m: K6SummaryExport['metrics']): ErrorCounts {
  const errors = emptyErrorCounts();
  const httpTotal = num(m[K6_METRICS.http], 'count');
  let brokenOut = 0;
  for (const s of K6_BROKEN_OUT_STATUSES) {
    const c = num(m[`${K6_METRICS.http}{status:${s}}`], 'count');
    if (c > 0) bump(errors.http, String(s), c);
    brokenOut += c;
  }
  if (httpTotal > brokenOut) bump(errors.http, 'other', httpTotal - brokenOut);
  const fnTotal = num(m[K6_METRICS.functionError], 'count');
  // The script sees only the header; the types come from the front (see the report's notes).
  if (fnTotal > 0) bump(errors.functionError, 'X-Amz-Function-Error', fnTotal);
  const transport = num(m[K6_METRICS.transport], 'count');
  if (transport > 0) bump(errors.transport, 'k6', transport);
  errors.total = httpTotal + fnTotal + transport;
  return errors;
}

function addErrors(into: ErrorCounts, from: ErrorCounts): void {
  into.total += from.total;
  for (const kind of ['http', 'functionError', 'transport'] as const)
    for (const [k, n] of Object.entries(from[kind])) bump(into[kind], k, n);
}

/** Bucket index → count, from a summary's bucket counters. */
function bucketsOf(m: K6SummaryExport['metrics']): Map<number, number> {
  const counts = new Map<number, number>();
  for (const [name, metric] of Object.entries(m)) {
    if (!name.startsWith(LATENCY_BUCKET_METRIC)) continue;
    const index = Number(name.slice(LATENCY_BUCKET_METRIC.length));
    if (Number.isInteger(index)) counts.set(index, (counts.get(index) ?? 0) + num(metric, 'count'));
  }
  return counts;
}

function instanceFold(
  summary: K6SummaryExport,
  model: LoadModel,
): Omit<K6Fold, 'latencyMethod' | 'segments'> & { buckets: Map<number, number> } {
  const m = summary.metrics;
  const sent = num(m['http_reqs'], 'count');
  const rate = num(m['http_reqs'], 'rate');
  const errors = errorsOf(m);
  const duration = m['http_req_duration'];
  const buckets = bucketsOf(m);
  const latency: LatencySummary =
    buckets.size > 0
      ? {
          ...summarise(histogramOfBuckets(buckets)),
          min: round3(num(duration, 'min')),
          max: round3(num(duration, 'max')),
          mean: round3(num(duration, 'avg')),
        }
      : {
          count: num(duration, 'count') || sent,
          min: round3(num(duration, 'min')),
          mean: round3(num(duration, 'avg')),
          p50: round3(num(duration, 'p(50)')),
          p90: round3(num(duration, 'p(90)')),
          p99: round3(num(duration, 'p(99)')),
          p99_9: round3(num(duration, 'p(99.9)')),
          max: round3(num(duration, 'max')),
        };
  return {
    // Only an arrival-rate schedule can miss slots; shared-iterations "drops" what the time limit left undone.
    counts: {
      sent,
      completed: sent,
      ok: Math.max(0, sent - errors.total),
      ...(model === 'open' ? { missedSchedule: num(m['dropped_iterations'], 'count') } : {}),
    },
    elapsedMs: rate > 0 ? round3((sent / rate) * 1000) : 0,
    requestsPerSecond: Math.round(rate * 10) / 10,
    latency,
    errors,
    buckets,
  };
}

/** Fold one summary (a single k6 instance). */
export function foldK6Summary(summary: K6SummaryExport, model: LoadModel): K6Fold {
  return foldK6Summaries([{ summary, source: 'k6' }], model);
}

/** Fold the summaries of the instances of one run into one report's figures, with a per-instance breakdown. */
export function foldK6Summaries(parts: ReadonlyArray<{ summary: K6SummaryExport; source: string }>, model: LoadModel): K6Fold {
  if (parts.length === 0) throw new UserError('load fold: no k6 summary to fold');
  const folds = parts.map((p) => ({ ...instanceFold(p.summary, model), source: p.source }));
  const bucketed = folds.every((f) => f.buckets.size > 0 || f.counts.sent === 0);
  if (folds.length > 1 && !bucketed) {
    const missing = folds.filter((f) => f.buckets.size === 0).map((f) => f.source);
    throw new UserError(
      `load fold: ${missing.join(', ')} carries no latency buckets (not a lambdaspec k6 script): percentiles of separate runs cannot be merged`,
    );
  }
  if (folds.length === 1) {
    const { buckets: _b, source: _s, ...only } = folds[0]!;
    return { ...only, latencyMethod: bucketed ? 'buckets' : 'k6-percentiles' };
  }
  const counts: LoadCounts = { sent: 0, completed: 0, ok: 0, ...(model === 'open' ? { missedSchedule: 0 } : {}) };
  const errors = emptyErrorCounts();
  const merged = new Map<number, number>();
  let weightedMean = 0;
  for (const f of folds) {
    counts.sent += f.counts.sent;
    counts.completed += f.counts.completed;
    counts.ok += f.counts.ok;
    if (counts.missedSchedule !== undefined) counts.missedSchedule += f.counts.missedSchedule ?? 0;
    addErrors(errors, f.errors);
    for (const [b, n] of f.buckets) merged.set(b, (merged.get(b) ?? 0) + n);
    weightedMean += f.latency.mean * f.latency.count;
  }
  // The instances run side by side: the run lasts as long as the longest of them.
  const elapsedMs = Math.max(...folds.map((f) => f.elapsedMs));
  const withSamples = folds.filter((f) => f.latency.count > 0);
  const latency = summarise(histogramOfBuckets(merged));
  if (withSamples.length > 0) {
    latency.min = Math.min(...withSamples.map((f) => f.latency.min));
    latency.max = Math.max(...withSamples.map((f) => f.latency.max));
    latency.mean = round3(weightedMean / Math.max(1, latency.count));
  }
  return {
    counts,
    elapsedMs,
    requestsPerSecond: elapsedMs > 0 ? Math.round((counts.completed / (elapsedMs / 1000)) * 10) / 10 : 0,
    latency,
    errors,
    latencyMethod: 'buckets',
    segments: folds.map((f) => ({
      source: f.source,
      counts: f.counts,
      elapsedMs: f.elapsedMs,
      requestsPerSecond: f.requestsPerSecond,
      latency: { count: f.latency.count, p50: f.latency.p50, p99: f.latency.p99, max: f.latency.max },
      errors: f.errors.total,
    })),
  };
}

/** handleSummary's data (`metrics.<name>.values`) in the `--summary-export` shape (`metrics.<name>`). */
function asSummaryExport(data: unknown): K6SummaryExport | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const metrics = (data as { metrics?: unknown }).metrics;
  if (typeof metrics !== 'object' || metrics === null) return undefined;
  const out: Record<string, SummaryMetric> = {};
  for (const [name, m] of Object.entries(metrics as Record<string, unknown>)) {
    if (typeof m !== 'object' || m === null) continue;
    const values = (m as { values?: unknown }).values;
    out[name] = (typeof values === 'object' && values !== null ? values : m) as SummaryMetric;
  }
  return { metrics: out };
}

/**
 * The k6 summaries in one file: a `--summary-export` JSON, a handleSummary JSON, or a log (e.g. `kubectl logs` of
 * the runner pods, prefixed or not) holding `LAMBDASPEC_K6_SUMMARY {json}` lines, one per instance.
 */
export interface K6Output {
  summary: K6SummaryExport;
  source: string;
  /** The options and target, when the script printed them (k6-operator exports). */
  meta?: K6ScriptMeta;
}

function metaOf(data: unknown): K6ScriptMeta | undefined {
  const meta = (data as { lambdaspec?: Partial<K6ScriptMeta> } | null)?.lambdaspec;
  return meta && typeof meta.url === 'string' && typeof meta.options === 'object' && meta.options !== null
    ? (meta as K6ScriptMeta)
    : undefined;
}

export function readK6Outputs(path: string): K6Output[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(
      `load fold: ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? String(e)})`}`,
    );
  }
  const whole = ((): unknown => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  })();
  const direct = whole === undefined ? undefined : asSummaryExport(whole);
  if (direct) {
    const meta = metaOf(whole);
    return [{ summary: direct, source: path, ...(meta ? { meta } : {}) }];
  }
  const found: K6Output[] = [];
  text.split('\n').forEach((line, i) => {
    const at = line.indexOf(K6_SUMMARY_MARKER);
    if (at === -1) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line.slice(at + K6_SUMMARY_MARKER.length));
    } catch {
      throw new UserError(`load fold: ${path}:${i + 1}: a ${K6_SUMMARY_MARKER.trim()} line that is not JSON (cut off?)`);
    }
    const summary = asSummaryExport(parsed);
    if (!summary) throw new UserError(`load fold: ${path}:${i + 1}: not a k6 summary`);
    const meta = metaOf(parsed);
    found.push({ summary, source: `${path}:${i + 1}`, ...(meta ? { meta } : {}) });
  });
  if (found.length === 0)
    throw new UserError(`load fold: ${path}: neither a k6 summary JSON nor a log with ${K6_SUMMARY_MARKER.trim()} lines`);
  return found;
}
