/** A Distribution: raw samples together with their summary, exact percentiles and HDR histogram. */
import { histogramOf, type HistogramData } from './histogram.ts';
import { summarize, type Summary } from './percentiles.ts';

/**
 * A set of measurements of one quantity and what they say. Percentiles are nearest-rank over the raw samples
 * (see percentiles.ts); the histogram holds the same samples at HDR precision (3 significant digits).
 */
export interface Distribution extends Summary {
  /** Unit of the samples and every figure here: milliseconds for times, MiB for memory. */
  unit: 'ms' | 'MiB';
  histogram: HistogramData;
  /** Every sample in the order measured (ms rounded to the µs, MiB to the KiB). */
  samples: number[];
}

function round(v: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(v * f) / f;
}

/** Summarise samples; undefined when there are none (a phase that produced no successful measurement). */
export function distributionOf(samples: readonly number[], unit: Distribution['unit'] = 'ms'): Distribution | undefined {
  if (samples.length === 0) return undefined;
  // ms to the µs; MiB to the KiB (1/1024 MiB is not a round decimal, 4 decimals keep it within 0.1 KiB).
  const decimals = unit === 'ms' ? 3 : 4;
  const kept = samples.map((s) => round(s, decimals));
  const s = summarize(kept);
  return {
    unit,
    count: s.count,
    min: s.min,
    max: s.max,
    mean: round(s.mean, decimals),
    stddev: round(s.stddev, decimals),
    p50: s.p50,
    p90: s.p90,
    p99: s.p99,
    histogram: histogramOf(kept, unit === 'ms' ? 1000 : 1024),
    samples: kept,
  };
}
