import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../lib/user-error.ts';
import { BUILD_LOCK, BUILD_MARKER, buildRuntime, sourceHash } from './build.ts';
import { resolveRuntime } from './resolve-runtime.ts';

const root = mkdtempSync(join(tmpdir(), 'lambdaspec-build-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const savedRequireAll = process.env['LAMBDASPEC_REQUIRE_ALL'];
afterEach(() => {
  if (savedRequireAll === undefined) delete process.env['LAMBDASPEC_REQUIRE_ALL'];
  else process.env['LAMBDASPEC_REQUIRE_ALL'] = savedRequireAll;
});

let n = 0;
function runtime(build: string, extra = ''): string {
  const dir = join(root, `rt${++n}`);
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'runtime.yaml'),
    `name: rt${n}\nlanguage: sh\nhandler: h\nbootstrap: bootstrap\narchitecture: x86_64\n${build}${extra}`,
  );
  writeFileSync(join(dir, 'src.txt'), 'v1');
  return dir;
}

const BUILD =
  'build:\n  command: "echo built >> log; printf \'#!/bin/sh\\\\n\' > bootstrap; chmod +x bootstrap"\n  produces: [bootstrap]\n';

describe('buildRuntime', () => {
  it('builds once, then is cached until the source changes', async () => {
    const dir = runtime(BUILD);
    const rt = resolveRuntime(dir);
    expect(await buildRuntime(rt)).toMatchObject({ status: 'built' });
    expect(existsSync(join(dir, 'bootstrap'))).toBe(true);
    expect(existsSync(join(dir, BUILD_MARKER))).toBe(true);
    expect(await buildRuntime(rt)).toMatchObject({ status: 'cached' });
    const before = sourceHash(rt);
    writeFileSync(join(dir, 'src.txt'), 'v2');
    expect(sourceHash(rt)).not.toBe(before);
    expect(await buildRuntime(rt)).toMatchObject({ status: 'built' });
    expect(await buildRuntime(rt, { force: true })).toMatchObject({ status: 'built' });
  });

  it("builds once when asked twice at the same time (parallel test workers), and takes over a dead builder's lock", async () => {
    const dir = runtime(BUILD.replace('echo built >> log;', 'echo built >> log; sleep 0.3;'));
    const rt = resolveRuntime(dir, { requireBootstrap: false });
    const results = await Promise.all([buildRuntime(rt), buildRuntime(rt)]);
    expect(results.map((r) => r.status).sort()).toEqual(['built', 'cached']);
    expect(readFileSync(join(dir, 'log'), 'utf8')).toBe('built\n');
    expect(existsSync(join(dir, BUILD_LOCK))).toBe(false);
    writeFileSync(join(dir, BUILD_LOCK), '999999999');
    expect(await buildRuntime(rt, { force: true })).toMatchObject({ status: 'built' });
  });

  it('ignores its own outputs and caches in the hash, but not an exec-bit change', () => {
    const dir = runtime(BUILD);
    const rt = resolveRuntime(dir, { requireBootstrap: false });
    const h = sourceHash(rt);
    writeFileSync(join(dir, 'bootstrap'), 'output');
    mkdirSync(join(dir, '__pycache__'));
    writeFileSync(join(dir, '__pycache__', 'x.pyc'), 'cache');
    expect(sourceHash(rt)).toBe(h);
    chmodSync(join(dir, 'src.txt'), 0o755);
    expect(sourceHash(rt)).not.toBe(h);
  });

  it('rebuilds when an output went missing', async () => {
    const dir = runtime(BUILD);
    const rt = resolveRuntime(dir);
    await buildRuntime(rt);
    rmSync(join(dir, 'bootstrap'));
    expect(await buildRuntime(rt)).toMatchObject({ status: 'built' });
  });

  it("fails with the build's own output", async () => {
    const rt = resolveRuntime(runtime('build:\n  command: "echo compiling; echo boom >&2; exit 3"\n  produces: [bootstrap]\n'));
    const e = await buildRuntime(rt).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as Error).message).toMatch(/build of rt\d+ failed \(exit 3\)[\s\S]*compiling\nboom$/);
  });

  it('says when the build did not produce what it promised', async () => {
    const rt = resolveRuntime(runtime('build:\n  command: "true"\n  produces: [bootstrap]\n'));
    await expect(buildRuntime(rt)).rejects.toThrow(/did not produce bootstrap/);
  });

  it('skips a runtime whose toolchain is missing, except when every runtime is required', async () => {
    const rt = resolveRuntime(runtime(BUILD, 'requires: [lambdaspec-no-such-compiler]\n'));
    delete process.env['LAMBDASPEC_REQUIRE_ALL'];
    expect(await buildRuntime(rt)).toEqual({
      status: 'skipped',
      reason: 'toolchain missing: lambdaspec-no-such-compiler not found on PATH',
    });
    process.env['LAMBDASPEC_REQUIRE_ALL'] = '1';
    await expect(buildRuntime(rt)).rejects.toThrow(/every runtime must build/);
  });
});
