import { describe, expect, it } from 'vitest';
import { ratiosToBest } from './ratio.ts';

describe('ratiosToBest', () => {
  it('divides latencies by the smallest one', () => {
    const r = ratiosToBest(
      new Map([
        ['a', 2],
        ['b', 1],
        ['c', 5],
      ]),
    );
    expect(Object.fromEntries(r)).toEqual({ a: 2, b: 1, c: 5 });
  });

  it('divides the largest throughput by each one', () => {
    const r = ratiosToBest(
      new Map([
        ['a', 100],
        ['b', 400],
      ]),
      false,
    );
    expect(Object.fromEntries(r)).toEqual({ a: 4, b: 1 });
  });

  it('leaves missing, zero and non-finite values without a ratio, and out of the race for best', () => {
    const r = ratiosToBest(
      new Map<string, number | undefined>([
        ['a', undefined],
        ['b', 0],
        ['c', 3],
        ['d', Number.NaN],
        ['e', 6],
      ]),
    );
    expect(Object.fromEntries(r)).toEqual({ a: undefined, b: undefined, c: 1, d: undefined, e: 2 });
    expect(Object.fromEntries(ratiosToBest(new Map([['a', undefined]])))).toEqual({ a: undefined });
  });
});
