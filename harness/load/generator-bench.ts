/**
 * How fast can each load generator go? The built-in generator, k6 and autocannon each drive the same trivial
 * loopback server (its own process) with the same connection count, duration and POST body, closed model, no
 * pipelining; rounds are interleaved in rotating order so machine noise falls on every tool alike. Rates are
 * reported as ratios to k6's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { generateK6Script } from './k6-script.ts';
import { foldK6Summaries } from './k6-fold.ts';
import { findK6, k6Version, runK6Segments } from './k6-runner.ts';
import { DEFAULT_EVENT } from './load-options.ts';
import { nodeModuleArgs } from '../lib/node-child.ts';

const SERVER = nodeModuleArgs(import.meta.url, './trivial-server');
const AUTOCANNON = fileURLToPath(new URL('../../node_modules/autocannon/autocannon.js', import.meta.url));

/** `k6-2seg`: k6 as two instances with one execution segment each (`load --segments 2`), folded into one run. */
export type GeneratorName = 'builtin' | 'k6' | 'k6-2seg' | 'autocannon';

type Measured = Omit<GeneratorRun, 'round' | 'cpuMs' | 'requestsPerCpuSecond'>;

function withCpu(r: Measured, cpuMs: number | null): Omit<GeneratorRun, 'round'> {
  return {
    ...r,
    cpuMs: cpuMs === null ? null : Math.round(cpuMs),
    requestsPerCpuSecond: cpuMs ? Math.round(r.requests / (cpuMs / 1000)) : null,
  };
}

/**
 * CPU time (ms) of this process's reaped children (/proc/self/stat cutime + cstime): the difference across one
 * child's run is that child's CPU, since the still-running server is not reaped yet. Null off Linux.
 */
function reapedChildrenCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the ")" that closes the command name; cutime and cstime are fields 16 and 17 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[13]) + Number(fields[14]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS : null;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS = 100;

/** One timed run of one generator. */
export interface GeneratorRun {
  generator: GeneratorName;
  round: number;
  requests: number;
  errors: number;
  elapsedMs: number;
  requestsPerSecond: number;
  /** CPU time the generator used (user + system), null where it cannot be read. */
  cpuMs: number | null;
  /** Requests per CPU-second: what the generator could do with a core of its own; robust to a busy machine. */
  requestsPerCpuSecond: number | null;
}

/** `reports/bench/generators.json`. */
export interface GeneratorBenchReport {
  format: 'lambdaspec.bench-generators/v1';
  startedAt: string;
  method: string;
  connections: number;
  durationMs: number;
  rounds: number;
  versions: { node: string; k6: string | null; autocannon: string };
  machine: { cpus: number; loadAverage1m: number };
  runs: GeneratorRun[];
  /** Per generator: the median rate over its rounds, and its ratio to k6's median (null without k6). */
  summary: Record<
    GeneratorName,
    {
      medianRequestsPerSecond: number | null;
      ratioToK6: number | null;
      medianRequestsPerCpuSecond: number | null;
      cpuRatioToK6: number | null;
    }
  >;
  target: { builtinAtLeastK6: boolean | null };
  notes: string[];
}

export interface GeneratorBenchOptions {
  connections?: number;
  durationMs?: number;
  rounds?: number;
  /** The built-in generator's unmeasured warm-up (default 1 s). */
  warmupMs?: number;
  log?: (line: string) => void;
}

async function startServer(maxMs: number): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...SERVER, String(maxMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('trivial server did not start within 30 s')), 30_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`trivial server exited (${code})`)));
  });
  return { url: `http://127.0.0.1:${port}/`, child };
}

const BUILTIN_CHILD = nodeModuleArgs(import.meta.url, './builtin-bench-child');

/** Run a child that prints one JSON line on stdout; killed after `timeoutMs`. */
function runJsonChild<T>(args: string[], timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(new Error(`${what} failed (exit ${code}): ${err.trim().split('\n').slice(-2).join(' | ')}`));
      }
    });
  });
}

async function runBuiltin(url: string, connections: number, durationMs: number, warmupMs: number): Promise<Omit<GeneratorRun, 'round'>> {
  const r = await runJsonChild<{ requests: number; errors: number; elapsedMs: number; cpuMs: number }>(
    [...BUILTIN_CHILD, url, String(connections), String(durationMs), String(warmupMs)],
    durationMs + warmupMs + 60_000,
    'built-in generator',
  );
  return withCpu(
    {
      generator: 'builtin',
      requests: r.requests,
      errors: r.errors,
      elapsedMs: r.elapsedMs,
      requestsPerSecond: r.requests / (r.elapsedMs / 1000),
    },
    r.cpuMs,
  );
}

/** The built-in generator's unmeasured warm-up inside its process. */
const DEFAULT_WARMUP_MS = 1000;

async function runK6Generator(
  k6: string,
  url: string,
  connections: number,
  durationMs: number,
  segments: number,
): Promise<Omit<GeneratorRun, 'round'>> {
  const cpu0 = reapedChildrenCpuMs();
  const script = generateK6Script(
    { model: 'closed', concurrency: connections, durationMs, requests: 100_000_000, event: DEFAULT_EVENT, capped: [] },
    { url, invokeApi: false },
  );
  // The instances split the connections between them, as a sharded run does: the same load, in two processes.
  const runs = await runK6Segments(k6, script, segments, durationMs + 60_000);
  const fold = foldK6Summaries(
    runs.map((r, i) => ({ summary: r.summary, source: `segment ${i + 1}/${segments}` })),
    'closed',
  );
  const cpu1 = reapedChildrenCpuMs();
  return withCpu(
    {
      generator: segments > 1 ? 'k6-2seg' : 'k6',
      requests: fold.counts.sent,
      errors: fold.errors.total,
      elapsedMs: fold.elapsedMs,
      requestsPerSecond: fold.requestsPerSecond,
    },
    cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
  );
}

