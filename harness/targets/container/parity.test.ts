/**
 * The conformance suite judges each bundled runtime the same on the container target as on the process target.
 * A whole-suite comparison for every runtime costs minutes on two cores, so the normal run covers all 71 cases for
 * go-aws-lambda-go (static binary, 11 MB image) and bash-curl (shell + curl + jq), and a MUST subset across the areas
 * for the other runtimes. (The full 71 × 7 comparison was run by hand: see docs/targets.md.)
 * Skipped without a Docker engine, required under LAMBDASPEC_REQUIRE_ALL=1.
 */
import { describe, expect, it } from 'vitest';
import { buildRuntime, requireAll } from '../../runtime-definition/build.ts';
import { resolveRuntime } from '../../runtime-definition/resolve-runtime.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from '../../scenarios/suite-loader.ts';
import { filterCases, runSuite } from '../../scenarios/suite-runner.ts';
import { liveContainerCount } from './container-launcher.ts';
import { containerTarget } from './container-target.ts';
import { dockerUnavailable } from './docker.ts';
import { compareVerdicts } from './parity.ts';

const why = await dockerUnavailable();
const skip = why !== undefined && !requireAll();
const { cases } = loadSuites([DEFAULT_SUITE_DIR]);

/** One or two MUST cases per area, chosen where a container differs most from a process: env, exits, /tmp, big bodies, output. */
const MUST_SUBSET = [
  'context.environment',
  'error.keeps-serving',
  'events.large-6mb',
  'init.error-served-to-first-invoke',
  'init.bad-handler-exits',
  'lifecycle.timeout-reset',
  'lifecycle.crash-exit-error',
  'lifecycle.exit-zero',
  'next.keeps-polling',
  'response.six-mb-exact',
  'robustness.stdout-lines',
  'streaming.incremental',
  'streaming.error-trailers',
];

const PLAN: Array<[runtime: string, filter: string[] | undefined]> = [
  ['go-aws-lambda-go', undefined],
  ['bash-curl', undefined],
  ['python-stdlib', MUST_SUBSET],
  ['python-awslambdaric', MUST_SUBSET],
  ['node-stdlib', MUST_SUBSET],
  ['node-aws-lambda-ric', MUST_SUBSET],
  ['rust-lambda-runtime', MUST_SUBSET],
];

describe.skipIf(skip)(`container target gives the process target's verdicts${why ? ` (skipped: ${why})` : ''}`, () => {
  it('has a Docker engine', () => {
    expect(why).toBeUndefined();
  });

  for (const [name, filter] of PLAN) {
    it(`${name}: ${filter ? `${filter.length} MUST cases` : 'every case'}`, async () => {
      const runtime = resolveRuntime(name);
      await buildRuntime(runtime);
      const selected = filterCases(cases, filter);
      const onProcess = await runSuite(selected, runtime, { jobs: 2 });
      const prepared = await containerTarget.prepare(runtime, {});
      try {
        const inContainers = await runSuite(selected, runtime, { jobs: 2, environment: prepared.environment });
        const parity = compareVerdicts(onProcess, inContainers);
        expect(parity.compared).toBe(selected.length);
        expect(parity.differences).toEqual([]);
      } finally {
        await prepared.close();
      }
      expect(liveContainerCount()).toBe(0);
    }, 300_000);
  }
});
