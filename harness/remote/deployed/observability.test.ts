import { describe, expect, it } from 'vitest';
import { DEFAULT_SUITE_DIR, loadSuites } from '../../scenarios/suite-loader.ts';
import { deployedSkipReason } from './observability.ts';

describe('deployedSkipReason', () => {
  it('skips a case that checks the wire over the whole case: with no recording it would pass on nothing', () => {
    const c = loadSuites([DEFAULT_SUITE_DIR]).cases.find((x) => x.id === 'next.single-poller')!;
    expect(c.throughout).toBeDefined();
    expect(deployedSkipReason(c)).toBe('not observable on a deployed function: it checks the Runtime API wire over the whole case');
  });
});
