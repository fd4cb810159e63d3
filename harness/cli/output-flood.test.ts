/**
 * A runtime that floods stdout (empty lines, 1-byte lines, one line without end) cannot kill the harness: `invoke`,
 * `run` and `serve` each stay under a fixed memory ceiling, give the invocation its verdict, write the report and
 * say how much output they dropped. Each command runs as its own process so its peak RSS is its own.
 *
 * Memory is checked as a bound (VmHWM, the kernel's peak RSS of the harness process), not as a timing. Every flood
 * lasts one function timeout (1 s), so the CPU cost stays small.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../model/report-model.ts';
import { vmHwmKiB } from '../process/process-runner.ts';

const BIN = fileURLToPath(new URL('../../bin/lambdaspec.mjs', import.meta.url));
const HOSTILE = fileURLToPath(new URL('../testing/fixtures/hostile', import.meta.url));
const FLOOD_SUITE = fileURLToPath(new URL('../testing/fixtures/flood-suite', import.meta.url));
/** The ceiling the harness promises whatever a runtime prints (docs/reliability.md). */
const CEILING_KIB = 512 * 1024;
const FLOODS = ['empty', 'short', 'endless'] as const;

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-flood-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Harness {
  exited: Promise<number | null>;
  stdout: () => string;
  stderr: () => string;
  /** Highest VmHWM seen while it ran (KiB). */
  peakKiB: () => number;
  kill: (signal: NodeJS.Signals) => void;
}

function lambdaspec(args: string[]): Harness {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let errHead = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  // stderr carries the kept log lines (thousands of them, or one of 256 KiB): keep only its head and its end.
  child.stderr.on('data', (d: Buffer) => {
    if (errHead.length < 4096) errHead += d.toString().slice(0, 4096 - errHead.length);
    err = (err + d.toString()).slice(-4096);
  });
  let peak = 0;
  const sample = (): void => {
    if (child.pid !== undefined) peak = Math.max(peak, vmHwmKiB(child.pid));
  };
  const sampler = setInterval(sample, 25);
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      clearInterval(sampler);
      resolve(code);
    }),
  );
  return { exited, stdout: () => out, stderr: () => `${errHead}\n…\n${err}`, peakKiB: () => peak, kill: (s) => child.kill(s) };
}

describe('a runtime flooding stdout', () => {
  it.each(FLOODS)('invoke: %s — verdict, bounded memory, the dropped volume on the terminal', async (flood) => {
    const h = lambdaspec(['invoke', HOSTILE, '--env', 'HOSTILE_MODE=flood', '--env', `HOSTILE_FLOOD=${flood}`, '--timeout', '1s']);
    expect(await h.exited).toBe(1);
    console.info(
      `invoke ${flood}: peak RSS ${Math.round(h.peakKiB() / 1024)} MiB; ${/… (.*lines dropped)/.exec(h.stderr())?.[1] ?? 'nothing dropped'}`,
    );
    expect(h.peakKiB()).toBeGreaterThan(0);
    expect(h.peakKiB()).toBeLessThan(CEILING_KIB);
    expect(JSON.parse(h.stdout()) as unknown).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(h.stderr()).toMatch(/… \d+(\.\d)? [kMG]?B in \d+(\.\d)? [kMG]? ?lines dropped/);
    expect(h.stderr()).toMatch(/REPORT RequestId: .*Status: timeout/);
  });

  it('run: every case gets its verdict, the report is written and says what was dropped', async () => {
    const out = join(dir, 'run');
    const h = lambdaspec(['run', HOSTILE, '--suite', FLOOD_SUITE, '--report-dir', out, '--jobs', '2']);
    expect(await h.exited).toBe(0);
    console.info(`run (3 floods, --jobs 2): peak RSS ${Math.round(h.peakKiB() / 1024)} MiB`);
    expect(h.peakKiB()).toBeLessThan(CEILING_KIB);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(report.cases.map((c) => [c.id, c.verdict]).sort()).toEqual([
      ['flood.empty-lines', 'pass'],
      ['flood.endless-line', 'pass'],
      ['flood.short-lines', 'pass'],
    ]);
    for (const c of report.cases) {
      const dropped = c.evidence.processes?.[0]?.outputDropped;
      console.info(`  ${c.id}: dropped ${JSON.stringify(dropped)}`);
      // A 1 s flood on a loaded machine may overflow the 8 MiB budget only a little: anything dropped is counted.
      expect(dropped?.bytes).toBeGreaterThan(0);
      if (c.id !== 'flood.endless-line') expect(dropped?.lines).toBeGreaterThan(0);
    }
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/output over the capture budget: [\d.]+ [kMG]?B in/);
  });

  it('serve: each flooded invocation is answered, and the server stays under the ceiling', async () => {
    const h = lambdaspec(['serve', HOSTILE, '--port', '0', '--timeout', '1s', '--env', 'HOSTILE_MODE=flood', '--no-prewarm']);
    try {
      let url: string | undefined;
      for (let i = 0; i < 400 && !url; i++) {
        url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(h.stdout())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 50));
      }
      expect(url, h.stderr()).toBeDefined();
      for (const flood of FLOODS) {
        // A configuration update replaces the environment and retires the runtime: the next invoke floods anew.
        const update = await fetch(`${url}/2015-03-31/functions/hostile/configuration`, {
          method: 'PUT',
          body: JSON.stringify({ Environment: { Variables: { HOSTILE_MODE: 'flood', HOSTILE_FLOOD: flood } } }),
        });
        expect(update.status).toBe(200);
        const res = await fetch(`${url}/2015-03-31/functions/hostile/invocations`, {
          method: 'POST',
          body: '{}',
          headers: { 'X-Amz-Log-Type': 'Tail' },
        });
        expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
        expect(await res.json()).toMatchObject({ errorType: 'Sandbox.Timedout' });
        expect(Buffer.from(res.headers.get('x-amz-log-result')!, 'base64').toString()).toContain('Status: timeout');
      }
      console.info(`serve (3 floods): peak RSS ${Math.round(h.peakKiB() / 1024)} MiB`);
      expect(h.peakKiB()).toBeLessThan(CEILING_KIB);
    } finally {
      h.kill('SIGINT');
      await h.exited;
    }
  });
});
