/**
 * A short soak on python-stdlib: the harness must not grow. Bounds are generous (a 45 s run is noisy); the
 * deterministic per-invocation check is long-lived-environment.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli/io.ts';
import { main } from '../cli/main.ts';
import { soakCommand } from '../cli/soak-command.ts';
import { requireAll } from '../runtime-definition/build.ts';
import { invocationSignature } from './soak-runner.ts';
import type { SoakReport } from './soak-report.ts';
import type { InvocationResult } from '../model/invocation.ts';

const python = existsSync('/usr/bin/python3');
if (!python && requireAll()) throw new Error('/usr/bin/python3 is required (LAMBDASPEC_REQUIRE_ALL=1)');
const BIN = fileURLToPath(new URL('../../bin/lambdaspec.mjs', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'lambdaspec-soak-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe.skipIf(!python)('soak (needs /usr/bin/python3)', () => {
  it('45 s of mixed cases and invocations: no growth, no changed outcome, no process left', async () => {
    // Measured as users run it: the compiled CLI in a process of its own. Inside a test worker the harness's RSS
    // also holds the test runner and its transform caches, which grow as lazily imported modules load. 45 s, because
    // the harness's RSS climbs for its first ~25 s (heap and JIT settling, then flat: an 80 s soak went 88 → 102 MiB
    // by 25 s and 107 MiB by 80 s), and longer on a busy machine: growth is judged after 20 s, not during the climb.
    const dir = join(out, 'cli-soak');
    const child = spawn(
      process.execPath,
      [
        BIN,
        'soak',
        'python-stdlib',
        '--duration',
        '45s',
        '--warmup',
        '20s',
        '--interval',
        '1s',
        '--report-dir',
        dir,
        '--max-rss-slope',
        '30',
        '--max-fd-growth',
        '2',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const report = JSON.parse(readFileSync(join(dir, 'python-stdlib.json'), 'utf8')) as SoakReport;
    const g = report.growth;
    console.info(
      `soak: ${report.rounds} rounds, ${report.cases} cases, ${report.invocations} invocations; RSS ${(g.rssStartBytes / 1048576).toFixed(1)} → ${(g.rssEndBytes / 1048576).toFixed(1)} MiB, slope ${g.rssSlopeMiBPerMin} MiB/min; fds ${g.fdsBefore} → ${g.fdsAfter}`,
    );
    expect(report.reasons).toEqual([]);
    expect(code, stderr).toBe(0);
    expect(report.verdict).toBe('pass');
    expect(report.rounds).toBeGreaterThanOrEqual(2);
    expect(report.mix).toContain('case:streaming.chunked-framing');
    expect(report.differences).toEqual([]);
    expect(g.processesLeft).toBe(0);
    expect(g.fdsAfter! - g.fdsBefore!).toBeLessThanOrEqual(2);
    expect(g.fdGrowth).toBeLessThanOrEqual(2);
    expect(report.samples.length).toBeGreaterThanOrEqual(10);
    expect(report.samples.at(-1)!.liveRuntimeProcesses).toBe(0);
  }, 120_000);

  it('lambdaspec soak writes the JSON and Markdown reports and exits 0', async () => {
    const io = memoryIo();
    expect(await main(['soak', 'python-stdlib', '--duration', '2s', '--interval', '500ms', '--report-dir', out], io)).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'python-stdlib.json'), 'utf8')) as SoakReport;
    expect(report).toMatchObject({ runtime: 'python-stdlib', verdict: 'pass', interrupted: false, requestedDurationMs: 2000 });
    expect(readFileSync(join(out, 'python-stdlib.md'), 'utf8')).toMatch(/^# Soak: python-stdlib — PASS/);
    expect(io.stdout()).toMatch(/python-stdlib: soak PASS/);
  }, 30_000);

  it('interrupted: exits 130 with the partial report written', async () => {
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 1500);
    const dir = join(out, 'interrupted');
    expect(await soakCommand(['python-stdlib', '--duration', '10m', '--report-dir', dir], memoryIo(), stop.signal)).toBe(130);
    const report = JSON.parse(readFileSync(join(dir, 'python-stdlib.json'), 'utf8')) as SoakReport;
    expect(report.interrupted).toBe(true);
    expect(report.elapsedMs).toBeLessThan(report.requestedDurationMs);
    expect(report.growth.processesLeft).toBe(0);
  }, 30_000);
});

describe('lambdaspec soak flags', () => {
  it.each([
    [[], /soak: expected exactly one <runtime>/],
    [['python-stdlib'], /soak: --duration is required/],
    [['python-stdlib', '--duration', '25h'], /--duration: "25h" must be more than 0 and at most 24h/],
    [['python-stdlib', '--duration', 'soon'], /--duration: "soon" is not a duration/],
    [['python-stdlib', '--duration', '1m', '--interval', '10ms'], /--interval: "10ms" is too short/],
    [['python-stdlib', '--duration', '10s', '--warmup', '20s'], /--warmup: "20s" must be shorter than --duration/],
    [['python-stdlib', '--duration', '1m', '--max-rss-slope', 'lots'], /--max-rss-slope: "lots" is not a non-negative number/],
  ])('%j → exit 2 with one clear line', async (args, message) => {
    const io = memoryIo();
    expect(await main(['soak', ...args], io)).toBe(2);
    expect(io.stderr()).toMatch(message);
  });

  it('stops before the soak when the runtime does not implement the probe handler', async () => {
    const io = memoryIo();
    const noProbe = fileURLToPath(new URL('../testing/fixtures/no-probe', import.meta.url));
    expect(await main(['soak', noProbe, '--duration', '1m'], io)).toBe(2);
    expect(io.stderr()).toMatch(
      /^lambdaspec: no-probe does not implement the probe handler: it answered .*; see docs\/probe-contract\.md\n$/,
    );
  });
});

describe('invocationSignature', () => {
  it('is the same for the same outcome whatever the request id', () => {
    const result = (id: string): InvocationResult => ({
      requestId: id,
      outcome: { kind: 'platform-error', error: { errorType: 'Runtime.ExitError', errorMessage: 'x' } },
      payload: Buffer.from(`{"errorMessage":"RequestId: ${id} Error: Runtime exited with error: exit status 3"}`),
      logs: [],
      report: { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 1 },
      coldStart: false,
      timings: { receivedAt: 0, done: 1 },
    });
    expect(invocationSignature(result('a-1'))).toBe(invocationSignature(result('b-2')));
    expect(invocationSignature(result('a-1'))).toBe(
      'platform-error Runtime.ExitError: {"errorMessage":"RequestId: {requestId} Error: Runtime exited with error: exit status 3"}',
    );
  });
});
