/** The image plan without a Docker engine: what goes in, where, and when the content hash changes. */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CaseReport } from '../../model/report-model.ts';
import { resolveRuntime } from '../../runtime-definition/resolve-runtime.ts';
import { exitFromStatus } from './container-launcher.ts';
import { imageArchitectureProblem } from './container-target.ts';
import { compareVerdicts } from './parity.ts';
import { planHash, planRootfs, type RootfsEntry } from './rootfs.ts';

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const targets = (entries: RootfsEntry[]): string[] => entries.map((e) => e.target);
const FIXTURE = new URL('../../testing/fixtures/tmp-runtime', import.meta.url).pathname;

describe('planRootfs', () => {
  it('puts the runtime folder at /var/task and the bootstrap there, with /bin/sh and /usr/bin/env as in provided.al2023', () => {
    const plan = planRootfs(resolveRuntime(FIXTURE));
    expect(plan.bootstrap).toBe('/var/task/bootstrap');
    expect(plan.entries).toContainEqual(expect.objectContaining({ kind: 'tree', source: FIXTURE, target: '/var/task' }));
    const paths = targets(plan.entries);
    // bash + curl for a shell runtime, each with the shared libraries ldd names (libc at least).
    expect(paths.some((p) => p.endsWith('/bash'))).toBe(true);
    expect(paths.some((p) => p.endsWith('/curl'))).toBe(true);
    expect(paths.some((p) => /\/env$/.test(p))).toBe(true);
    expect(paths.some((p) => /\/libc\.so\.6$/.test(p))).toBe(true);
    expect(paths.some((p) => /\/libcurl\.so/.test(p))).toBe(true);
  });

  it('copies python3 with its symlink chain and its standard library, without the test package', () => {
    const plan = planRootfs(resolveRuntime('python-stdlib'));
    expect(plan.entries).toContainEqual(expect.objectContaining({ kind: 'symlink', target: '/usr/bin/python3' }));
    const stdlib = plan.entries.find((e) => e.kind === 'tree' && e.target.startsWith('/usr/lib/python3'));
    expect(stdlib).toBeDefined();
    expect(stdlib?.kind === 'tree' && stdlib.skip.includes('test')).toBe(true);
  });

  it('gives a static Go bootstrap no libraries of its own: only the base tools and theirs', () => {
    const plan = planRootfs(resolveRuntime('go-aws-lambda-go'));
    const files = plan.entries.filter((e) => e.kind === 'file').map((e) => e.target);
    expect(files.some((p) => p.endsWith('/python3') || p.endsWith('/node') || p.endsWith('/bash'))).toBe(false);
    expect(files.some((p) => /\/env$/.test(p))).toBe(true);
  });

  it('hashes content: the same folder gives the same tag, one changed byte a new one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-rootfs-test-'));
    scratch.push(dir);
    cpSync(FIXTURE, dir, { recursive: true });
    const before = planHash(planRootfs(resolveRuntime(dir)), 'v');
    expect(planHash(planRootfs(resolveRuntime(dir)), 'v')).toBe(before);
    writeFileSync(join(dir, 'handler-data.txt'), 'x');
    expect(planHash(planRootfs(resolveRuntime(dir)), 'v')).not.toBe(before);
  });
});

describe('exitFromStatus', () => {
  it('reads 128+N from docker-init as death by signal N, anything else as an exit status', () => {
    expect(exitFromStatus(137)).toEqual({ code: null, signal: 'SIGKILL' });
    expect(exitFromStatus(139)).toEqual({ code: null, signal: 'SIGSEGV' });
    expect(exitFromStatus(3)).toEqual({ code: 3, signal: null });
    expect(exitFromStatus(0)).toEqual({ code: 0, signal: null });
    expect(exitFromStatus(255)).toEqual({ code: 255, signal: null });
  });
});

describe('imageArchitectureProblem', () => {
  const image = { name: 'u/fn:1', entrypoint: ['/usr/bin/python3', '-m', 'awslambdaric'], cmd: ['app.handler'], architecture: 'arm64' };
  it('refuses an image of another architecture as Lambda does: Runtime.InvalidEntrypoint, exec format error', () => {
    expect(imageArchitectureProblem(image, { architecture: 'x86_64' })).toMatchObject({
      errorType: 'Runtime.InvalidEntrypoint',
      message: 'fork/exec /usr/bin/python3: exec format error',
    });
    expect(imageArchitectureProblem(image, { architecture: 'arm64' })).toBeUndefined();
  });
});

describe('compareVerdicts', () => {
  const report = (id: string, verdict: CaseReport['verdict'], reason?: string): CaseReport =>
    ({ id, verdict, ...(reason ? { reason } : {}) }) as CaseReport;
  it('lists cases whose verdicts differ, and cases on one side only', () => {
    const result = compareVerdicts(
      [report('a', 'pass'), report('b', 'pass'), report('c', 'fail')],
      [report('a', 'pass'), report('b', 'fail', 'step 1: boom'), report('d', 'pass')],
    );
    expect(result.compared).toBe(3);
    expect(result.differences).toEqual([
      { id: 'b', left: 'pass', right: 'fail', reason: 'step 1: boom' },
      { id: 'c', left: 'fail', right: 'absent' },
      { id: 'd', left: 'absent', right: 'pass' },
    ]);
  });
});
