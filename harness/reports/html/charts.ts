/**
 * SVG chart primitives for benchmark and load views, rendered as strings with no charting library: histogram,
 * latency CDF, box-and-strip plot and grouped bars with ratios. Each returns one standalone `<svg>` element that
 * copes with empty input (a "no samples" frame) and a single value (a widened domain); non-finite samples are dropped.
 */
import { esc } from './escape.ts';
import { seriesColour } from './palette.ts';

export interface Series {
  name: string;
  samples: readonly number[];
}

interface Frame {
  width?: number;
  height?: number;
  title?: string;
  /** Unit of the values, shown on the value axis (e.g. `ms`). */
  unit?: string;
}

export interface HistogramInput extends Frame {
  samples: readonly number[];
  /** Number of bins (default: √n, between 5 and 40). */
  bins?: number;
  colour?: string;
}

export interface CdfInput extends Frame {
  series: readonly Series[];
}

export interface BoxStripInput extends Frame {
  series: readonly Series[];
}

export interface GroupedBarInput extends Frame {
  /** The groups along the x axis, e.g. `['p50', 'p90', 'p99']`. */
  categories: readonly string[];
  /** One bar per series in each group; `values[i]` belongs to `categories[i]`. */
  series: ReadonlyArray<{ name: string; values: readonly number[] }>;
  /** Index of the series the others are compared with (`×1.25` above each bar); default 0, -1 for none. */
  ratioTo?: number;
}

/** Summary statistics of a sample (quantiles by linear interpolation). */
export interface SampleSummary {
  n: number;
  min: number;
  max: number;
  mean: number;
  q1: number;
  p50: number;
  q3: number;
  p90: number;
  p99: number;
}

const M = { top: 30, right: 16, bottom: 40, left: 56 };

function finite(samples: readonly number[]): number[] {
  return samples.filter((v) => Number.isFinite(v));
}

