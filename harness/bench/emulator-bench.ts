/**
 * `lambdaspec serve` beside AWS's Runtime Interface Emulator (aws-lambda-rie) on the same bootstraps, in one run:
 * each emulator is a process of its own (RIE; serve-child.ts with recording off and on), started fresh per turn,
 * and turns are interleaved (runtime × emulator, round after round) so machine noise hits all alike. Per turn:
 * cold start (process spawned → first invocation answered), warm throughput and p50/p99 at concurrency 1 from a
 * child client (invoke-client.ts), the emulator process's own CPU time per warm invocation (utime + stime from
 * /proc/<pid>/stat: the runtime, a child, is not counted) and its peak RSS (VmHWM). Then a burst from 4 concurrent
 * clients, whose errors are reported as they happen: RIE serialises invocations and has crashed under concurrent
 * clients (aws-lambda-runtime-interface-emulator issue #97).
 */
import { benchMachine, type BenchMachine } from './machine.ts';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { lambdaEnvironment } from '../process/lambda-env.ts';
import { launchProcess, vmHwmKiB, type RunningProcess } from '../process/process-runner.ts';
import { which } from '../lib/which.ts';
import { functionConfigFor, REPO_ROOT, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { nearestRank, sortedCopy } from '../stats/percentiles.ts';
import { ECHO_EVENT, runInvokeClient, type ClientRun } from './end-to-end-bench.ts';
import { nodeModuleArgs } from '../lib/node-child.ts';

/** The RIE build `npm run bench` and .ci/run install (go install …/cmd/aws-lambda-rie@RIE_VERSION). */
export const RIE_MODULE = 'github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie';
export const RIE_VERSION = 'v0.0.0-20261030222936-bef5c4ba774d';
const SERVE_CHILD = nodeModuleArgs(import.meta.url, './serve-child');
const INVOKE_PATH = '/2015-03-31/functions/function/invocations';
/** Unmeasured invocations before the warm run: serve's JIT settles (its CPU per invocation halves over the first ~1000). */
const WARM_UP = 300;

export type EmulatorName = 'rie' | 'serve-record-off' | 'serve-record-on';
export const EMULATORS: readonly EmulatorName[] = ['rie', 'serve-record-off', 'serve-record-on'];

export interface EmulatorTurn {
  runtime: string;
  emulator: EmulatorName;
  round: number;
  coldStartMs: number | null;
  warm: ClientRun | null;
  perSecond: number | null;
  cpuMsPerInvocation: number | null;
  rssKiB: number | null;
  /** The 4-client burst: what came back, errors included, and whether the emulator was still running after it. */
  concurrent: (ClientRun & { aliveAfter: boolean }) | null;
  error?: string;
}

export interface EmulatorSummary {
  runtime: string;
  emulator: EmulatorName;
  /** Medians over the rounds. */
  perSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  coldStartMs: number | null;
  cpuMsPerInvocation: number | null;
  rssMiB: number | null;
  /** Ratios to RIE on the same runtime (throughput: higher is better; the others: lower is better). */
  vsRie: { perSecond: number | null; cpuMsPerInvocation: number | null; coldStartMs: number | null; rssMiB: number | null } | null;
  concurrentErrors: number;
  concurrentNotes: string[];
}

export interface EmulatorBenchReport {
  format: 'lambdaspec.bench.emulators/v1';
  date: string;
  machine: BenchMachine & { loadAverage: number[] };
  rie: { path: string | null; version: string; skipped?: string };
  method: string;
  rounds: number;
  warmInvocations: number;
  turns: EmulatorTurn[];
  summary: EmulatorSummary[];
  targets: { serveOffVsRie: number; serveOnVsRie: number };
  /** Per runtime: serve's throughput ratios to RIE met the targets. */
  meetsTargets: Record<string, { recordingOff: boolean; recordingOn: boolean }>;
}

/** aws-lambda-rie on PATH or in ~/go/bin (where `go install` puts it). */
export function findRie(): string | undefined {
  const home = join(os.homedir(), 'go', 'bin', 'aws-lambda-rie');
  return which('aws-lambda-rie') ?? (existsSync(home) ? home : undefined);
}

/** findRie(), or build the pinned RIE with `go install` when Go is here (bounded; the first build fetches modules). */
export function ensureRie(log: (l: string) => void): string | undefined {
  const found = findRie();
  if (found) return found;
  const go = which('go');
  if (!go) return undefined;
  log(`building aws-lambda-rie: go install ${RIE_MODULE}@${RIE_VERSION}`);
  const r = spawnSync(go, ['install', `${RIE_MODULE}@${RIE_VERSION}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 300_000,
    encoding: 'utf8',
  });
  if (r.status !== 0)
    log(`go install failed: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ') || (r.error?.message ?? `exit ${r.status}`)}`);
  return findRie();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function invokeOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: INVOKE_PATH, agent: false, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(ECHO_EVENT);
  });
}

/** Spawned → first invocation answered, polling until the port accepts (bounded). */
async function coldStart(port: number, startedAt: number, proc: RunningProcess, limitMs: number): Promise<number> {
  for (;;) {
    if (proc.exitInfo)
      throw new Error(
        `exited before answering (${proc.output
          .lines()
          .slice(-2)
          .map((l) => l.text)
          .join(' | ')})`,
      );
    if (performance.now() - startedAt > limitMs) throw new Error(`no answer within ${limitMs} ms`);
    try {
      const status = await invokeOnce(port);
      if (status !== 200) throw new Error(`first invocation answered HTTP ${status}`);
      return performance.now() - startedAt;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw e;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

function start(emulator: EmulatorName, runtime: ResolvedRuntime, rie: string, port: number, apiPort: number): RunningProcess {
  const clock = (): number => performance.now();
  if (emulator === 'rie') {
    const config = functionConfigFor(runtime, { functionName: 'function' });
    // Lambda's variables as our environment gives them (RIE sets AWS_LAMBDA_RUNTIME_API itself).
    const env = lambdaEnvironment(config, `127.0.0.1:${apiPort}`, { hostPath: process.env['PATH'] ?? '' });
    delete env['AWS_LAMBDA_RUNTIME_API'];
    return launchProcess({
      command: rie,
      // Both addresses ALWAYS given: without them RIE listens on *:8080 (even for --help).
      args: [
        '--runtime-interface-emulator-address',
        `127.0.0.1:${port}`,
        '--runtime-api-address',
        `127.0.0.1:${apiPort}`,
        config.bootstrap,
        ...config.bootstrapArgs,
      ],
      cwd: config.taskRoot,
      env,
      clock,
      capture: { maxRetainedBytes: 256 * 1024 },
    });
  }
  return launchProcess({
    command: process.execPath,
    args: [...SERVE_CHILD, runtime.dir, String(port), emulator === 'serve-record-on' ? 'on' : 'off'],
    cwd: REPO_ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: os.homedir() },
    clock,
    capture: { maxRetainedBytes: 256 * 1024 },
  });
}

async function turn(
  emulator: EmulatorName,
  runtime: ResolvedRuntime,
  rie: string,
  round: number,
  warmInvocations: number,
  burst: boolean,
): Promise<EmulatorTurn> {
  const base = { runtime: runtime.spec.name, emulator, round };
  const empty = { coldStartMs: null, warm: null, perSecond: null, cpuMsPerInvocation: null, rssKiB: null, concurrent: null };
  const port = await freePort();
  const apiPort = await freePort();
  const startedAt = performance.now();
  const proc = start(emulator, runtime, rie, port, apiPort);
  try {
    const cold = await coldStart(port, startedAt, proc, 30_000);
    const address = `127.0.0.1:${port}`;
    // One client process: the warm-up, then the measured run, with the emulator's CPU read around the latter.
    const warm = await runInvokeClient(address, INVOKE_PATH, warmInvocations, 15_000, { warmUp: WARM_UP, serverPid: proc.pid! });
    const rssKiB = vmHwmKiB(proc.pid!) || null;
    let concurrent: EmulatorTurn['concurrent'] = null;
    if (burst) {
      const r = await runInvokeClient(address, INVOKE_PATH, 200, 5_000, { concurrency: 4 });
      concurrent = { ...r, aliveAfter: !proc.exitInfo };
    }
    return {
      ...base,
      coldStartMs: round3(cold),
      warm,
      perSecond: warm.invocations > 0 ? round1((warm.invocations / warm.ms) * 1000) : null,
      cpuMsPerInvocation: warm.serverCpuMs !== undefined && warm.invocations > 0 ? round3(warm.serverCpuMs / warm.invocations) : null,
      rssKiB,
      concurrent,
      ...(warm.errors > 0 ? { error: `${warm.errors} warm invocations failed: ${warm.firstError ?? ''}` } : {}),
    };
  } catch (e) {
    return { ...base, ...empty, error: e instanceof Error ? e.message : String(e) };
  } finally {
    await proc.kill(emulator === 'rie' ? 'SIGKILL' : 'SIGTERM');
  }
}

function median(values: Array<number | null>): number | null {
  const v = values.filter((x): x is number => x !== null);
  return v.length === 0 ? null : nearestRank(sortedCopy(v), 50);
}

function ratio(a: number | null, b: number | null): number | null {
  return a !== null && b !== null && b > 0 ? round3(a / b) : null;
}

export function summarise(turns: EmulatorTurn[]): EmulatorSummary[] {
  const out: EmulatorSummary[] = [];
  const runtimes = [...new Set(turns.map((t) => t.runtime))];
  for (const runtime of runtimes) {
    const rows = EMULATORS.map((emulator) => {
      const ts = turns.filter((t) => t.runtime === runtime && t.emulator === emulator);
      const burst = ts.map((t) => t.concurrent).filter((c): c is NonNullable<EmulatorTurn['concurrent']> => c !== null);
      const notes = [
        ...burst.filter((c) => c.errors > 0).map((c) => `${c.errors} of ${c.invocations + c.errors} failed (${c.firstError ?? 'error'})`),
        ...burst.filter((c) => !c.aliveAfter).map(() => 'the emulator process had exited after the burst'),
        ...ts.filter((t) => t.error).map((t) => `round ${t.round}: ${t.error!}`),
      ];
      return {
        runtime,
        emulator,
        perSecond: median(ts.map((t) => t.perSecond)),
        p50Ms: median(ts.map((t) => (t.warm?.p50Ms !== undefined && t.warm.p50Ms !== null ? round3(t.warm.p50Ms) : null))),
        p99Ms: median(ts.map((t) => (t.warm?.p99Ms !== undefined && t.warm.p99Ms !== null ? round3(t.warm.p99Ms) : null))),
        coldStartMs: median(ts.map((t) => t.coldStartMs)),
        cpuMsPerInvocation: median(ts.map((t) => t.cpuMsPerInvocation)),
        rssMiB: median(ts.map((t) => (t.rssKiB !== null ? round1(t.rssKiB / 1024) : null))),
        vsRie: null,
        concurrentErrors: burst.reduce((n, c) => n + c.errors, 0),
        concurrentNotes: notes,
      } satisfies EmulatorSummary as EmulatorSummary;
    });
    const rie = rows.find((r) => r.emulator === 'rie')!;
    for (const r of rows) {
      if (r.emulator === 'rie') continue;
      r.vsRie = {
        perSecond: ratio(r.perSecond, rie.perSecond),
        cpuMsPerInvocation: ratio(r.cpuMsPerInvocation, rie.cpuMsPerInvocation),
        coldStartMs: ratio(r.coldStartMs, rie.coldStartMs),
        rssMiB: ratio(r.rssMiB, rie.rssMiB),
      };
    }
    out.push(...rows);
  }
  return out;
}

export async function runEmulatorBench(
  runtimes: ResolvedRuntime[],
  options: { rounds?: number; warmInvocations?: number; log?: (l: string) => void } = {},
): Promise<EmulatorBenchReport> {
  const rounds = options.rounds ?? 2;
  const warmInvocations = options.warmInvocations ?? 500;
  const log = options.log ?? (() => undefined);
  const rie = ensureRie(log);
  const turns: EmulatorTurn[] = [];
  if (rie) {
    for (let round = 1; round <= rounds; round++) {
      for (const runtime of runtimes) {
        for (const emulator of EMULATORS) {
          const t = await turn(emulator, runtime, rie, round, warmInvocations, round === 1);
          log(
            `  ${t.runtime} behind ${t.emulator}: ${t.perSecond ?? '—'}/s, cold ${t.coldStartMs ?? '—'} ms, ${t.cpuMsPerInvocation ?? '—'} ms CPU/invocation${t.error ? ` (${t.error})` : ''}`,
          );
          turns.push(t);
        }
      }
    }
  }
  const summary = summarise(turns);
  const targets = { serveOffVsRie: 1.2, serveOnVsRie: 1.0 };
  const meetsTargets: EmulatorBenchReport['meetsTargets'] = {};
  for (const runtime of runtimes.map((r) => r.spec.name)) {
    const off = summary.find((s) => s.runtime === runtime && s.emulator === 'serve-record-off')?.vsRie?.perSecond ?? null;
    const on = summary.find((s) => s.runtime === runtime && s.emulator === 'serve-record-on')?.vsRie?.perSecond ?? null;
    meetsTargets[runtime] = {
      recordingOff: off !== null && off >= targets.serveOffVsRie,
      recordingOn: on !== null && on >= targets.serveOnVsRie,
    };
  }
  return {
    format: 'lambdaspec.bench.emulators/v1',
    date: new Date().toISOString(),
    machine: { ...benchMachine(), loadAverage: os.loadavg().map(round1) },
    rie: {
      path: rie ?? null,
      version: RIE_VERSION,
      ...(rie ? {} : { skipped: `aws-lambda-rie not found (go install ${RIE_MODULE}@${RIE_VERSION})` }),
    },
    method:
      'Each emulator is its own process, started fresh per turn; turns interleave runtimes and emulators round after round. ' +
      `Cold start: spawn → first invocation answered (polling the port). Warm: ${warmInvocations} sequential invocations from a child client on one keep-alive connection, after ${WARM_UP} unmeasured. ` +
      'CPU: utime + stime of the emulator process alone over the warm run (10 ms ticks). RSS: its VmHWM. Burst (round 1): 4 concurrent clients, 200 invocations. Figures are medians over the rounds.',
    rounds,
    warmInvocations,
    turns,
    summary,
    targets,
    meetsTargets,
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
