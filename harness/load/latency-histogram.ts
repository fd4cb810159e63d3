/**
 * Latency histograms in microseconds on HdrHistogram (hdr-histogram-js): constant memory whatever the request count,
 * exact to 3 significant digits, mergeable and exportable in HdrHistogram's own compressed encoding.
 */
import * as hdr from 'hdr-histogram-js';
import { newHdrHistogram, recordable } from '../stats/histogram.ts';
import type { LatencySummary } from './load-model.ts';

/** Same settings as the bench's histograms (stats/histogram.ts), so the two encodings compare. */
export function newHistogram(): hdr.Histogram {
  return newHdrHistogram();
}

/** Microseconds as HDR stores them. */
export function toMicros(ms: number): number {
  return recordable(ms, 1000);
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Percentiles in ms, plus the encoded histogram (omitted for an empty one). */
export function summarise(h: hdr.Histogram, withHistogram = true): LatencySummary {
  const count = h.totalCount;
  const ms = (us: number): number => round3(us / 1000);
  // Percentiles are reported as the top of their bucket, which can pass the (exactly kept) max: clamp to it.
  const at = (p: number): number => ms(Math.min(h.getValueAtPercentile(p), h.maxValue));
  if (count === 0) return { count: 0, min: 0, mean: 0, stdev: 0, p50: 0, p90: 0, p99: 0, p99_9: 0, max: 0 };
  return {
    count,
    min: ms(h.minNonZeroValue),
    mean: ms(h.mean),
    stdev: ms(h.stdDeviation),
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p99_9: at(99.9),
    max: ms(h.maxValue),
    ...(withHistogram ? { hdrBase64: hdr.encodeIntoCompressedBase64(h) } : {}),
  };
}

export function decodeHistogram(base64: string): hdr.Histogram {
  return hdr.decodeFromCompressedBase64(base64);
}
