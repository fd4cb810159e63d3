import { describe, expect, it } from 'vitest';
import { collectUnknownRoutes, countVerdicts, exitCodeFor, verdictFor } from './report-model.ts';

describe('verdict rules', () => {
  it('maps a broken expectation to fail / non-strict / informational by level, and a held one to pass', () => {
    expect(verdictFor('must', false)).toBe('fail');
    expect(verdictFor('should', false)).toBe('non-strict');
    expect(verdictFor('may', false)).toBe('informational');
    for (const level of ['must', 'should', 'may'] as const) expect(verdictFor(level, true)).toBe('pass');
  });

  it('never passes a case whose precondition was not met: inconclusive, unless an expectation broke too', () => {
    for (const level of ['must', 'should', 'may'] as const) expect(verdictFor(level, true, false)).toBe('inconclusive');
    expect(verdictFor('must', false, false)).toBe('fail');
    expect(verdictFor('should', false, false)).toBe('non-strict');
  });

  it('fails the run on an inconclusive MUST, on an inconclusive SHOULD only with --strict, never on a MAY', () => {
    expect(exitCodeFor([{ verdict: 'inconclusive', level: 'must' }], false)).toBe(1);
    expect(exitCodeFor([{ verdict: 'inconclusive', level: 'should' }], false)).toBe(0);
    expect(exitCodeFor([{ verdict: 'inconclusive', level: 'should' }], true)).toBe(1);
    expect(exitCodeFor([{ verdict: 'inconclusive', level: 'may' }], true)).toBe(0);
  });

  it('gathers the unknown routes of a run with the cases they happened in', () => {
    const routes = collectUnknownRoutes([
      { id: 'a', unknownRoutes: ['GET //2018-06-01/runtime/invocation/next → 404', 'GET //2018-06-01/runtime/invocation/next → 404'] },
      { id: 'b' },
      { id: 'c', unknownRoutes: ['GET //2018-06-01/runtime/invocation/next → 404'] },
    ]);
    expect(routes).toEqual([{ request: 'GET //2018-06-01/runtime/invocation/next → 404', cases: ['a', 'c'] }]);
  });

  it('exits 1 only when a MUST fails, or with --strict when a SHOULD fails too', () => {
    const onlyShould = [
      { verdict: 'non-strict', level: 'should' },
      { verdict: 'pass', level: 'must' },
    ] as const;
    expect(exitCodeFor(onlyShould, false)).toBe(0);
    expect(exitCodeFor(onlyShould, true)).toBe(1);
    expect(exitCodeFor([{ verdict: 'fail', level: 'must' }], false)).toBe(1);
    const clean = [
      { verdict: 'skipped', level: 'must' },
      { verdict: 'informational', level: 'may' },
    ] as const;
    expect(exitCodeFor(clean, true)).toBe(0);
  });

  it('counts per verdict and per area', () => {
    const c = countVerdicts([
      { verdict: 'pass', area: 'next' },
      { verdict: 'fail', area: 'next' },
      { verdict: 'skipped', area: 'streaming' },
    ]);
    expect(c).toMatchObject({ total: 3, pass: 1, fail: 1, skipped: 1 });
    expect(c.byArea['next']).toMatchObject({ total: 2, pass: 1, fail: 1 });
    expect(c.byArea['streaming']).toMatchObject({ total: 1, skipped: 1 });
  });
});
