/**
 * HDR histograms of latency samples (hdr-histogram-js): values recorded in microseconds with 3 significant digits,
 * so every figure read back is within 0.1 % of the sample it stands for. The encoded form is HdrHistogram's
 * compressed base64 (V2), readable by any HdrHistogram implementation; the buckets are the recorded values in
 * ascending order, ready to draw.
 */
import * as hdr from 'hdr-histogram-js';
import type { JsHistogram } from 'hdr-histogram-js';

export const HDR_SIGNIFICANT_DIGITS = 3;
/** One hour in µs: far above any invocation or bounded run; larger samples are clamped to it. */
const HIGHEST_TRACKABLE_US = 3_600_000_000;

/** An empty histogram with lambdaspec's settings (µs, 3 significant digits, up to one hour). */
export function newHdrHistogram(): JsHistogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: HDR_SIGNIFICANT_DIGITS,
    bitBucketSize: 32,
    useWebAssembly: false,
  }) as JsHistogram;
}

/** A sample as HDR records it: scaled, whole, at least 1 (sub-µs loopback answers would be lost as 0), clamped. */
export function recordable(sample: number, scale = 1000): number {
  return Math.min(HIGHEST_TRACKABLE_US, Math.max(1, Math.round(sample * scale)));
}

/** One HDR bucket: `count` samples whose value is equivalent (within the precision) to `value`. */
export interface HistogramBucket {
  value: number;
  count: number;
}

export interface HistogramData {
  /** Unit of values recorded in the histogram: microseconds for times (samples in ms × 1000), else the sample unit. */
  recordedUnit: 'us' | 'KiB' | 'unit';
  significantDigits: number;
  /** HdrHistogram compressed base64 (decodeFromCompressedBase64). */
  encoded: string;
  /** Percentiles read from the histogram, in the samples' unit; equal to the exact ones within the precision. */
  percentiles: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** Recorded values (in the samples' unit) with their counts, ascending. */
  buckets: HistogramBucket[];
}

/**
 * The histogram of samples. `scale` turns a sample into the integer recorded: 1000 for milliseconds (→ µs), 1024 for MiB (→ KiB), 1 for
 * values already integral. Values below 1 after scaling are recorded as 1 (HDR's lowest value).
 */
export function histogramOf(samples: readonly number[], scale = 1000): HistogramData {
  const h = newHdrHistogram();
  try {
    for (const s of samples) h.recordValue(recordable(s, scale));
    const at = (p: number): number => h.getValueAtPercentile(p) / scale;
    const buckets: HistogramBucket[] = [];
    const it = h.recordedValuesIterator;
    it.reset();
    while (it.hasNext()) {
      const v = it.next();
      buckets.push({ value: v.valueIteratedTo / scale, count: v.countAddedInThisIterationStep });
    }
    return {
      recordedUnit: scale === 1000 ? 'us' : scale === 1024 ? 'KiB' : 'unit',
      significantDigits: HDR_SIGNIFICANT_DIGITS,
      encoded: hdr.encodeIntoCompressedBase64(h),
      percentiles: { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: h.maxValue / scale },
      buckets,
    };
  } finally {
    h.destroy();
  }
}
