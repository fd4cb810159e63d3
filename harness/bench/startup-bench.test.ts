/** The start-up bench measures what it says: every command ran, the children's CPU is counted, the report renders. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderStartupMarkdown, runStartupBench } from './startup-bench.ts';

const CLI = fileURLToPath(new URL('../../bin/lambdaspec.mjs', import.meta.url));

describe('startup bench', () => {
  it('runs node, --help and invoke, counts the children CPU, and judges the targets', async () => {
    const r = await runStartupBench({ cli: CLI, runtime: 'python-stdlib', runs: 2 });
    expect(r.cases.map((c) => c.name)).toEqual(['node', 'help', 'invoke']);
    for (const c of r.cases) {
      expect(c.failures, c.name).toBe(0);
      expect(c.runs).toBe(2);
    }
    const invoke = r.cases.find((c) => c.name === 'invoke')!;
    // invoke starts Node and a Python runtime: its CPU cannot round to zero ticks, and exceeds a bare node start's.
    expect(invoke.cpuMs.p50).toBeGreaterThan(0);
    expect(invoke.cpuMs.max).toBeGreaterThanOrEqual(r.cases[0]!.cpuMs.min);
    expect(invoke.targetMs).toBe(500);
    expect(typeof invoke.meetsTarget).toBe('boolean');
    expect(r.meetsTargets).toBe(r.cases.every((c) => c.meetsTarget !== false));
    const md = renderStartupMarkdown(r);
    expect(md).toContain('| `lambdaspec --help` | 2 |');
    expect(md).toContain('| `lambdaspec invoke python-stdlib --quiet` | 2 |');
  }, 60_000);
});
