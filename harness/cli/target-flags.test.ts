import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../model/report-model.ts';
import { requireAll } from '../runtime-definition/build.ts';
import type { ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { hostArchitecture } from '../process/elf.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { sandboxUnavailable } from '../targets/sandbox/sandbox-target.ts';
import { withoutForeignArchitectures } from './target-flags.ts';
import { cli } from '../testing/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-target-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const unavailable = await sandboxUnavailable();
if (unavailable && requireAll()) throw new Error(`sandbox target required (LAMBDASPEC_REQUIRE_ALL=1): ${unavailable}`);

describe('--target', () => {
  it('rejects an unknown target in one line naming the known ones (exit 2)', async () => {
    const r = await cli(['run', 'python-stdlib', '--target', 'vm']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^lambdaspec: --target: unknown target "vm" \(known: process, sandbox[^)]*\)\n$/);
  });

  it.skipIf(unavailable !== undefined)('runs the suite on the sandbox and records the target in report.json and report.md', async () => {
    const out = join(dir, 'sandbox');
    const r = await cli([
      'run',
      'python-stdlib',
      '--target',
      'sandbox',
      '--filter',
      'context.environment',
      '--filter',
      'lifecycle.missing-bootstrap',
      '--report-dir',
      out,
    ]);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(report.target).toBe('sandbox');
    expect(report.summary).toMatchObject({ total: 2, pass: 2 });
    // The runtime saw Lambda's paths, and a missing bootstrap is worded with them.
    const missing = report.cases.find((c) => c.id === 'lifecycle.missing-bootstrap');
    expect(missing?.evidence.results[0]?.payloadPreview).toContain(
      "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
    );
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('on target `sandbox`');
    expect(liveProcessCount()).toBe(0);
  });
});

const rt = (name: string, architecture: 'x86_64' | 'arm64'): ResolvedRuntime => ({
  spec: { name, language: 'go', handler: 'h', bootstrap: 'bootstrap', architecture, capabilities: {} },
  dir: `/rt/${name}`,
  bootstrap: `/rt/${name}/bootstrap`,
});

describe('matrix: runtimes built for another architecture', () => {
  const host = hostArchitecture();
  const other = host === 'x86_64' ? 'arm64' : 'x86_64';
  const prepared = { ready: [rt('native', host), rt('foreign', other)], skipped: [] };

  it('get a skipped column naming the architecture mismatch without --emulate', () => {
    const lines: string[] = [];
    const { runtimes, skipped } = withoutForeignArchitectures(prepared, false, (l) => lines.push(l));
    expect(runtimes.map((r) => r.spec.name)).toEqual(['native']);
    expect(skipped.map((s) => [s.runtime.spec.name, s.reason])).toEqual([
      ['foreign', expect.stringMatching(/^architecture mismatch: .*exec format error.*--emulate$/)],
    ]);
    expect(lines).toHaveLength(1);
  });
});
