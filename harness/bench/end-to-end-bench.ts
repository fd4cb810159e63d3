/**
 * The paths users run, measured end to end with a minimal runtime (minimal-runtime.ts) so that what is left is the
 * harness: `serve` (Invoke front → environment → Runtime API → runtime, called by a child process), `load` with
 * 1, 2 and 4 environments (the load command's own pool, front, sender and generator, in this process as the CLI
 * runs them), and a full `run` of the conformance suite. Each gives throughput, p50/p99 of the harness's own share
 * (harness-share.ts) and the harness's CPU time per invocation (process.cpuUsage() of this process, which on a
 * shared machine is far steadier than wall time).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalEnvironment } from '../environment/local-environment.ts';
import { InvokeFront, type InvokeTarget } from '../invoke/front.ts';
import { EnvironmentPool } from '../load/environment-pool.ts';
import { createSender } from '../load/http-sender.ts';
import { generateLoad } from '../load/load-generator.ts';
import type { FunctionConfig } from '../model/invocation.ts';
import { REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import { nearestRank, sortedCopy } from '../stats/percentiles.ts';
import { meterHarnessShare, type HarnessShareMeter } from './harness-share.ts';
import { nodeModuleArgs } from '../lib/node-child.ts';

const MINIMAL_RUNTIME = nodeModuleArgs(import.meta.url, './minimal-runtime');
const INVOKE_CLIENT = nodeModuleArgs(import.meta.url, './invoke-client');
export const ECHO_EVENT = '{"probe":"echo","payload":{"n":1}}';

export interface PathFigures {
  path: string;
  invocations: number;
  ms: number;
  perSecond: number;
  /** Harness share of each invocation (front has the request → response written, minus the runtime's share), ms. */
  harnessShareMs: { p50: number; p99: number } | null;
  /** CPU time (user + system) of the harness process per invocation, ms. */
  cpuMsPerInvocation: number;
  notes?: string[];
}

export interface ClientRun {
  invocations: number;
  ms: number;
  p50Ms: number | null;
  p99Ms: number | null;
  errors: number;
  firstError?: string;
  /** CPU time of the server process over the measured invocations, when its pid was given. */
  serverCpuMs?: number;
}

/** The minimal runtime as a function; `sleepMs` makes each invocation wait that long in the runtime. */
export function minimalRuntimeConfig(name: string, sleepMs = 0): FunctionConfig {
  return {
    functionName: name,
    version: '$LATEST',
    region: 'us-east-1',
    accountId: '123456789012',
    memorySizeMb: 128,
    timeoutMs: 10_000,
    initTimeoutMs: 10_000,
    handler: 'minimal.handler',
    // The package root: from the sources, `--import tsx` resolves from its node_modules.
    taskRoot: REPO_ROOT,
    bootstrap: process.execPath,
    bootstrapArgs: MINIMAL_RUNTIME,
    architecture: process.arch === 'arm64' ? 'arm64' : 'x86_64',
    environment: sleepMs > 0 ? { MINIMAL_RUNTIME_SLEEP_MS: String(sleepMs) } : {},
  };
}

/** Run the Invoke client child against `address` (host:port); its CPU is its own, not the harness's. */
export function runInvokeClient(
  address: string,
  path: string,
  invocations: number,
  maxMs: number,
  options: { concurrency?: number; event?: string; warmUp?: number; serverPid?: number } = {},
): Promise<ClientRun> {
  const args = [
    address,
    path,
    String(invocations),
    String(maxMs),
    String(options.concurrency ?? 1),
    options.event ?? ECHO_EVENT,
    String(options.warmUp ?? 0),
  ];
  if (options.serverPid !== undefined) args.push(String(options.serverPid));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...INVOKE_CLIENT, ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), maxMs + 20_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      try {
        resolve(JSON.parse(out.trim()) as ClientRun);
      } catch {
        reject(new Error(`invoke client exited ${code} without a result: ${out}`));
      }
    });
  });
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return (d.user + d.system) / 1000;
}

