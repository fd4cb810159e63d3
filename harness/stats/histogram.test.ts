import * as hdr from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { histogramOf } from './histogram.ts';
import { nearestRank, sortedCopy } from './percentiles.ts';

describe('histogramOf', () => {
  const samples = Array.from({ length: 1000 }, (_, i) => 0.2 + ((i * 7919) % 1000) * 0.037);

  it('reads percentiles within HDR precision (3 significant digits) of the exact nearest-rank ones', () => {
    const h = histogramOf(samples);
    const sorted = sortedCopy(samples);
    for (const [p, v] of [
      [50, h.percentiles.p50],
      [90, h.percentiles.p90],
      [99, h.percentiles.p99],
    ] as const) {
      const exact = nearestRank(sorted, p);
      expect(Math.abs(v - exact) / exact).toBeLessThanOrEqual(0.001 + 1e-9);
    }
    expect(Math.abs(h.percentiles.max - sorted[sorted.length - 1]!)).toBeLessThanOrEqual(sorted[sorted.length - 1]! * 0.001);
  });

  it('keeps every sample in the buckets, ascending', () => {
    const h = histogramOf(samples);
    expect(h.buckets.reduce((n, b) => n + b.count, 0)).toBe(samples.length);
    for (let i = 1; i < h.buckets.length; i++) expect(h.buckets[i]!.value).toBeGreaterThan(h.buckets[i - 1]!.value);
  });

  it('encodes a standard compressed histogram that decodes to the same counts (in µs)', () => {
    const h = histogramOf([1, 2, 2, 30]);
    const decoded = hdr.decodeFromCompressedBase64(h.encoded);
    expect(decoded.totalCount).toBe(4);
    expect(Math.abs(decoded.maxValue - 30_000)).toBeLessThanOrEqual(30);
    expect(h.recordedUnit).toBe('us');
  });

  it('records memory in KiB when scaled by 1024', () => {
    expect(histogramOf([16, 16.5], 1024).recordedUnit).toBe('KiB');
  });
});
