/**
 * `lambdaspec bench` and `compare` end to end on the slow-echo fixture runtime: a baseline made by the bench itself,
 * an unchanged run that passes the gate, and a run slowed from 20 to 150 ms per invocation that fails it.
 * Assertions are on exit codes and verdicts, never on times. Robust on a busy machine: fixed delays (20 ms per
 * invocation, 300 ms of init) dominate what is measured, so load that adds tens of ms does not take an unchanged
 * run past 3× (threshold 200 %), and the slowed run stays past it unless the baseline's median exceeds 50 ms.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchReport } from '../bench/bench-model.ts';
import { requireAll } from '../runtime-definition/build.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { parseSizes } from './bench-command.ts';
import { cli } from '../testing/cli-run.ts';

const FIXTURE = fileURLToPath(new URL('../testing/fixtures/slow-echo', import.meta.url));
const PYTHON = '/usr/bin/python3';
const noPython = !existsSync(PYTHON) && !requireAll();
const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-bench-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(liveProcessCount()).toBe(0);
});

const SMALL = [
  '--cold',
  '3',
  '--warm',
  '20',
  '--batch',
  '10',
  '--warmup',
  '2',
  '--stream',
  '0',
  '--sizes',
  '1k',
  '--reps',
  '2',
  '--env',
  'INIT_SLEEP_MS=300',
];
const AS_BEFORE = ['--env', 'SLOW_MS=20'];
const SLOWED = ['--env', 'SLOW_MS=150'];
const THRESHOLD = ['--max-regression', '200'];

function readReport(path: string): BenchReport {
  return JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
}

describe.skipIf(noPython)(`regression gate on a fixture runtime (needs ${PYTHON})`, () => {
  const baseline = join(dir, 'baseline.json');

  it('writes a report with raw samples that can serve as a baseline', async () => {
    const r = await cli(['bench', FIXTURE, ...SMALL, ...AS_BEFORE, '--report-dir', join(dir, 'base'), '--out', baseline]);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(0);
    const report = readReport(baseline);
    const rt = report.runtimes[0]!;
    expect(rt.runtime).toBe('slow-echo');
    expect(rt.errors).toEqual([]);
    expect(rt.cold?.init.samples).toHaveLength(3);
    expect(rt.warm?.endToEnd.samples).toHaveLength(20);
    expect(rt.warm?.runtime.samples).toHaveLength(20);
    expect(rt.payload.map((p) => `${p.direction}:${p.bytes}:${p.count}`)).toEqual(['event:1024:2', 'response:1024:2']);
    expect(rt.streaming).toEqual({ skipped: 'runtime.yaml does not declare capability streaming' });
    expect(existsSync(join(dir, 'base', 'slow-echo.json'))).toBe(true);
    expect(existsSync(join(dir, 'base', 'slow-echo.md'))).toBe(true);
    expect(r.out).toContain('| warm invoke end to end (ms) | 20 |');
  });

  it('passes the gate when nothing changed', async () => {
    const r = await cli([
      'bench',
      FIXTURE,
      ...SMALL,
      ...AS_BEFORE,
      '--report-dir',
      join(dir, 'same'),
      '--baseline',
      baseline,
      ...THRESHOLD,
    ]);
    expect(r.code).toBe(0);
    const c = readReport(join(dir, 'same', 'slow-echo.json')).comparison!;
    expect(c.failed).toBe(false);
    expect(c.metrics.filter((m) => m.gates && m.verdict === 'regression')).toEqual([]);
    expect(r.out).toContain('Gate: passed');
  });

  it('fails the gate (exit 1) on the runtime slowed to 150 ms per invocation', async () => {
    const r = await cli(['bench', FIXTURE, ...SMALL, ...SLOWED, '--report-dir', join(dir, 'slow'), '--baseline', baseline, ...THRESHOLD]);
    expect(r.code).toBe(1);
    const c = readReport(join(dir, 'slow', 'slow-echo.json')).comparison!;
    expect(c.failed).toBe(true);
    const verdict = (id: string) => c.metrics.find((m) => m.metric === id)?.verdict;
    expect(verdict('warm.runtime')).toBe('regression');
    expect(verdict('warm.endToEnd')).toBe('regression');
    expect(verdict('cold.peakRss')).not.toBe('regression');
    expect(r.out).toMatch(/\| slow-echo \| warm\.runtime \| .* \| REGRESSION \|/);
    expect(r.out).toContain('**Gate: FAILED**');
  });

  it('compare prints the same verdicts for the stored reports, and exits 1 on the regression', async () => {
    const slow = await cli(['compare', baseline, join(dir, 'slow', 'slow-echo.json'), ...THRESHOLD, '--json', join(dir, 'c.json')]);
    expect(slow.code).toBe(1);
    expect(slow.out).toMatch(
      /\| slow-echo \| warm\.runtime \| [\d.]+ ms \(n=20\) \| [\d.]+ ms \(n=20\) \| [\d.]+× \[[\d.]+, [\d.]+\] \| REGRESSION \|/,
    );
    expect(readReport(join(dir, 'c.json')) as unknown).toMatchObject({ failed: true, thresholdPct: 200 });
    const same = await cli(['compare', baseline, baseline]);
    expect(same.code).toBe(0);
    expect(same.out).not.toContain('REGRESSION');
  });
});

describe.skipIf(noPython)(`a runtime that answers wrongly (needs ${PYTHON})`, () => {
  it('is reported with its errors, each part given up after three failures in a row, and no figures', async () => {
    const r = await cli([
      'bench',
      FIXTURE,
      '--cold',
      '5',
      '--warm',
      '20',
      '--stream',
      '0',
      '--sizes',
      '1k',
      '--reps',
      '5',
      '--env',
      'BROKEN=1',
      '--report-dir',
      join(dir, 'broken'),
    ]);
    expect(r.code).toBe(0);
    const rt = readReport(join(dir, 'broken', 'slow-echo.json')).runtimes[0]!;
    expect(rt.cold).toBeUndefined();
    expect(rt.warm).toBeUndefined();
    expect(rt.payload).toEqual([]);
    expect(rt.errors).toContain('cold start: expected "lambdaspec-bench", got {"broken":true}');
    expect(rt.errors).toContain('cold start: stopped after 3 failures in a row');
    expect(rt.errors).toContain('warm-up: stopped after 3 failures in a row');
    expect(rt.errors).toContain('payload event.1024: stopped after 3 failures in a row');
    expect(rt.errors).toContain('payload response.1024: expected a 1024-byte response, got 15 bytes');
    expect(r.out).toContain('- slow-echo: `cold start: stopped after 3 failures in a row`');
  });
});

describe('bench and compare: bad input is exit 2 with one line', () => {
  it.each([
    [['bench', 'python-stdlib', '--cold', 'many'], /^lambdaspec: --cold: "many" is not a positive integer/],
    [['bench', 'python-stdlib', '--sizes', '1k,7m'], /^lambdaspec: --sizes: 7m is above Lambda's 6291456-byte payload limit/],
    [
      ['bench', 'python-stdlib', '--baseline', '/nonexistent/base.json'],
      /^lambdaspec: cannot read bench report \/nonexistent\/base\.json: ENOENT/,
    ],
    [['bench', 'python-stdlib', '--max-regression=-5'], /^lambdaspec: --max-regression: "-5" is not a percentage/],
    [['compare', 'only-one.json'], /^lambdaspec: compare takes two bench reports, got 1/],
    [['compare', 'a.json', 'b.json', '--confidence', '2'], /^lambdaspec: --confidence: "2" is not valid/],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });
});

describe('parseSizes', () => {
  it('reads KiB and MiB suffixes, sorts and dedupes', () => {
    expect(parseSizes('6m,1k,64k,1m,1K')).toEqual([1024, 65536, 1048576, 6291456]);
    expect(parseSizes('100,2KiB')).toEqual([100, 2048]);
    expect(parseSizes('none')).toEqual([]);
  });

  it('rejects what is not a size', () => {
    expect(() => parseSizes('big')).toThrow(/"big" is not a size/);
    expect(() => parseSizes('10')).toThrow(/below 64 bytes/);
  });
});