/** Quantile `q` (0..1) of an ascending array, interpolating between neighbours. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarise(samples: readonly number[]): SampleSummary | undefined {
  const s = finite(samples).sort((a, b) => a - b);
  if (s.length === 0) return undefined;
  return {
    n: s.length,
    min: s[0]!,
    max: s[s.length - 1]!,
    mean: s.reduce((a, b) => a + b, 0) / s.length,
    q1: quantile(s, 0.25),
    p50: quantile(s, 0.5),
    q3: quantile(s, 0.75),
    p90: quantile(s, 0.9),
    p99: quantile(s, 0.99),
  };
}

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

function tickStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const err = raw / pow;
  return pow * (err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1);
}

/** A domain widened to round numbers that contains [min, max]; a single value gets room on both sides. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const step = tickStep(max - min, count);
  return [Math.floor(min / step) * step, Math.ceil(max / step) * step];
}

/** Round-number ticks within [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const step = tickStep(max - min, count);
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9 && ticks.length < 50; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A number short enough for an axis label: 0.0123, 12.3, 1234, 12.3k, 1.2M. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e6) return `${Number((v / 1e6).toPrecision(3))}M`;
  if (a >= 1e4) return `${Number((v / 1e3).toPrecision(3))}k`;
  if (a >= 100) return String(Math.round(v));
  if (a === 0) return '0';
  return String(Number(v.toPrecision(3)));
}

function n(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function open(width: number, height: number, title: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title><rect x="0" y="0" width="${width}" height="${height}" fill="#fff"/>${title ? `<text x="${M.left}" y="18" font-size="13" font-weight="600" fill="#1d1d1f">${esc(title)}</text>` : ''}`;
}

function empty(width: number, height: number, title: string): string {
  return `${open(width, height, title)}<rect x="${M.left}" y="${M.top}" width="${width - M.left - M.right}" height="${height - M.top - M.bottom}" fill="none" stroke="#d9dce1" stroke-dasharray="4 3"/><text class="empty" x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="12" fill="#5f6368">no samples</text></svg>`;
}

function xAxis(ticks: number[], x: (v: number) => number, y0: number, label: string): string {
  const parts = [`<line x1="${n(x(ticks[0]!))}" y1="${y0}" x2="${n(x(ticks[ticks.length - 1]!))}" y2="${y0}" stroke="#5f6368"/>`];
  for (const t of ticks) {
    parts.push(`<line x1="${n(x(t))}" y1="${y0}" x2="${n(x(t))}" y2="${y0 + 4}" stroke="#5f6368"/><text x="${n(x(t))}" y="${y0 + 16}" text-anchor="middle" font-size="11" fill="#5f6368">${esc(formatNumber(t))}</text>`);
  }
  if (label) parts.push(`<text x="${n((x(ticks[0]!) + x(ticks[ticks.length - 1]!)) / 2)}" y="${y0 + 32}" text-anchor="middle" font-size="11" fill="#1d1d1f">${esc(label)}</text>`);
  return parts.join('');
}

function yAxis(ticks: number[], y: (v: number) => number, x0: number, x1: number, fmt: (v: number) => string): string {
  return ticks
    .map((t) => `<line x1="${x0}" y1="${n(y(t))}" x2="${x1}" y2="${n(y(t))}" stroke="#eceef1"/><text x="${x0 - 6}" y="${n(y(t) + 4)}" text-anchor="end" font-size="11" fill="#5f6368">${esc(fmt(t))}</text>`)
    .join('');
}

function legend(names: readonly string[], x: number, y: number): string {
  let at = x;
  return names
    .map((name, i) => {
      const item = `<rect x="${n(at)}" y="${y - 9}" width="10" height="10" fill="${seriesColour(i)}"/><text x="${n(at + 14)}" y="${y}" font-size="11" fill="#1d1d1f">${esc(name)}</text>`;
      at += 24 + name.length * 6.5;
      return item;
    })
    .join('');
}

/** Distribution of one sample as counts per equal-width bin. */
export function histogramSvg(input: HistogramInput): string {
  const width = input.width ?? 480;
  const height = input.height ?? 240;
  const title = input.title ?? '';
  const s = finite(input.samples);
  if (s.length === 0) return empty(width, height, title);
  const min = Math.min(...s);
  const max = Math.max(...s);
  const [d0, d1] = niceDomain(min, max);
  const bins = Math.max(1, Math.round(input.bins ?? Math.min(40, Math.max(5, Math.sqrt(s.length)))));
  const counts = new Array<number>(bins).fill(0);
  const w = (d1 - d0) / bins;
  for (const v of s) counts[Math.min(bins - 1, Math.floor((v - d0) / w))]!++;
  const top = Math.max(...counts);
  const x = linearScale(d0, d1, M.left, width - M.right);
  // Headroom above the tallest bar, up to a round count.
  const yMax = niceDomain(0, Math.max(1, top * 1.1), 4)[1];
  const yTicks = niceTicks(0, yMax, 4).filter((t) => Number.isInteger(t));
  const y = linearScale(0, yMax, height - M.bottom, M.top + 8);
  const colour = input.colour ?? seriesColour(0);
  const bars = counts
    .map((c, i) => {
      if (c === 0) return '';
      const bx = x(d0 + i * w);
      const bw = Math.max(1, x(d0 + (i + 1) * w) - bx - 1);
      const lo = formatNumber(d0 + i * w);
      const hi = formatNumber(d0 + (i + 1) * w);
      return `<rect class="bar" x="${n(bx)}" y="${n(y(c))}" width="${n(bw)}" height="${n(y(0) - y(c))}" fill="${colour}"><title>${esc(`${lo}–${hi}${input.unit ? ` ${input.unit}` : ''}: ${c}`)}</title></rect>`;
    })
    .join('');
  return `${open(width, height, title)}${yAxis(yTicks, y, M.left, width - M.right, formatNumber)}${bars}${xAxis(niceTicks(d0, d1), x, height - M.bottom, input.unit ?? '')}<text x="${width - M.right}" y="18" text-anchor="end" font-size="11" fill="#5f6368">n = ${s.length}</text></svg>`;
}

