/**
 * Latency as counters that add up: the k6 script counts each response in one log-linear bucket (a Counter per
 * bucket), so the summaries of any number of k6 instances — local segments or k6-operator runner pods — merge
 * exactly on counts, and quantiles read from the merged buckets are within half a bucket of the true ones.
 * Percentile figures in a k6 summary do not add; counters do.
 *
 * Buckets, in µs: below 32 µs one per µs; above, 32 per power of two (the top 5 bits of the value), so a bucket
 * spans at most 1/32 of its lower bound and its midpoint is within 1/64 (1.6 %) of every value in it.
 */
import * as hdr from 'hdr-histogram-js';
import { newHdrHistogram } from '../stats/histogram.ts';

export const LATENCY_BUCKET_METRIC = 'lambdaspec_latency_bucket_';
const SUB_BITS = 5;
const SUB = 1 << SUB_BITS;
/** Values above ~17 minutes (2^30 µs) share the top bucket; every bounded run ends long before that. */
const MAX_EXPONENT = 30;
export const LATENCY_BUCKETS = SUB + (MAX_EXPONENT - SUB_BITS + 1) * SUB;
/** The largest relative error of a quantile read from the buckets (midpoint vs any value in the bucket). */
export const LATENCY_BUCKET_RELATIVE_ERROR = 1 / (2 * SUB);

/**
 * The bucket of a latency in µs. The k6 script runs this very function (its source is inlined there), so the
 * script and the fold cannot disagree on a boundary. Self-contained on purpose: no closure, no import.
 */
export function latencyBucket(us: number): number {
  const v = Math.max(0, Math.floor(us));
  if (v < 32) return v;
  const e = Math.min(30, Math.floor(Math.log2(v)));
  const top = Math.min(63, Math.floor(v / Math.pow(2, e - 5)));
  return 32 + (e - 5) * 32 + (top - 32);
}

/** [low, high) of a bucket in µs. */
export function bucketRange(index: number): [number, number] {
  if (index < SUB) return [index, index + 1];
  const e = Math.floor((index - SUB) / SUB) + SUB_BITS;
  const top = ((index - SUB) % SUB) + SUB;
  const width = 2 ** (e - SUB_BITS);
  return [top * width, (top + 1) * width];
}

/** The JavaScript the k6 script needs: the bucket function and one Counter per bucket. */
export function latencyBucketScript(): string {
  return [
    `const latencyBucket = ${latencyBucket.toString()};`,
    `const latencyBuckets = Array.from({ length: ${LATENCY_BUCKETS} }, (_, i) => new Counter(${JSON.stringify(LATENCY_BUCKET_METRIC)} + i));`,
  ].join('\n');
}

/** Bucket counts (index → count) as an HDR histogram: each bucket's count recorded at its midpoint. */
export function histogramOfBuckets(counts: ReadonlyMap<number, number>): hdr.Histogram {
  const h = newHdrHistogram();
  for (const [index, count] of counts) {
    if (count <= 0) continue;
    const [low, high] = bucketRange(index);
    h.recordValueWithCount(Math.max(1, Math.round((low + high - 1) / 2)), count);
  }
  return h;
}
