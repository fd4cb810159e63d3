/**
 * The sandbox target must not change a verdict: each bundled runtime runs the same cases on `process` and on
 * `sandbox`, and every case must end the same way. A difference is either a real environment difference (then it
 * belongs in the case) or a bug in a target. Cost (the suite is mostly waiting out timeouts, ~20 s per runtime and
 * target): every case for python-stdlib, a representative subset — one or two cases per area, the lifecycle
 * fixtures, a 6 MB response — for the others. The full grid was compared by hand (see docs/targets.md).
 */
import { describe, expect, it } from 'vitest';
import { buildRuntime, requireAll } from '../harness/runtime-definition/build.ts';
import { assertBootstrapUsable, bundledRuntimeNames, resolveRuntime } from '../harness/runtime-definition/resolve-runtime.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from '../harness/scenarios/suite-loader.ts';
import { runSuite } from '../harness/scenarios/suite-runner.ts';
import type { ScenarioCase } from '../harness/scenarios/suite-model.ts';
import { hostArchitecture } from '../harness/process/elf.ts';
import { liveProcessCount } from '../harness/process/process-runner.ts';
import { processTarget } from '../harness/targets/process/process-target.ts';
import { sandboxTarget, sandboxUnavailable } from '../harness/targets/sandbox/sandbox-target.ts';
import type { Target } from '../harness/targets/common/target.ts';

const ALL_CASES = new Set(['python-stdlib']);
const SUBSET = new Set([
  'next.keeps-polling',
  'response.accepted-202',
  'response.six-mb-exact',
  'error.payload-to-invoker',
  'context.environment',
  'events.unicode',
  'init.error-served-to-first-invoke',
  'init.slow-init-within-limit',
  'lifecycle.timeout-reset',
  'lifecycle.crash-exit-error',
  'lifecycle.exits-before-next',
  'lifecycle.interpreter-missing',
  'robustness.stdout-lines',
  'streaming.incremental',
]);

const cases = loadSuites([DEFAULT_SUITE_DIR]).cases;
const unavailable = await sandboxUnavailable();
if (unavailable && requireAll()) throw new Error(`sandbox target required (LAMBDASPEC_REQUIRE_ALL=1): ${unavailable}`);
const native = bundledRuntimeNames().filter((n) => resolveRuntime(n, { requireBootstrap: false }).spec.architecture === hostArchitecture());

async function verdicts(
  target: Target,
  name: string,
  selected: ScenarioCase[],
): Promise<Map<string, { verdict: string; reason?: string }>> {
  const rt = resolveRuntime(name);
  const prepared = await target.prepare(rt, {});
  try {
    const reports = await runSuite(selected, rt, { jobs: 2, environment: prepared.environment });
    return new Map(reports.map((r) => [r.id, { verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}) }]));
  } finally {
    await prepared.close();
  }
}

describe.skipIf(unavailable !== undefined)(`process/sandbox parity${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it.for(native)('%s: same verdict on both targets', { timeout: 600_000 }, async (name, ctx) => {
    const rt = resolveRuntime(name, { requireBootstrap: false });
    const built = await buildRuntime(rt);
    if (built.status === 'skipped') return ctx.skip(built.reason);
    assertBootstrapUsable(rt);
    const selected = ALL_CASES.has(name) ? cases : cases.filter((c) => SUBSET.has(c.id));
    // One after the other: timing-sensitive cases (streaming gaps, init durations) must not compete for the CPU.
    const onProcess = await verdicts(processTarget, name, selected);
    const onSandbox = await verdicts(sandboxTarget, name, selected);
    const differences = selected
      .filter((c) => onProcess.get(c.id)?.verdict !== onSandbox.get(c.id)?.verdict)
      .map((c) => `${c.id}: process ${JSON.stringify(onProcess.get(c.id))} vs sandbox ${JSON.stringify(onSandbox.get(c.id))}`);
    expect(differences).toEqual([]);
    expect(onSandbox.size).toBe(selected.length);
    expect(liveProcessCount()).toBe(0);
  });
});