/** Empirical cumulative distribution of each series (latency: the share of requests at or under x). */
export function cdfSvg(input: CdfInput): string {
  const width = input.width ?? 480;
  const height = input.height ?? 260;
  const title = input.title ?? '';
  const series = input.series.map((s) => ({ name: s.name, sorted: finite(s.samples).sort((a, b) => a - b) }));
  const all = series.flatMap((s) => s.sorted);
  if (all.length === 0) return empty(width, height, title);
  const [d0, d1] = niceDomain(Math.min(...all), Math.max(...all));
  const x = linearScale(d0, d1, M.left, width - M.right);
  const y = linearScale(0, 1, height - M.bottom, M.top + 14);
  const guides = [0.5, 0.9, 0.99]
    .map((q) => `<line x1="${M.left}" y1="${n(y(q))}" x2="${width - M.right}" y2="${n(y(q))}" stroke="#9aa0a6" stroke-dasharray="3 3"/><text x="${width - M.right}" y="${n(y(q) + 10)}" text-anchor="end" font-size="10" fill="#5f6368">p${Math.round(q * 100)}</text>`)
    .join('');
  const paths = series
    .map((s, i) => {
      if (s.sorted.length === 0) return '';
      let d = `M${n(x(s.sorted[0]!))},${n(y(0))}`;
      s.sorted.forEach((v, k) => {
        d += `V${n(y((k + 1) / s.sorted.length))}`;
        const next = s.sorted[k + 1];
        if (next !== undefined) d += `H${n(x(next))}`;
      });
      return `<path class="series" d="${d}" fill="none" stroke="${seriesColour(i)}" stroke-width="2"><title>${esc(s.name)}</title></path>`;
    })
    .join('');
  const yTicks = [0, 0.25, 0.5, 0.75, 1];
  return `${open(width, height, title)}${yAxis(yTicks, y, M.left, width - M.right, (v) => `${Math.round(v * 100)}%`)}${guides}${paths}${xAxis(niceTicks(d0, d1), x, height - M.bottom, input.unit ?? '')}${legend(series.map((s) => s.name), M.left, M.top + 4)}</svg>`;
}

/** One row per series: the box (quartiles, median), whiskers (1.5 IQR) and every sample as a dot. */
export function boxStripSvg(input: BoxStripInput): string {
  const rowH = 44;
  const labelW = Math.min(180, 16 + Math.max(0, ...input.series.map((s) => s.name.length)) * 7);
  const width = input.width ?? 560;
  const height = input.height ?? M.top + M.bottom + Math.max(1, input.series.length) * rowH;
  const title = input.title ?? '';
  const all = input.series.flatMap((s) => finite(s.samples));
  if (all.length === 0) return empty(width, height, title);
  const [d0, d1] = niceDomain(Math.min(...all), Math.max(...all));
  const left = Math.max(M.left, labelW);
  const x = linearScale(d0, d1, left, width - M.right - 40);
  const rows = input.series
    .map((s, i) => {
      const cy = M.top + i * rowH + rowH / 2;
      const colour = seriesColour(i);
      const label = `<text x="${left - 8}" y="${n(cy + 4)}" text-anchor="end" font-size="12" fill="#1d1d1f">${esc(s.name)}</text>`;
      const sum = summarise(s.samples);
      if (!sum) return `${label}<text x="${left}" y="${n(cy + 4)}" font-size="11" fill="#5f6368">no samples</text>`;
      const sorted = finite(s.samples).sort((a, b) => a - b);
      const iqr = sum.q3 - sum.q1;
      const wLo = sorted.find((v) => v >= sum.q1 - 1.5 * iqr) ?? sum.min;
      const wHi = [...sorted].reverse().find((v) => v <= sum.q3 + 1.5 * iqr) ?? sum.max;
      // Deterministic jitter, so the same data draws the same picture.
      const dots = finite(s.samples)
        .map((v, k) => `<circle class="dot" cx="${n(x(v))}" cy="${n(cy + (((k * 7919) % 23) / 22 - 0.5) * (rowH - 16))}" r="2.2" fill="${colour}" fill-opacity="0.45"/>`)
        .join('');
      return `${label}<line x1="${n(x(wLo))}" y1="${cy}" x2="${n(x(wHi))}" y2="${cy}" stroke="#1d1d1f"/><line x1="${n(x(wLo))}" y1="${cy - 7}" x2="${n(x(wLo))}" y2="${cy + 7}" stroke="#1d1d1f"/><line x1="${n(x(wHi))}" y1="${cy - 7}" x2="${n(x(wHi))}" y2="${cy + 7}" stroke="#1d1d1f"/><rect class="box" x="${n(x(sum.q1))}" y="${cy - 12}" width="${n(Math.max(1, x(sum.q3) - x(sum.q1)))}" height="24" fill="${colour}" fill-opacity="0.18" stroke="${colour}"/>${dots}<line class="median" x1="${n(x(sum.p50))}" y1="${cy - 12}" x2="${n(x(sum.p50))}" y2="${cy + 12}" stroke="${colour}" stroke-width="3"/><text x="${width - M.right}" y="${n(cy + 4)}" text-anchor="end" font-size="11" fill="#1d1d1f">${esc(formatNumber(sum.p50))}</text><title>${esc(`${s.name}: median ${formatNumber(sum.p50)}, quartiles ${formatNumber(sum.q1)}–${formatNumber(sum.q3)}, n = ${sum.n}`)}</title>`;
    })
    .join('');
  return `${open(width, height, title)}${rows}${xAxis(niceTicks(d0, d1), x, height - M.bottom, input.unit ?? '')}<text x="${width - M.right}" y="${M.top - 6}" text-anchor="end" font-size="10" fill="#5f6368">median</text></svg>`;
}

