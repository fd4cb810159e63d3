import { describe, expect, it } from 'vitest';
import { medianInPlace, nearestRank, sortedCopy, summarize } from './percentiles.ts';

describe('nearestRank', () => {
  const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('returns the smallest sample with at least p % of the samples at or below it', () => {
    expect(nearestRank(oneToTen, 50)).toBe(5);
    expect(nearestRank(oneToTen, 90)).toBe(9);
    expect(nearestRank(oneToTen, 91)).toBe(10);
    expect(nearestRank(oneToTen, 99)).toBe(10);
    expect(nearestRank(oneToTen, 100)).toBe(10);
    expect(nearestRank(oneToTen, 0)).toBe(1);
    expect(nearestRank(oneToTen, 10)).toBe(1);
    expect(nearestRank(oneToTen, 10.1)).toBe(2);
  });

  it('matches the textbook example (15, 20, 35, 40, 50)', () => {
    const s = [15, 20, 35, 40, 50];
    expect([5, 30, 40, 50, 100].map((p) => nearestRank(s, p))).toEqual([15, 20, 20, 35, 50]);
  });

  it('never interpolates: the median of an even count is the lower middle sample', () => {
    expect(nearestRank([1, 2, 3, 4], 50)).toBe(2);
    expect(nearestRank([7], 99)).toBe(7);
  });

  it('rejects empty input and percentiles outside [0, 100]', () => {
    expect(() => nearestRank([], 50)).toThrow(RangeError);
    expect(() => nearestRank([1], 101)).toThrow(RangeError);
    expect(() => nearestRank([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('medianInPlace', () => {
  it('agrees with the nearest-rank median of the sorted samples, whatever the order and duplicates', () => {
    let x = 12345;
    const next = (): number => (x = (x * 1103515245 + 12345) % 2 ** 31);
    for (let n = 1; n < 60; n++) {
      const values = Array.from({ length: n }, () => next() % 17);
      expect(medianInPlace(Float64Array.from(values))).toBe(nearestRank(sortedCopy(values), 50));
    }
  });

  it('only looks at the first `length` values', () => {
    expect(medianInPlace(Float64Array.from([5, 1, 3, 1000, 1000]), 3)).toBe(3);
  });
});

describe('summarize', () => {
  it('gives count, extremes, mean, sample standard deviation and percentiles', () => {
    const s = summarize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(s).toMatchObject({ count: 8, min: 2, max: 9, mean: 5, p50: 4, p90: 9, p99: 9 });
    expect(s.stddev).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('has zero spread for one sample', () => {
    expect(summarize([3])).toMatchObject({ count: 1, stddev: 0, p50: 3, p99: 3 });
  });
});
