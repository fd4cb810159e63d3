/**
 * Bootstrap confidence interval of the ratio of two medians (current / baseline), with a seeded generator so the
 * same samples always give the same interval. Percentile method: resample each side with replacement, take the
 * ratio of the resampled medians, and read the interval off the (1 − confidence)/2 and (1 + confidence)/2
 * nearest-rank percentiles of those ratios.
 */
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { medianInPlace, nearestRank } from './percentiles.ts';

export interface BootstrapOptions {
  /** Number of resamples (default 2000). */
  resamples?: number;
  /** Two-sided confidence level in (0, 1) (default 0.95). */
  confidence?: number;
  /** Seed of the generator (default 1). */
  seed?: number;
}

export interface RatioInterval {
  /** median(current) / median(baseline) of the samples themselves. */
  ratio: number;
  low: number;
  high: number;
  confidence: number;
  resamples: number;
  seed: number;
}

export const DEFAULT_BOOTSTRAP = { resamples: 2000, confidence: 0.95, seed: 1 } as const;

function resampledMedian(samples: Float64Array, scratch: Float64Array, rng: RandomGenerator): number {
  const n = samples.length;
  for (let i = 0; i < n; i++) scratch[i] = samples[uniformInt(rng, 0, n - 1)]!;
  return medianInPlace(scratch, n);
}

/**
 * CI of median(current) / median(baseline). A baseline median of 0 makes ratios meaningless: throws RangeError, as
 * for empty inputs.
 */
export function bootstrapMedianRatio(
  baseline: readonly number[],
  current: readonly number[],
  options: BootstrapOptions = {},
): RatioInterval {
  const resamples = options.resamples ?? DEFAULT_BOOTSTRAP.resamples;
  const confidence = options.confidence ?? DEFAULT_BOOTSTRAP.confidence;
  const seed = options.seed ?? DEFAULT_BOOTSTRAP.seed;
  if (baseline.length === 0 || current.length === 0) throw new RangeError('bootstrap of no samples');
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence} is outside (0, 1)`);
  if (!Number.isInteger(resamples) || resamples < 1) throw new RangeError(`resamples ${resamples} is not a positive integer`);
  const a = Float64Array.from(baseline);
  const b = Float64Array.from(current);
  const baseMedian = medianInPlace(Float64Array.from(a));
  if (!(baseMedian > 0)) throw new RangeError('baseline median is not positive: no ratio to take');
  const ratio = medianInPlace(Float64Array.from(b)) / baseMedian;

  const rng = xoroshiro128plus(seed);
  const scratchA = new Float64Array(a.length);
  const scratchB = new Float64Array(b.length);
  const ratios = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    const ma = resampledMedian(a, scratchA, rng);
    const mb = resampledMedian(b, scratchB, rng);
    // A resampled baseline median of 0 (possible only with zeros among positive samples) counts as an infinite ratio.
    ratios[r] = ma > 0 ? mb / ma : Number.POSITIVE_INFINITY;
  }
  ratios.sort();
  const tail = ((1 - confidence) / 2) * 100;
  return { ratio, low: nearestRank(ratios, tail), high: nearestRank(ratios, 100 - tail), confidence, resamples, seed };
}
