/**
 * A digest of the cases a run selected, so reports produced on different machines can be told to have run the
 * same suite (`lambdaspec matrix --from`). It covers what a case checks (id, level, function, steps, expectations,
 * requirement and source), in id order, and not where its file lay on disk.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../lib/canonical-json.ts';
import type { ScenarioCase } from './suite-model.ts';

export interface SuiteIdentity {
  /** `sha256:<hex>` of the selected cases. */
  digest: string;
  cases: number;
}

export function suiteIdentity(cases: readonly ScenarioCase[]): SuiteIdentity {
  const hash = createHash('sha256');
  for (const c of [...cases].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const { location: _where, ...what } = c;
    hash.update(canonicalJson(what)).update('\n');
  }
  return { digest: `sha256:${hash.digest('hex')}`, cases: cases.length };
}