function shareFigures(shares: number[]): PathFigures['harnessShareMs'] {
  if (shares.length === 0) return null;
  const sorted = sortedCopy(shares);
  return { p50: round3(nearestRank(sorted, 50)), p99: round3(nearestRank(sorted, 99)) };
}

/** A front on 127.0.0.1 serving `target` as function `name`; returns host:port and a close. */
async function frontFor(name: string, target: InvokeTarget): Promise<{ address: string; close: () => Promise<void> }> {
  const front = new InvokeFront({ resolve: (n) => (n === name ? target : undefined) });
  const { port } = await front.start();
  return { address: `127.0.0.1:${port}`, close: () => front.close() };
}

/** `serve`: one environment behind the front, called one invocation at a time by the child client. */
export async function measureServe(meter: HarnessShareMeter, record: boolean, invocations: number, maxMs: number): Promise<PathFigures> {
  const config = minimalRuntimeConfig('serve');
  const env = await LocalEnvironment.create(config, { record, hostPath: process.env['PATH'] ?? '' });
  const front = await frontFor('serve', meter.wrap(env));
  const path = '/2015-03-31/functions/serve/invocations';
  try {
    // Cold start and JIT warm-up, not measured.
    await runInvokeClient(front.address, path, 300, maxMs);
    meter.take();
    const cpu0 = process.cpuUsage();
    const run = await runInvokeClient(front.address, path, invocations, maxMs);
    const cpu = cpuMs(cpu0);
    const shares = meter.take();
    if (run.errors > 0) throw new Error(`serve bench: ${run.errors} failed invocations (${run.firstError ?? ''})`);
    return {
      path: `serve, recording ${record ? 'on' : 'off'}`,
      invocations: run.invocations,
      ms: round3(run.ms),
      perSecond: round1((run.invocations / run.ms) * 1000),
      harnessShareMs: shareFigures(shares),
      cpuMsPerInvocation: round3(cpu / Math.max(1, run.invocations)),
    };
  } finally {
    await front.close();
    await env.close();
  }
}

/**
 * `load --concurrency N`: the load command's pool of N environments (created on demand), its front, undici sender
 * and closed-model generator, in this process as `lambdaspec load` runs them. The N cold starts are not measured.
 */
export async function measureLoad(
  meter: HarnessShareMeter,
  environments: number,
  sleepMs: number,
  durationMs: number,
): Promise<PathFigures> {
  const config = minimalRuntimeConfig('load', sleepMs);
  const pool = new EnvironmentPool(config, environments, (c) =>
    LocalEnvironment.create(c, { record: false, hostPath: process.env['PATH'] ?? '' }),
  );
  const front = await frontFor('load', meter.wrap(pool));
  const sender = createSender({
    url: `http://${front.address}/2015-03-31/functions/load/invocations`,
    invokeApi: true,
    body: Buffer.from(ECHO_EVENT),
    connections: environments,
    tail: true,
  });
  try {
    await generateLoad({ model: 'closed', concurrency: environments, durationMs: 60_000, requests: environments * 20 }, sender.send);
    meter.take();
    const cpu0 = process.cpuUsage();
    const r = await generateLoad({ model: 'closed', concurrency: environments, durationMs, requests: 1_000_000 }, sender.send);
    const cpu = cpuMs(cpu0);
    const notes = r.errors.total > 0 ? [`${r.errors.total} failed invocations`] : [];
    return {
      path: `load, ${environments} environment${environments > 1 ? 's' : ''}${sleepMs > 0 ? `, runtime sleeps ${sleepMs} ms` : ''}`,
      invocations: r.completed,
      ms: round3(r.elapsedMs),
      perSecond: round1((r.completed / r.elapsedMs) * 1000),
      harnessShareMs: shareFigures(meter.take()),
      cpuMsPerInvocation: round3(cpu / Math.max(1, r.completed)),
      ...(notes.length ? { notes } : {}),
    };
  } finally {
    await sender.close();
    await front.close();
    await pool.close();
  }
}

