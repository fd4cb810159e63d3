/**
 * The generator bench end to end at a tiny scale: every generator drives the trivial server and reports a rate
 * and its CPU (no assertion on how fast: that is what the benchmark's JSON is for).
 */
import { describe, expect, it } from 'vitest';
import { generatorBenchMarkdown } from '../cli/bench-generators-command.ts';
import { requireAll } from '../runtime-definition/build.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { runGeneratorBench } from './generator-bench.ts';
import { findK6 } from './k6-runner.ts';

describe('bench-generators', () => {
  it('runs the built-in generator, k6 and autocannon against one server and compares them to k6', async () => {
    const k6 = findK6();
    if (!k6 && requireAll()) throw new Error('k6 is required (LAMBDASPEC_REQUIRE_ALL=1): go install go.k6.io/k6@v1.8.1');
    // Tiny on purpose: this runs beside timing-sensitive tests, and each generator saturates a core while it runs.
    const r = await runGeneratorBench({ connections: 2, durationMs: 300, rounds: 1, warmupMs: 0 });
    const ran = r.runs.map((x) => x.generator).sort();
    expect(ran).toEqual(k6 ? ['autocannon', 'builtin', 'k6', 'k6-2seg'] : ['autocannon', 'builtin']);
    for (const run of r.runs) {
      expect(run.requests, run.generator).toBeGreaterThan(0);
      expect(run.errors, run.generator).toBe(0);
      expect(run.requestsPerSecond, run.generator).toBeGreaterThan(0);
      expect(run.cpuMs, run.generator).not.toBeNull();
    }
    if (k6) {
      expect(r.summary.k6.ratioToK6).toBe(1);
      expect(r.summary.builtin.ratioToK6).toBeGreaterThan(0);
      expect(r.target.builtinAtLeastK6).not.toBeNull();
      expect(r.versions.k6).toMatch(/^v\d/);
    }
    expect(generatorBenchMarkdown(r)).toContain('| builtin |');
    if (k6) expect(generatorBenchMarkdown(r)).toContain('| k6-2seg |');
    expect(liveProcessCount()).toBe(0);
  }, 90_000);
});