/** Bars side by side per category; each bar is labelled with its value and its ratio to the reference series. */
export function groupedBarSvg(input: GroupedBarInput): string {
  const width = input.width ?? 560;
  const height = input.height ?? 280;
  const title = input.title ?? '';
  const values = input.series.flatMap((s) => finite(s.values));
  if (values.length === 0 || input.categories.length === 0) return empty(width, height, title);
  const top = Math.max(0, ...values);
  const [, d1] = niceDomain(0, top > 0 ? top : 1);
  const y = linearScale(0, d1, height - M.bottom, M.top + 22);
  const ref = input.ratioTo ?? 0;
  const groupW = (width - M.left - M.right) / input.categories.length;
  const barW = Math.max(4, Math.min(48, (groupW - 16) / Math.max(1, input.series.length)));
  const bars = input.categories
    .map((cat, ci) => {
      const gx = M.left + ci * groupW + (groupW - barW * input.series.length) / 2;
      const group = input.series
        .map((s, si) => {
          const v = s.values[ci];
          if (v === undefined || !Number.isFinite(v)) return '';
          const bx = gx + si * barW;
          const base = ref >= 0 ? input.series[ref]?.values[ci] : undefined;
          const ratio = ref >= 0 && si !== ref && base !== undefined && Number.isFinite(base) && base !== 0 ? `×${(v / base).toFixed(2)}` : '';
          return `<rect class="bar" x="${n(bx + 1)}" y="${n(y(Math.max(0, v)))}" width="${n(barW - 2)}" height="${n(y(0) - y(Math.max(0, v)))}" fill="${seriesColour(si)}"><title>${esc(`${s.name} ${cat}: ${formatNumber(v)}${input.unit ? ` ${input.unit}` : ''}${ratio ? ` (${ratio} vs ${input.series[ref]!.name})` : ''}`)}</title></rect><text x="${n(bx + barW / 2)}" y="${n(y(Math.max(0, v)) - (ratio ? 14 : 3))}" text-anchor="middle" font-size="10" fill="#1d1d1f">${esc(formatNumber(v))}</text>${ratio ? `<text class="ratio" x="${n(bx + barW / 2)}" y="${n(y(Math.max(0, v)) - 3)}" text-anchor="middle" font-size="10" font-weight="600" fill="#5f6368">${esc(ratio)}</text>` : ''}`;
        })
        .join('');
      return `${group}<text x="${n(M.left + ci * groupW + groupW / 2)}" y="${height - M.bottom + 16}" text-anchor="middle" font-size="12" fill="#1d1d1f">${esc(cat)}</text>`;
    })
    .join('');
  const yTicks = niceTicks(0, d1, 4);
  return `${open(width, height, title)}${yAxis(yTicks, y, M.left, width - M.right, formatNumber)}<line x1="${M.left}" y1="${n(y(0))}" x2="${width - M.right}" y2="${n(y(0))}" stroke="#5f6368"/>${bars}${input.unit ? `<text x="12" y="${n((M.top + height - M.bottom) / 2)}" font-size="11" fill="#1d1d1f" transform="rotate(-90 12 ${n((M.top + height - M.bottom) / 2)})" text-anchor="middle">${esc(input.unit)}</text>` : ''}${legend(input.series.map((s) => s.name), M.left, M.top + 4)}</svg>`;
}
