/**
 * Colours of the HTML views: the Okabe–Ito palette, distinguishable with the common colour-vision deficiencies.
 * A verdict is never colour alone: each has a symbol and its name beside the colour.
 */
import type { Verdict } from '../report-model.ts';

export const VERDICTS: readonly Verdict[] = ['pass', 'fail', 'non-strict', 'informational', 'skipped'];

export const VERDICT_STYLE: Record<Verdict, { colour: string; tint: string; symbol: string; label: string }> = {
  pass: { colour: '#009E73', tint: '#d5f0e7', symbol: '✓', label: 'pass' },
  fail: { colour: '#D55E00', tint: '#f8dcc8', symbol: '✗', label: 'fail' },
  'non-strict': { colour: '#B07800', tint: '#fbecc5', symbol: '!', label: 'non-strict' },
  informational: { colour: '#0072B2', tint: '#d3e8f5', symbol: 'i', label: 'informational' },
  skipped: { colour: '#6b6b6b', tint: '#e6e6e6', symbol: '–', label: 'skipped' },
};

/** Series colours for charts (Okabe–Ito order, black last). */
export const SERIES_COLOURS: readonly string[] = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#B8A800', '#000000'];

export function seriesColour(i: number): string {
  return SERIES_COLOURS[i % SERIES_COLOURS.length]!;
}
