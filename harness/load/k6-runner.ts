/**
 * Run k6 on a generated script and fold its `--summary-export` JSON into the counts, latency and errors of a
 * `LoadReport`. k6 is found on PATH or in `$HOME/go/bin` (where `.ci/run` builds it with `go install`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UserError } from '../lib/user-error.ts';
import type { K6SummaryExport } from './k6-fold.ts';

/** The k6 binary, or undefined when it is not installed. */
export function findK6(): string | undefined {
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), join(homedir(), 'go', 'bin')];
  for (const d of dirs) {
    if (d && existsSync(join(d, 'k6'))) return join(d, 'k6');
  }
  return undefined;
}

export function k6Version(bin: string): string {
  const r = spawnSync(bin, ['version'], { encoding: 'utf8', timeout: 10_000 });
  const m = /k6 (v\S+)/.exec(r.stdout ?? '');
  return m ? m[1]! : 'unknown';
}

export interface K6Run {
  summary: K6SummaryExport;
  /** k6's exit code (108 when the script stopped the test at the request cap). */
  exitCode: number | null;
  stderrTail: string;
}

/** `--execution-segment` arguments of instance `i` of `n`: equal shares of one sequence, as k6-operator assigns them. */
export function segmentArgs(i: number, n: number): string[] {
  const at = (k: number): string => (k === 0 ? '0' : k === n ? '1' : `${k}/${n}`);
  const sequence = Array.from({ length: n + 1 }, (_, k) => at(k)).join(',');
  return [`--execution-segment=${at(i)}:${at(i + 1)}`, `--execution-segment-sequence=${sequence}`];
}

/** Run a script as `n` k6 instances side by side, each with its execution segment; one summary each. */
export async function runK6Segments(bin: string, script: string, n: number, timeoutMs: number, signal?: AbortSignal): Promise<K6Run[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => runK6(bin, script, timeoutMs, signal, segmentArgs(i, n))));
}

/** Run a script; killed after `timeoutMs` (the run's duration cap plus a grace). */
export async function runK6(
  bin: string,
  script: string,
  timeoutMs: number,
  signal?: AbortSignal,
  extraArgs: readonly string[] = [],
): Promise<K6Run> {
  const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-k6-'));
  try {
    const scriptPath = join(dir, 'load.js');
    const summaryPath = join(dir, 'summary.json');
    writeFileSync(scriptPath, script);
    const child = spawn(
      bin,
      ['run', '--quiet', '--no-color', '--no-usage-report', ...extraArgs, '--summary-export', summaryPath, scriptPath],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString('utf8')).slice(-4000);
    });
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, timeoutMs);
    signal?.addEventListener('abort', () => child.kill('SIGINT'), { once: true });
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    }).finally(() => clearTimeout(timer));
    if (!existsSync(summaryPath)) {
      throw new UserError(`k6 wrote no summary (exit ${exitCode ?? 'killed'}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    }
    const summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as K6SummaryExport;
    return { summary, exitCode, stderrTail: stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