/** The CLI's Io as `run` uses it (the bench sits below cli/, so the shape is restated, not imported). */
interface RunIo {
  out(text: string): void;
  outBytes(bytes: Uint8Array): void;
  err(text: string): void;
  readStdin(): Promise<Buffer>;
  isTTY: boolean;
}

/** `lambdaspec run`'s entry point, handed in by the CLI. */
export type RunCommand = (argv: string[], io: RunIo, signal: AbortSignal) => Promise<number>;

/** A full `lambdaspec run` of the conformance suite on `runtime`, in this process; figures per case. */
export async function measureRun(runtime: string, runCommand: RunCommand): Promise<PathFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-bench-run-'));
  try {
    const quiet: RunIo = {
      out: () => undefined,
      outBytes: () => undefined,
      err: () => undefined,
      readStdin: async () => Buffer.alloc(0),
      isTTY: false,
    };
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await runCommand([runtime, '--report-dir', dir], quiet, new AbortController().signal);
    const ms = performance.now() - t0;
    const cpu = cpuMs(cpu0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { summary: { total: number } };
    const cases = report.summary.total;
    return {
      path: `run, conformance suite on ${runtime}`,
      invocations: cases,
      ms: round3(ms),
      perSecond: round1((cases / ms) * 1000),
      harnessShareMs: null,
      cpuMsPerInvocation: round3(cpu / Math.max(1, cases)),
      notes: [
        "counted per case, not per invocation: cases wait out timeouts and init limits on purpose, so wall time is the suite's, CPU time the harness's",
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface EndToEndResult {
  rounds: number;
  /** Best round of each path by CPU time per invocation (rounds interleave the paths). */
  paths: PathFigures[];
  all: Record<string, PathFigures[]>;
  /** load with the sleeping runtime: throughput with 4 environments / with 1. */
  loadScaling: number | null;
}

export async function runEndToEndBench(options: {
  rounds?: number;
  serveInvocations?: number;
  loadMs?: number;
  run?: { runtime: string; command: RunCommand };
  log?: (l: string) => void;
}): Promise<EndToEndResult> {
  const rounds = options.rounds ?? 2;
  const n = options.serveInvocations ?? 1000;
  const loadMs = options.loadMs ?? 1200;
  const log = options.log ?? (() => undefined);
  const meter = meterHarnessShare();
  const all: Record<string, PathFigures[]> = {};
  const keep = (f: PathFigures): void => {
    (all[f.path] ??= []).push(f);
    log(
      `  ${f.path}: ${f.perSecond}/s, ${f.cpuMsPerInvocation} ms CPU per invocation${f.harnessShareMs ? `, harness share p50 ${f.harnessShareMs.p50} ms` : ''}`,
    );
  };
  try {
    for (let r = 0; r < rounds; r++) {
      keep(await measureServe(meter, false, n, 20_000));
      keep(await measureServe(meter, true, n, 20_000));
      for (const envs of [1, 2, 4]) keep(await measureLoad(meter, envs, 0, loadMs));
      for (const envs of [1, 4]) keep(await measureLoad(meter, envs, 10, loadMs));
    }
  } finally {
    meter.stop();
  }
  if (options.run) keep(await measureRun(options.run.runtime, options.run.command));
  const paths = Object.values(all).map((runs) => runs.reduce((a, b) => (b.cpuMsPerInvocation < a.cpuMsPerInvocation ? b : a)));
  const best = (path: string): number | undefined => all[path]?.reduce((m, f) => Math.max(m, f.perSecond), 0);
  const c1 = best('load, 1 environment, runtime sleeps 10 ms');
  const c4 = best('load, 4 environments, runtime sleeps 10 ms');
  return { rounds, paths, all, loadScaling: c1 && c4 ? round3(c4 / c1) : null };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
