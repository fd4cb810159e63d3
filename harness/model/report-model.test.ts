import { describe, expect, it } from 'vitest';
import { countVerdicts, exitCodeFor, verdictFor } from './report-model.ts';

describe('verdict rules', () => {
  it('maps a broken expectation to fail / non-strict / informational by level, and a held one to pass', () => {
    expect(verdictFor('must', false)).toBe('fail');
    expect(verdictFor('should', false)).toBe('non-strict');
    expect(verdictFor('may', false)).toBe('informational');
    for (const level of ['must', 'should', 'may'] as const) expect(verdictFor(level, true)).toBe('pass');
  });

  it('exits 1 only when a MUST fails, or with --strict when a SHOULD fails too', () => {
    const onlyShould = countVerdicts([{ verdict: 'non-strict', area: 'a' }, { verdict: 'pass', area: 'a' }]);
    expect(exitCodeFor(onlyShould, false)).toBe(0);
    expect(exitCodeFor(onlyShould, true)).toBe(1);
    const must = countVerdicts([{ verdict: 'fail', area: 'a' }]);
    expect(exitCodeFor(must, false)).toBe(1);
    const clean = countVerdicts([{ verdict: 'skipped', area: 'a' }, { verdict: 'informational', area: 'b' }]);
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
