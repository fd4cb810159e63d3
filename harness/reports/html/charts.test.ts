import { describe, expect, it } from 'vitest';
import { boxStripSvg, cdfSvg, formatNumber, groupedBarSvg, histogramSvg, linearScale, niceDomain, niceTicks, quantile, summarise } from './charts.ts';
import { elements, wellFormed } from '../../testing/svg-check.ts';

const num = (v: unknown): number => Number(v);

describe('scales and ticks', () => {
  it('maps a domain linearly onto a range, and a zero-width domain to the middle', () => {
    const x = linearScale(0, 10, 100, 200);
    expect(x(0)).toBe(100);
    expect(x(5)).toBe(150);
    expect(x(10)).toBe(200);
    expect(linearScale(3, 3, 0, 100)(3)).toBe(50);
  });

  it('widens domains to round numbers and gives a single value room on both sides', () => {
    expect(niceDomain(0.3, 9.2)).toEqual([0, 10]);
    const [lo, hi] = niceDomain(42, 42);
    expect(lo).toBeLessThan(42);
    expect(hi).toBeGreaterThan(42);
    expect(niceDomain(0, 0)).toEqual([-1, 1]);
  });

  it('puts ticks on round numbers inside the domain', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 1, 4)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });

  it('formats axis numbers compactly', () => {
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(1234)).toBe('1234');
    expect(formatNumber(25_000)).toBe('25k');
    expect(formatNumber(3_400_000)).toBe('3.4M');
  });

  it('summarises a sample with interpolated quantiles, ignoring non-finite values', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    const s = summarise([5, 1, Number.NaN, 3, Number.POSITIVE_INFINITY]);
    expect(s).toMatchObject({ n: 3, min: 1, max: 5, p50: 3, mean: 3 });
    expect(summarise([])).toBeUndefined();
  });
});

describe('histogram', () => {
  it('is valid SVG whose bar heights are proportional to the bin counts', () => {
    const svg = histogramSvg({ samples: [1, 1, 1, 1, 9], bins: 2, unit: 'ms', title: 'latency' });
    expect(wellFormed(svg)).toBe(true);
    const bars = elements(svg, 'rect').filter((r) => r['@_class'] === 'bar');
    expect(bars).toHaveLength(2);
    const [a, b] = bars.map((r) => num(r['@_height']));
    expect(a! / b!).toBeCloseTo(4, 1);
    expect(svg).toContain('n = 5');
  });

  it('draws a "no samples" frame for empty input and one bar for a single value', () => {
    const none = histogramSvg({ samples: [], title: 'empty' });
    expect(wellFormed(none)).toBe(true);
    expect(none).toContain('no samples');
    const one = histogramSvg({ samples: [7] });
    expect(wellFormed(one)).toBe(true);
    const bars = elements(one, 'rect').filter((r) => r['@_class'] === 'bar');
    expect(bars).toHaveLength(1);
    expect(num(bars[0]!['@_height'])).toBeGreaterThan(0);
  });
});

describe('CDF', () => {
  it('draws one monotone step path per series, ending at 100%', () => {
    const svg = cdfSvg({ series: [{ name: 'a', samples: [3, 1, 2] }, { name: 'b', samples: [10] }], unit: 'ms' });
    expect(wellFormed(svg)).toBe(true);
    const paths = elements(svg, 'path').filter((p) => p['@_class'] === 'series');
    expect(paths).toHaveLength(2);
    const d = String(paths[0]!['@_d']);
    const xs = [...d.matchAll(/[MH](-?[\d.]+)/g)].map((m) => Number(m[1]));
    expect(xs).toEqual([...xs].sort((p, q) => p - q));
    const ys = [...d.matchAll(/V(-?[\d.]+)/g)].map((m) => Number(m[1]));
    // SVG y grows downwards: the cumulative share only rises.
    expect(ys).toEqual([...ys].sort((p, q) => q - p));
  });

  it('copes with empty input and a single value', () => {
    expect(cdfSvg({ series: [] })).toContain('no samples');
    const one = cdfSvg({ series: [{ name: 'only', samples: [5] }] });
    expect(wellFormed(one)).toBe(true);
    expect(elements(one, 'path')).toHaveLength(1);
  });
});

describe('box and strip plot', () => {
  it('draws a box, a median and every sample as a dot per series', () => {
    const svg = boxStripSvg({ series: [{ name: 'cold <x>', samples: [10, 12, 14, 100] }, { name: 'none', samples: [] }], unit: 'ms' });
    expect(wellFormed(svg)).toBe(true);
    expect(elements(svg, 'circle')).toHaveLength(4);
    expect(elements(svg, 'rect').filter((r) => r['@_class'] === 'box')).toHaveLength(1);
    expect(svg).toContain('cold &lt;x&gt;');
    expect(svg).not.toContain('cold <x>');
    expect(svg).toContain('no samples');
  });

  it('draws a single value as a zero-width box with its median', () => {
    const svg = boxStripSvg({ series: [{ name: 'a', samples: [3] }] });
    expect(wellFormed(svg)).toBe(true);
    expect(elements(svg, 'line').filter((l) => l['@_class'] === 'median')).toHaveLength(1);
  });
});

describe('grouped bars', () => {
  it('labels each bar with its ratio to the reference series, heights to scale', () => {
    const svg = groupedBarSvg({ categories: ['p50', 'p99'], series: [{ name: 'base', values: [10, 20] }, { name: 'other', values: [15, 40] }], unit: 'ms' });
    expect(wellFormed(svg)).toBe(true);
    const bars = elements(svg, 'rect').filter((r) => r['@_class'] === 'bar');
    expect(bars).toHaveLength(4);
    const h = bars.map((b) => num(b['@_height']));
    expect(h[3]! / h[0]!).toBeCloseTo(4, 1);
    expect(svg).toContain('×1.50');
    expect(svg).toContain('×2.00');
  });

  it('copes with no values, a single bar, and a zero reference (no ratio)', () => {
    expect(groupedBarSvg({ categories: [], series: [] })).toContain('no samples');
    const one = groupedBarSvg({ categories: ['x'], series: [{ name: 'a', values: [5] }] });
    expect(wellFormed(one)).toBe(true);
    const zero = groupedBarSvg({ categories: ['x'], series: [{ name: 'a', values: [0] }, { name: 'b', values: [3] }] });
    expect(wellFormed(zero)).toBe(true);
    expect(zero).not.toContain('×');
  });
});
