/**
 * Every bundled runtime builds and passes every MUST case of the conformance suite — or the case is listed in its
 * runtime.yaml `deviations` with the evidence that the runtime, not the suite, deviates. A suite that fails a
 * correct official client is a bug in the suite; this test is where that would show.
 */
import { describe, expect, it } from 'vitest';
import { buildRuntime } from '../harness/runtime-definition/build.ts';
import { assertBootstrapUsable, bundledRuntimeNames, resolveRuntime } from '../harness/runtime-definition/resolve-runtime.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from '../harness/scenarios/suite-loader.ts';
import { runSuite } from '../harness/scenarios/suite-runner.ts';
import { LocalEnvironment } from '../harness/environment/local-environment.ts';
import { requireAll } from '../harness/runtime-definition/build.ts';
import { functionConfigFor } from '../harness/runtime-definition/resolve-runtime.ts';
import { hostArchitecture } from '../harness/process/elf.ts';
import { liveProcessCount } from '../harness/process/process-runner.ts';
import { processTarget } from '../harness/targets/process/process-target.ts';
import { sandboxTarget, sandboxUnavailable } from '../harness/targets/sandbox/sandbox-target.ts';
import { planEmulation } from '../harness/targets/common/emulation.ts';
import { preflightLocal } from '../harness/probe/preflight.ts';
import type { Target } from '../harness/targets/common/target.ts';

const mustCases = loadSuites([DEFAULT_SUITE_DIR]).cases.filter((c) => c.level === 'must');

const isNative = (name: string): boolean => resolveRuntime(name, { requireBootstrap: false }).spec.architecture === hostArchitecture();

describe.each(bundledRuntimeNames().filter(isNative))('bundled runtime %s', (name) => {
  it('builds and passes every MUST case, or documents the deviation', { timeout: 900_000 }, async (ctx) => {
    const rt = resolveRuntime(name, { requireBootstrap: false });
    const built = await buildRuntime(rt);
    // Off CI a missing toolchain skips with its reason; under LAMBDASPEC_REQUIRE_ALL=1 buildRuntime throws instead.
    if (built.status === 'skipped') return ctx.skip(built.reason);
    assertBootstrapUsable(rt);
    expect(await preflightLocal(rt), 'the probe preflight').toEqual({ kind: 'probe' });
    const reports = await runSuite(mustCases, rt, { jobs: 2 });
    const deviations = rt.spec.deviations ?? {};
    const unexplained = reports.filter((r) => r.verdict === 'fail' && !(r.id in deviations)).map((r) => `${r.id}: ${r.reason}`);
    expect(unexplained, 'MUST failures without a documented deviation').toEqual([]);
    const stale = Object.keys(deviations).filter((id) => reports.find((r) => r.id === id)?.verdict !== 'fail');
    expect(stale, 'deviations listed in runtime.yaml that no longer fail').toEqual([]);
    expect(liveProcessCount()).toBe(0);
  });
});

/** Why --emulate cannot work here, if it cannot. */
function emulationUnavailable(arch: 'x86_64' | 'arm64'): string | undefined {
  try {
    planEmulation(arch, true);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

// A runtime built for the other architecture (go-aws-lambda-go-arm64 on x86_64) cannot start here: exactly the
// architecture mismatch Lambda reports. Under --emulate (qemu user mode) it must pass the same MUST cases.
describe.each(bundledRuntimeNames().filter((n) => !isNative(n)))('bundled runtime %s, built for another architecture', (name) => {
  it('is an exec format error without --emulate, and passes every MUST case under emulation', { timeout: 900_000 }, async (ctx) => {
    const rt = resolveRuntime(name, { requireBootstrap: false });
    const built = await buildRuntime(rt);
    if (built.status === 'skipped') return ctx.skip(built.reason);
    assertBootstrapUsable(rt);
    const noEmulator = emulationUnavailable(rt.spec.architecture);
    if (noEmulator && requireAll()) throw new Error(`LAMBDASPEC_REQUIRE_ALL=1: ${noEmulator}`);
    if (noEmulator) return ctx.skip(noEmulator);

    const targets: Target[] = [processTarget, ...((await sandboxUnavailable()) ? [] : [sandboxTarget])];
    for (const target of targets) {
      const plain = await target.prepare(rt, {});
      const env = await LocalEnvironment.create(functionConfigFor(rt), { hostPath: process.env['PATH'] ?? '', ...plain.environment });
      const r = await env.invoke({ payload: Buffer.from('{"probe":"echo","payload":1}') });
      await env.close();
      await plain.close();
      expect(r.outcome, `${target.name} without --emulate`).toMatchObject({
        kind: 'platform-error',
        error: {
          errorType: 'Runtime.InvalidEntrypoint',
          errorMessage: expect.stringMatching(/fork\/exec \S+bootstrap: exec format error$/),
        },
      });
    }

    const emulated = await processTarget.prepare(rt, { emulate: true });
    // The exec format error is the suite's verdict, not a missing probe; under emulation the probe answers.
    expect((await preflightLocal(rt)).kind, 'the probe preflight without --emulate').toBe('inconclusive');
    expect(await preflightLocal(rt, emulated.environment), 'the probe preflight under emulation').toEqual({ kind: 'probe' });
    const reports = await runSuite(mustCases, rt, { jobs: 2, environment: emulated.environment });
    await emulated.close();
    const deviations = rt.spec.deviations ?? {};
    const unexplained = reports.filter((r) => r.verdict === 'fail' && !(r.id in deviations)).map((r) => `${r.id}: ${r.reason}`);
    expect(unexplained, 'MUST failures under emulation without a documented deviation').toEqual([]);
    expect(liveProcessCount()).toBe(0);
  });
});
