/**
 * Run k6 on a generated script and fold its `--summary-export` JSON into the counts, latency and errors of a
 * `LoadReport`. k6 is found on PATH or in `$HOME/go/bin` (where `.ci/run` builds it with `go install`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UserError } from '../lib/user-error.ts';
import { K6_BROKEN_OUT_STATUSES, K6_METRICS } from './k6-script.ts';
import { bump, emptyErrorCounts, type ErrorCounts, type LatencySummary, type LoadCounts, type LoadModel } from './load-model.ts';

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

/** A metric as `--summary-export` writes it: trends have stats, counters count/rate, rates passes/fails/value. */
type SummaryMetric = Record<string, number | Record<string, boolean>>;
export interface K6SummaryExport {
  metrics: Record<string, SummaryMetric>;
}

export interface K6Fold {
  counts: LoadCounts;
  elapsedMs: number;
  requestsPerSecond: number;
  latency: LatencySummary;
  errors: ErrorCounts;
}

const num = (m: SummaryMetric | undefined, key: string): number => {
  const v = m?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
};
const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Fold a k6 summary into our counts, latency (ms) and errors. */
export function foldK6Summary(summary: K6SummaryExport, model: LoadModel): K6Fold {
  const m = summary.metrics;
  const reqs = m['http_reqs'];
  const sent = num(reqs, 'count');
  const rate = num(reqs, 'rate');
  const duration = m['http_req_duration'];
  const errors = emptyErrorCounts();
  const httpTotal = num(m[K6_METRICS.http], 'count');
  let brokenOut = 0;
  for (const s of K6_BROKEN_OUT_STATUSES) {
    const c = num(m[`${K6_METRICS.http}{status:${s}}`], 'count');
    if (c > 0) bump(errors.http, String(s), c);
    brokenOut += c;
  }
  if (httpTotal > brokenOut) bump(errors.http, 'other', httpTotal - brokenOut);
  const fnTotal = num(m[K6_METRICS.functionError], 'count');
  // The script sees only the header; the types come from the front (see the report's notes).
  if (fnTotal > 0) bump(errors.functionError, 'X-Amz-Function-Error', fnTotal);
  const transport = num(m[K6_METRICS.transport], 'count');
  if (transport > 0) bump(errors.transport, 'k6', transport);
  errors.total = httpTotal + fnTotal + transport;
  const dropped = num(m['dropped_iterations'], 'count');
  return {
    // Only an arrival-rate schedule can miss slots; shared-iterations "drops" what the time limit left undone.
    counts: { sent, completed: sent, ok: Math.max(0, sent - errors.total), ...(model === 'open' ? { missedSchedule: dropped } : {}) },
    elapsedMs: rate > 0 ? round3((sent / rate) * 1000) : 0,
    requestsPerSecond: Math.round(rate * 10) / 10,
    latency: {
      count: num(duration, 'count') || sent,
      min: round3(num(duration, 'min')),
      mean: round3(num(duration, 'avg')),
      p50: round3(num(duration, 'p(50)')),
      p90: round3(num(duration, 'p(90)')),
      p99: round3(num(duration, 'p(99)')),
      p99_9: round3(num(duration, 'p(99.9)')),
      max: round3(num(duration, 'max')),
    },
    errors,
  };
}

export interface K6Run {
  summary: K6SummaryExport;
  /** k6's exit code (108 when the script stopped the test at the request cap). */
  exitCode: number | null;
  stderrTail: string;
}

/** Run a script; killed after `timeoutMs` (the run's duration cap plus a grace). */
export async function runK6(bin: string, script: string, timeoutMs: number, signal?: AbortSignal): Promise<K6Run> {
  const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-k6-'));
  try {
    const scriptPath = join(dir, 'load.js');
    const summaryPath = join(dir, 'summary.json');
    writeFileSync(scriptPath, script);
    const child = spawn(bin, ['run', '--quiet', '--no-color', '--no-usage-report', '--summary-export', summaryPath, scriptPath], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, K6_NO_USAGE_REPORT: 'true' },
    });
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
