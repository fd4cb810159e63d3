import { describe, expect, it } from 'vitest';
import { parseDuration } from './parse-duration.ts';

describe('parseDuration', () => {
  it('takes numbers as milliseconds', () => {
    expect(parseDuration(250)).toBe(250);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(-1000)).toBe(-1000);
    expect(parseDuration(1.5)).toBe(1.5);
  });

  it('parses ms, s and m, with fractions', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('3s')).toBe(3000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('0.25m')).toBe(15_000);
    // Sub-millisecond remainders round: durations are whole milliseconds.
    expect(parseDuration('1.0006s')).toBe(1001);
  });

  it('allows a sign (the schema decides where negatives are allowed)', () => {
    expect(parseDuration('-1000ms')).toBe(-1000);
    expect(parseDuration('-1.5s')).toBe(-1500);
  });

  it('ignores surrounding blanks, as CLI flags may carry them', () => {
    expect(parseDuration(' 3s ')).toBe(3000);
  });

  it('rejects everything else', () => {
    for (const bad of ['3 s', 'fast', '', 's', '.5s', '1e3', '3h', '3S', '1,5s', '--1s', '3sec']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, null, undefined, true, {}, ['1s']]) {
      expect(parseDuration(bad), String(bad)).toBeUndefined();
    }
  });
});
