/**
 * Percentiles and summary figures of raw samples.
 *
 * Percentiles use the nearest-rank definition: the p-th percentile of n samples is the smallest sample such that at
 * least p % of the samples are ≤ it, i.e. `sorted[ceil(p/100 · n) − 1]` (p = 0 gives the minimum). It always returns
 * a value that was measured — no interpolation invents a latency nobody saw — and the median of an even count is the
 * lower of the two middle samples.
 */

/** Nearest-rank percentile of an ascending array. Throws on an empty array or p outside [0, 100]. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) throw new RangeError('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** The samples sorted ascending, as a new array. */
export function sortedCopy(samples: readonly number[]): Float64Array {
  return Float64Array.from(samples).sort();
}

/** Nearest-rank median (the lower middle for an even count) of unsorted values, in O(n); reorders `values`. */
export function medianInPlace(values: Float64Array, length = values.length): number {
  if (length === 0) throw new RangeError('median of no samples');
  return quickselect(values, Math.ceil(length / 2) - 1, length);
}

/** The k-th smallest (0-based) of the first `length` values, by Hoare's selection; reorders them. */
function quickselect(a: Float64Array, k: number, length: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    // Median of three as pivot keeps sorted and constant inputs linear.
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Summary figures of samples; the percentiles are nearest-rank (see above). */
export interface Summary {
  count: number;
  min: number;
  max: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single sample. */
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples');
  const sorted = sortedCopy(samples);
  const n = sorted.length;
  let sum = 0;
  for (const v of sorted) sum += v;
  const mean = sum / n;
  let sq = 0;
  for (const v of sorted) sq += (v - mean) ** 2;
  return {
    count: n,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    mean,
    stddev: n > 1 ? Math.sqrt(sq / (n - 1)) : 0,
    p50: nearestRank(sorted, 50),
    p90: nearestRank(sorted, 90),
    p99: nearestRank(sorted, 99),
  };
}
