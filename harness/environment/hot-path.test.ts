/**
 * A warm invocation must not scan /proc: the scan's cost grows with every process on the machine, so it would be
 * what a benchmark measures. Every readdirSync('/proc') is counted; the shared group rescan (group-watch.ts) runs
 * on setInterval, which is faked here so that only the request path could scan.
 */
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { liveProcessCount } from '../process/process-runner.ts';
import { testFunctionConfig } from '../testing/test-config.ts';
import { LocalEnvironment } from './local-environment.ts';

const procScans = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const readdirSync = ((path: fs.PathLike, ...rest: unknown[]) => {
    if (String(path) === '/proc') procScans.count++;
    return (real.readdirSync as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof real.readdirSync;
  return { ...real, readdirSync, default: { ...real, readdirSync } };
});

const MINI = fileURLToPath(new URL('../testing/fixtures/mini-runtime.py', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-hot-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the warm invocation path', () => {
  it('does no /proc directory scan, and still reports the memory used', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const env = await LocalEnvironment.create(testFunctionConfig({ functionName: 'mini', taskRoot: scratch, bootstrap: MINI }), {
      hostPath: process.env['PATH'] ?? '',
    });
    try {
      const ev = { payload: Buffer.from(JSON.stringify({ do: 'echo', value: 1 })) };
      const cold = await env.invoke(ev);
      expect(cold.coldStart).toBe(true);
      // The counter does see scans: a cold start rescans the group once, when init is done.
      expect(procScans.count).toBeGreaterThan(0);
      procScans.count = 0;
      for (let i = 0; i < 20; i++) {
        const r = await env.invoke(ev);
        expect(r.coldStart).toBe(false);
        expect(r.report.maxMemoryUsedMb).toBeGreaterThan(1);
      }
      expect(procScans.count).toBe(0);
    } finally {
      vi.useRealTimers();
      await env.close();
    }
    expect(liveProcessCount()).toBe(0);
  });
});