async function runAutocannon(url: string, connections: number, durationMs: number): Promise<Omit<GeneratorRun, 'round'>> {
  const args = [
    AUTOCANNON,
    '--json',
    '-c',
    String(connections),
    '-d',
    String(durationMs / 1000),
    '-m',
    'POST',
    '-H',
    'content-type=application/json',
    '-b',
    JSON.stringify(DEFAULT_EVENT),
    url,
  ];
  const cpu0 = reapedChildrenCpuMs();
  const r = await runJsonChild<{ requests: { total: number }; duration: number; errors: number; non2xx: number }>(
    args,
    durationMs + 60_000,
    'autocannon',
  );
  const cpu1 = reapedChildrenCpuMs();
  return withCpu(
    {
      generator: 'autocannon',
      requests: r.requests.total,
      errors: r.errors + r.non2xx,
      elapsedMs: r.duration * 1000,
      requestsPerSecond: r.requests.total / r.duration,
    },
    cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null,
  );
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return Math.round(s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2);
}

export async function runGeneratorBench(o: GeneratorBenchOptions = {}): Promise<GeneratorBenchReport> {
  const connections = o.connections ?? 16;
  const durationMs = o.durationMs ?? 5000;
  const rounds = o.rounds ?? 3;
  const k6 = findK6();
  const generators: GeneratorName[] = k6 ? ['builtin', 'k6', 'k6-2seg', 'autocannon'] : ['builtin', 'autocannon'];
  const notes: string[] = [];
  if (!k6) notes.push('k6 not found (PATH, ~/go/bin): ratios to k6 are null');
  const startedAt = new Date().toISOString();
  const loadBefore = loadavg()[0]!;
  const server = await startServer((durationMs + 60_000) * rounds * generators.length + 60_000);
  const runs: GeneratorRun[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round: no generator always runs first (cold server) or last.
      const order = generators.map((_, i) => generators[(i + round) % generators.length]!);
      for (const g of order) {
        const r =
          g === 'builtin'
            ? await runBuiltin(server.url, connections, durationMs, o.warmupMs ?? DEFAULT_WARMUP_MS)
            : g === 'k6' || g === 'k6-2seg'
              ? await runK6Generator(k6!, server.url, connections, durationMs, g === 'k6' ? 1 : 2)
              : await runAutocannon(server.url, connections, durationMs);
        const run = { ...r, round, requestsPerSecond: Math.round(r.requestsPerSecond), elapsedMs: Math.round(r.elapsedMs) };
        runs.push(run);
        o.log?.(
          `round ${round + 1}/${rounds} ${g.padEnd(10)} ${String(run.requestsPerSecond).padStart(7)} req/s, ${String(run.requestsPerCpuSecond ?? '?').padStart(7)} req/CPU-s (${run.requests} requests, ${run.errors} errors)`,
        );
      }
    }
  } finally {
    server.child.kill('SIGTERM');
  }
  const med = (g: GeneratorName, key: 'requestsPerSecond' | 'requestsPerCpuSecond'): number | null =>
    median(runs.filter((r) => r.generator === g && r[key] !== null).map((r) => r[key]!));
  const ratio = (a: number | null, b: number | null): number | null => (a !== null && b ? Math.round((a / b) * 100) / 100 : null);
  const k6Median = med('k6', 'requestsPerSecond');
  const k6Cpu = med('k6', 'requestsPerCpuSecond');
  const summary = {} as GeneratorBenchReport['summary'];
  for (const g of ['builtin', 'k6', 'k6-2seg', 'autocannon'] as const) {
    const m = med(g, 'requestsPerSecond');
    const c = med(g, 'requestsPerCpuSecond');
    summary[g] = {
      medianRequestsPerSecond: m,
      ratioToK6: ratio(m, k6Median),
      medianRequestsPerCpuSecond: c,
      cpuRatioToK6: ratio(c, k6Cpu),
    };
  }
  if (runs.some((r) => r.errors > 0)) notes.push('some runs had errors: see runs[].errors');
  notes.push(
    'k6-2seg: the same test as two k6 instances with one execution segment each, folded (load --segments 2); on 2 cores it cannot be faster, the figure is the cost of sharding',
  );
  notes.push('k6 runs Go on every core; the built-in generator and autocannon (no workers) use one Node thread each');
  notes.push('on a shared, busy machine the wall-clock rates vary run to run; requests per CPU-second is the steadier comparison');
  return {
    format: 'lambdaspec.bench-generators/v1',
    startedAt,
    method:
      'closed model, N keep-alive connections (k6: N VUs), no pipelining, POST of the same JSON event to a node:http server in its own process answering 200; each generator runs for the same duration each in its own process (the built-in one after a 1 s unmeasured warm-up in its process), rounds interleaved in rotating order; rate = completed requests / elapsed, and requests per CPU-second of the generator process (user+system; children from /proc/self/stat cutime+cstime), median over rounds',
    connections,
    durationMs,
    rounds,
    versions: { node: process.version, k6: k6 ? k6Version(k6) : null, autocannon: autocannonVersion() },
    machine: { cpus: cpus().length, loadAverage1m: Math.round(loadBefore * 100) / 100 },
    runs,
    summary,
    target: {
      builtinAtLeastK6:
        k6Median && summary.builtin.medianRequestsPerSecond !== null ? summary.builtin.medianRequestsPerSecond >= k6Median : null,
    },
    notes,
  };
}

function autocannonVersion(): string {
  // Read from its package.json beside the CLI; no import of the module itself (it starts work on load).
  try {
    const pkg = fileURLToPath(new URL('../../node_modules/autocannon/package.json', import.meta.url));
    return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
