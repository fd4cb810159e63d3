/** The k6 latency buckets: contiguous, monotone, and quantiles read back within the stated relative error. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bucketRange,
  histogramOfBuckets,
  LATENCY_BUCKET_RELATIVE_ERROR,
  LATENCY_BUCKETS,
  latencyBucket,
  latencyBucketScript,
} from './k6-latency-buckets.ts';

describe('k6 latency buckets', () => {
  it('cover every µs value once: each bucket starts where the one before it ended', () => {
    for (let i = 1; i < LATENCY_BUCKETS; i++) expect(bucketRange(i)[0]).toBe(bucketRange(i - 1)[1]);
    expect(bucketRange(0)[0]).toBe(0);
  });

  it('put every value in the bucket whose range holds it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 30 - 1 }), (us) => {
        const [low, high] = bucketRange(latencyBucket(us));
        return low <= us && us < high;
      }),
      { seed: 20261208, numRuns: 20_000 },
    );
  });

  it('keep a bucket within 1/32 of its lower bound, so its midpoint is within 1.6 % of any value in it', () => {
    for (let i = 32; i < LATENCY_BUCKETS; i++) {
      const [low, high] = bucketRange(i);
      expect((high - low) / low).toBeLessThanOrEqual(1 / 32);
    }
    expect(LATENCY_BUCKET_RELATIVE_ERROR).toBeCloseTo(1 / 64);
  });

  it('are the same function in the generated script as here', () => {
    // k6's Counter stands in as a class that only remembers its name.
    const inScript = new Function('Counter', `${latencyBucketScript()}; return latencyBucket;`)(
      class {
        constructor(readonly name: string) {}
      },
    ) as (us: number) => number;
    for (const us of [0, 1, 31, 32, 33, 63, 64, 65, 1000, 123_456, 2 ** 29 + 7, 2 ** 31]) expect(inScript(us)).toBe(latencyBucket(us));
  });

  it('merge by adding counts: quantiles of merged buckets are within the bound of the exact ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 100, max: 5_000_000 }), { minLength: 50, maxLength: 400 }),
        fc.integer({ min: 1, max: 4 }),
        (samples, parts) => {
          // Split the samples among `parts` instances, count each instance's buckets, add the counts up.
          const merged = new Map<number, number>();
          const perInstance = Array.from({ length: parts }, () => new Map<number, number>());
          samples.forEach((us, i) => {
            const counts = perInstance[i % parts]!;
            counts.set(latencyBucket(us), (counts.get(latencyBucket(us)) ?? 0) + 1);
          });
          for (const counts of perInstance) for (const [b, n] of counts) merged.set(b, (merged.get(b) ?? 0) + n);
          const h = histogramOfBuckets(merged);
          const sorted = [...samples].sort((a, b) => a - b);
          for (const p of [50, 90, 99]) {
            const exact = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
            const read = h.getValueAtPercentile(p);
            // HDR's own 3 significant digits add 0.1 % on top of the bucket's half width.
            if (Math.abs(read - exact) / exact > LATENCY_BUCKET_RELATIVE_ERROR + 0.002) return false;
          }
          return h.totalCount === samples.length;
        },
      ),
      { seed: 20261208, numRuns: 300 },
    );
  });
});
