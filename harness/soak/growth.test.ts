import { describe, expect, it } from 'vitest';
import { linearSlope } from './growth.ts';
import { OutcomeTracker } from './outcome-tracker.ts';

describe('linearSlope', () => {
  it('finds the trend through noise', () => {
    const points = Array.from({ length: 20 }, (_, i) => ({ x: i, y: 100 + 2 * i + (i % 2 === 0 ? 0.5 : -0.5) }));
    expect(linearSlope(points)).toBeCloseTo(2, 1);
  });

  it('is zero for a flat series and undefined without enough points or spread', () => {
    expect(
      linearSlope([
        { x: 0, y: 5 },
        { x: 1, y: 5 },
        { x: 2, y: 5 },
      ]),
    ).toBe(0);
    expect(
      linearSlope([
        { x: 0, y: 1 },
        { x: 1, y: 2 },
      ]),
    ).toBeUndefined();
    expect(
      linearSlope([
        { x: 1, y: 1 },
        { x: 1, y: 2 },
        { x: 1, y: 3 },
      ]),
    ).toBeUndefined();
  });
});

describe('OutcomeTracker', () => {
  it('reports only outcomes that differ from the first one of the same name', () => {
    const t = new OutcomeTracker();
    t.observe('invoke:echo', 'response: 1', 'response: 1', 1, 10);
    t.observe('case:x', 'pass', 'pass', 1, 20);
    t.observe('invoke:echo', 'response: 1', 'response: 1', 2, 30);
    t.observe('case:x', 'fail', 'fail (step 1: …)', 2, 40.4);
    expect(t.differences).toEqual([{ what: 'case:x', round: 2, atMs: 40, first: 'pass', now: 'fail (step 1: …)' }]);
  });
});
