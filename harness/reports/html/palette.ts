/**
 * Colours of the HTML views: the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
 * A verdict is never colour alone: each has a symbol and its name beside the colour.
 */
import type { Verdict } from '../../model/report-model.ts';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'non-strict', 'informational', 'inconclusive', 'skipped'];

/** `colour` fills and borders; `text` is the same hue darkened for small text on `tint` (contrast ≥ 4.5:1). */
export const VERDICT_STYLE: Record<Verdict, { colour: string; text: string; tint: string; symbol: string; label: string }> = {
  pass: { colour: '#009E73', text: '#005c43', tint: '#d5f0e7', symbol: '✓', label: 'pass' },
  fail: { colour: '#D55E00', text: '#9a3c00', tint: '#f8dcc8', symbol: '✗', label: 'fail' },
  'non-strict': { colour: '#B07800', text: '#6e4b00', tint: '#fbecc5', symbol: '!', label: 'non-strict' },
  informational: { colour: '#0072B2', text: '#00527f', tint: '#d3e8f5', symbol: 'i', label: 'informational' },
  inconclusive: { colour: '#CC79A7', text: '#7f3566', tint: '#f5e1ec', symbol: '?', label: 'inconclusive' },
  skipped: { colour: '#6b6b6b', text: '#454545', tint: '#e6e6e6', symbol: '–', label: 'skipped' },
};

/** Series colours for charts (Okabe–Ito order, black last). */
export const SERIES_COLOURS: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#B8A800', '#000000'];

export function seriesColour(i: number): string {
  return SERIES_COLOURS[i % SERIES_COLOURS.length]!;
}
