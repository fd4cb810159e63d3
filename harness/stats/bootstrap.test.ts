import { describe, expect, it } from 'vitest';
import { bootstrapMedianRatio } from './bootstrap.ts';

/** Deterministic pseudo-noise in [0, 1), independent of the code under test. */
function noise(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('bootstrapMedianRatio', () => {
  const base = noise(200, 7).map((u) => 10 + u);

  it('is reproducible: the same samples and seed give the same interval', () => {
    const cur = noise(200, 8).map((u) => 10.2 + u);
    expect(bootstrapMedianRatio(base, cur, { seed: 42 })).toEqual(bootstrapMedianRatio(base, cur, { seed: 42 }));
    const a = bootstrapMedianRatio(base, cur, { seed: 1 });
    const b = bootstrapMedianRatio(base, cur, { seed: 2 });
    expect([a.low, a.high]).not.toEqual([b.low, b.high]);
  });

  it('gives a point at 1 for identical constant samples', () => {
    const r = bootstrapMedianRatio([5, 5, 5, 5], [5, 5, 5, 5, 5]);
    expect(r).toMatchObject({ ratio: 1, low: 1, high: 1 });
  });

  it('gives an interval containing 1 for two draws of the same distribution', () => {
    const r = bootstrapMedianRatio(
      base,
      noise(200, 99).map((u) => 10 + u),
    );
    expect(r.low).toBeLessThanOrEqual(1);
    expect(r.high).toBeGreaterThanOrEqual(1);
  });

  it('excludes 1 for a clearly shifted sample, and brackets the shift', () => {
    const slower = base.map((v) => v * 1.5);
    const r = bootstrapMedianRatio(base, slower);
    expect(r.ratio).toBeCloseTo(1.5, 10);
    expect(r.low).toBeGreaterThan(1.3);
    expect(r.high).toBeLessThan(1.7);
    expect(r.low).toBeLessThanOrEqual(1.5);
    expect(r.high).toBeGreaterThanOrEqual(1.5);
    const faster = bootstrapMedianRatio(
      base,
      base.map((v) => v / 2),
    );
    expect(faster.high).toBeLessThan(1);
  });

  it('widens with fewer samples', () => {
    const wide = bootstrapMedianRatio(base.slice(0, 10), base.slice(10, 20));
    const narrow = bootstrapMedianRatio(base.slice(0, 100), base.slice(100, 200));
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
  });

  it('rejects empty samples, a zero baseline median and bad options', () => {
    expect(() => bootstrapMedianRatio([], [1])).toThrow(RangeError);
    expect(() => bootstrapMedianRatio([0, 0, 1], [1])).toThrow(/baseline median/);
    expect(() => bootstrapMedianRatio([1], [1], { confidence: 1 })).toThrow(RangeError);
    expect(() => bootstrapMedianRatio([1], [1], { resamples: 0 })).toThrow(RangeError);
  });
});
