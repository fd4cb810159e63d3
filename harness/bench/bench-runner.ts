/**
 * `lambdaspec bench`: cold starts, warm invocations, streaming and payload scaling on each runtime, interleaved
 * round-robin (cold start i of every runtime before i + 1, warm batches alternated, …) so that machine noise hits
 * all runtimes alike. Bounded: counts, a per-invocation function timeout, a whole-run time limit, and a part is
 * abandoned on a runtime after a few failures in a row.
 */
import { benchMachine } from './machine.ts';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { distributionOf } from '../stats/distribution.ts';
import type { FunctionOverrides, ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { BENCH_FORMAT, type BenchReport, type BenchSettings, type PayloadPoint, type RuntimeBench } from './bench-model.ts';
import { BenchInvocationError, BenchTarget, type Measured } from './bench-target.ts';
import { summaryRows } from './metrics.ts';

export const DEFAULT_SETTINGS: Omit<BenchSettings, 'function'> = {
  coldStarts: 20,
  warmup: 20,
  warmInvocations: 1000,
  warmBatch: 100,
  streamInvocations: 100,
  payloadSizes: [1024, 64 * 1024, 1024 * 1024, 6 * 1024 * 1024],
  payloadRepetitions: 10,
  phaseBudgetMs: 30_000,
  timeLimitMs: 15 * 60_000,
};

/** Consecutive failures after which a part (cold, warm, streaming, one payload point) stops on a runtime. */
const MAX_CONSECUTIVE_FAILURES = 3;
const MAX_ERROR_LINES = 50;
/** The warm-up of a runtime stops after this long even if fewer than `warmup` invocations ran. */
const WARMUP_MAX_MS = 2_000;

export const METHOD =
  'Each runtime runs behind the Invoke front on 127.0.0.1, called with undici on one keep-alive connection, one ' +
  'invocation at a time; the fake Runtime API records nothing. End to end = client request → last response byte; ' +
  'runtime = event handed out on /next → response complete at the Runtime API; harness = the difference. Cold ' +
  'start: a fresh environment and process per sample, spawn → first /next (init), and the invoke that started it. ' +
  'Runtimes are interleaved round-robin (cold start i of each runtime, then i+1; warm, streaming and payload ' +
  'batches alternated), and each turn starts with one unmeasured invocation. Percentiles are nearest-rank over the raw samples, which are all kept.';

const ECHO_VALUE = 'lambdaspec-bench';
const ECHO_EVENT = Buffer.from(JSON.stringify({ probe: 'echo', payload: ECHO_VALUE }));
const STREAM_CHUNKS = ['chunk-1:'.padEnd(32, 'a'), 'chunk-2:'.padEnd(32, 'b'), 'chunk-3:'.padEnd(32, 'c'), 'chunk-4:'.padEnd(32, 'd')];
const STREAM_EVENT = Buffer.from(JSON.stringify({ probe: 'stream', chunks: STREAM_CHUNKS, delayMs: 0 }));

/** An echo event padded to exactly `bytes` bytes; its response is `"ok"`. */
export function paddedEchoEvent(bytes: number): Buffer {
  const head = '{"probe":"echo","payload":"ok","pad":"';
  const tail = '"}';
  const padding = bytes - head.length - tail.length;
  if (padding < 0) throw new RangeError(`an event cannot be smaller than ${head.length + tail.length} bytes`);
  return Buffer.from(head + 'x'.repeat(padding) + tail);
}

function bigEvent(bytes: number): Buffer {
  return Buffer.from(JSON.stringify({ probe: 'big', bytes }));
}

function expectJson(m: Measured, expected: unknown): void {
  let got: unknown;
  try {
    got = JSON.parse(m.body.toString('utf8'));
  } catch {
    throw new BenchInvocationError(`response is not JSON: ${m.body.subarray(0, 80).toString('utf8')}`);
  }
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new BenchInvocationError(`expected ${JSON.stringify(expected)}, got ${m.body.subarray(0, 80).toString('utf8')}`);
  }
}

export interface BenchOptions {
  settings: BenchSettings;
  overrides: FunctionOverrides;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

interface Series {
  /** Time spent in this part's measured invocations, against the phase budget. */
  spentMs: number;
  e2e: number[];
  runtime: number[];
  truncated: boolean;
  failuresInRow: number;
  stopped: boolean;
}

function series(): Series {
  return { spentMs: 0, e2e: [], runtime: [], truncated: false, failuresInRow: 0, stopped: false };
}

/** Everything gathered on one runtime while the phases run. */
class RuntimeState {
  readonly errors: string[] = [];
  private droppedErrors = 0;
  busyMs = 0;
  readonly cold = { ...series(), init: [] as number[], first: [] as number[], rss: [] as number[] };
  readonly warm = { ...series(), harness: [] as number[], elapsedMs: 0 };
  readonly stream = { ...series(), firstByte: [] as number[], runtimeFirstByte: [] as number[] };
  readonly payload = new Map<string, Series & { direction: PayloadPoint['direction']; bytes: number }>();

  constructor(
    readonly runtime: ResolvedRuntime,
    readonly target: BenchTarget,
  ) {}

  get name(): string {
    return this.runtime.spec.name;
  }

  get streams(): boolean {
    return this.runtime.spec.capabilities['streaming'] === true;
  }

  /** Run one measured invocation; a failure is recorded, and enough of them in a row stop the part. */
  async attempt(part: string, s: Series, fn: () => Promise<void>): Promise<void> {
    const t0 = performance.now();
    try {
      await fn();
      s.failuresInRow = 0;
    } catch (e) {
      if (!(e instanceof BenchInvocationError)) throw e;
      s.failuresInRow++;
      if (this.errors.length < MAX_ERROR_LINES) this.errors.push(`${part}: ${e.message}`);
      else this.droppedErrors++;
      if (s.failuresInRow >= MAX_CONSECUTIVE_FAILURES) {
        s.stopped = true;
        this.errors.push(`${part}: stopped after ${MAX_CONSECUTIVE_FAILURES} failures in a row`);
      }
    } finally {
      const spent = performance.now() - t0;
      this.busyMs += spent;
      s.spentMs += spent;
    }
  }

  /**
   * One unmeasured invocation at the start of a runtime's turn: after idling while the other runtimes ran, its first
   * invocation pays for cold caches and rescheduling, which is not what the warm figures are about.
   */
  async rewarm(stream: boolean): Promise<void> {
    try {
      if (stream) await this.target.invokeStream(STREAM_EVENT);
      else await this.target.invoke(ECHO_EVENT);
    } catch (e) {
      // The measured invocations that follow record the failure if it persists.
      if (!(e instanceof BenchInvocationError)) throw e;
    }
  }

  errorLines(): string[] {
    return this.droppedErrors > 0 ? [...this.errors, `… and ${this.droppedErrors} more`] : this.errors;
  }
}

type Phase = 'cold' | 'warm' | 'streaming' | 'payload';
/** The time left is shared among the phases still to run by these weights. */
const PHASE_WEIGHTS: Record<Phase, number> = { cold: 0.25, warm: 0.35, streaming: 0.1, payload: 0.3 };

/**
 * The run's deadline split among the phases still to run, by weight, so a slow phase cannot starve the later ones;
 * time a phase does not use passes on to the next.
 */
class PhaseClock {
  private readonly deadline: number;
  private phaseEnd: number;

  constructor(
    private readonly settings: BenchSettings,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.deadline = performance.now() + settings.timeLimitMs;
    this.phaseEnd = this.deadline;
  }

  start(phase: Phase, remaining: Phase[]): void {
    const total = remaining.reduce((sum, p) => sum + PHASE_WEIGHTS[p], PHASE_WEIGHTS[phase]);
    const now = performance.now();
    this.phaseEnd = now + (Math.max(0, this.deadline - now) * PHASE_WEIGHTS[phase]) / total;
  }

  outOfTime(): boolean {
    return performance.now() > this.phaseEnd || this.signal?.aborted === true;
  }

  /** Whether a part may take another sample: not stopped by failures, within the run's time and its phase budget. */
  mayRun(part: Series, budgetMs = this.settings.phaseBudgetMs): boolean {
    if (part.stopped) return false;
    if (this.outOfTime() || part.spentMs > budgetMs) {
      part.truncated = true;
      return false;
    }
    return true;
  }
}

/** Cold starts: sample i of every runtime, then i + 1. */
async function coldPhase(states: RuntimeState[], s: BenchSettings, clock: PhaseClock): Promise<void> {
  for (let i = 0; i < s.coldStarts; i++) {
    for (const st of states) {
      const c = st.cold;
      if (!clock.mayRun(c)) continue;
      await st.attempt('cold start', c, async () => {
        const m = await st.target.coldStart(ECHO_EVENT);
        expectJson(m, ECHO_VALUE);
        c.init.push(m.initMs);
        c.first.push(m.runtimeMs);
        c.e2e.push(m.endToEndMs);
        c.rss.push(m.peakRssMiB);
      });
    }
  }
}

/** Warm: a warm-up each, then batches alternated between the runtimes. */
async function warmPhase(states: RuntimeState[], s: BenchSettings, clock: PhaseClock): Promise<void> {
  for (const st of states) {
    // Bounded in time too: twenty invocations of a slow runtime would eat the phase.
    const warmupEnd = performance.now() + WARMUP_MAX_MS;
    for (let i = 0; i < s.warmup && !st.warm.stopped && !clock.outOfTime() && (i === 0 || performance.now() < warmupEnd); i++) {
      await st.attempt('warm-up', st.warm, async () => expectJson(await st.target.invoke(ECHO_EVENT), ECHO_VALUE));
    }
    // The warm-up is not measured and does not count against the budget.
    st.warm.spentMs = 0;
  }
  for (let done = 0; done < s.warmInvocations; done += s.warmBatch) {
    const n = Math.min(s.warmBatch, s.warmInvocations - done);
    for (const st of states) {
      const w = st.warm;
      if (!clock.mayRun(w)) continue;
      await st.rewarm(false);
      const b0 = performance.now();
      for (let i = 0; i < n && clock.mayRun(w); i++) {
        await st.attempt('warm', w, async () => {
          const m = await st.target.invoke(ECHO_EVENT);
          expectJson(m, ECHO_VALUE);
          w.e2e.push(m.endToEndMs);
          w.runtime.push(m.runtimeMs);
          w.harness.push(Math.max(0, m.endToEndMs - m.runtimeMs));
        });
      }
      w.elapsedMs += performance.now() - b0;
    }
  }
}

/** Streaming, on the runtimes that declare it. */
async function streamingPhase(streaming: RuntimeState[], s: BenchSettings, clock: PhaseClock): Promise<void> {
  const batch = Math.max(1, Math.min(s.warmBatch, Math.ceil(s.streamInvocations / 5)));
  // One unmeasured invocation first: it starts the streaming process.
  for (const st of streaming) {
    await st.attempt('streaming warm-up', st.stream, async () => void (await st.target.invokeStream(STREAM_EVENT)));
    st.stream.spentMs = 0;
  }
  for (let done = 0; done < s.streamInvocations; done += batch) {
    const n = Math.min(batch, s.streamInvocations - done);
    for (const st of streaming) {
      const c = st.stream;
      if (clock.mayRun(c)) await st.rewarm(true);
      for (let i = 0; i < n && clock.mayRun(c); i++) {
        await st.attempt('streaming', c, async () => {
          const m = await st.target.invokeStream(STREAM_EVENT);
          // endsWith: an HTTP-integration runtime (Rust's) sends its JSON prelude and 8 NULs before the body.
          const text = m.result.payload.toString('utf8');
          if (!text.endsWith(STREAM_CHUNKS.join('')))
            throw new BenchInvocationError(`streamed body was ${JSON.stringify(text.slice(0, 80))}`);
          c.firstByte.push(m.firstByteMs);
          c.e2e.push(m.endToEndMs);
          c.runtimeFirstByte.push(m.runtimeFirstByteMs);
          c.runtime.push(m.runtimeMs);
        });
      }
    }
  }
}

/** Payload scaling: repetition r of every size and direction on each runtime, then r + 1. */
async function payloadPhase(states: RuntimeState[], s: BenchSettings, clock: PhaseClock): Promise<void> {
  const events = new Map<number, Buffer>(s.payloadSizes.map((b) => [b, paddedEchoEvent(b)]));
  for (let r = 0; r < s.payloadRepetitions; r++) {
    for (const st of states) {
      const anyLeft = st.payload.size === 0 || [...st.payload.values()].some((p) => !p.stopped && !p.truncated);
      if (anyLeft && !clock.outOfTime()) await st.rewarm(false);
      for (const bytes of s.payloadSizes) {
        for (const direction of ['event', 'response'] as const) {
          const key = `${direction}.${bytes}`;
          let p = st.payload.get(key);
          if (!p) st.payload.set(key, (p = { ...series(), direction, bytes }));
          const point = p;
          // The payload phase's budget is shared by its points.
          if (!clock.mayRun(point, s.phaseBudgetMs / (s.payloadSizes.length * 2))) continue;
          await st.attempt(`payload ${key}`, point, async () => {
            const m = await st.target.invoke(direction === 'event' ? events.get(bytes)! : bigEvent(bytes));
            if (direction === 'event') expectJson(m, 'ok');
            else if (m.body.length !== bytes)
              throw new BenchInvocationError(`expected a ${bytes}-byte response, got ${m.body.length} bytes`);
            point.e2e.push(m.endToEndMs);
            point.runtime.push(m.runtimeMs);
          });
        }
      }
    }
  }
}

/** Run the bench on the runtimes (already built and resolved); never throws for a misbehaving runtime. */
export async function runBench(runtimes: ResolvedRuntime[], options: BenchOptions): Promise<BenchReport> {
  const s = options.settings;
  const log = options.log ?? (() => undefined);
  const startedAt = new Date();
  const t0 = performance.now();
  const clock = new PhaseClock(s, options.signal);
  const states: RuntimeState[] = [];
  try {
    for (const rt of runtimes) states.push(new RuntimeState(rt, await BenchTarget.open(rt, options.overrides)));
    const streaming = s.streamInvocations > 0 ? states.filter((st) => st.streams) : [];
    const later = (...phases: Phase[]): Phase[] => phases.filter((p) => p !== 'streaming' || streaming.length > 0);

    clock.start('cold', later('warm', 'streaming', 'payload'));
    log(`cold starts: ${s.coldStarts} per runtime`);
    await coldPhase(states, s, clock);

    clock.start('warm', later('streaming', 'payload'));
    log(`warm: ${s.warmup} warm-up + ${s.warmInvocations} measured per runtime, batches of ${s.warmBatch}`);
    await warmPhase(states, s, clock);

    if (streaming.length > 0) {
      clock.start('streaming', later('payload'));
      log(`streaming: ${s.streamInvocations} per streaming runtime (${streaming.map((st) => st.name).join(', ')})`);
      await streamingPhase(streaming, s, clock);
    }

    if (s.payloadSizes.length > 0 && s.payloadRepetitions > 0) {
      clock.start('payload', []);
      log(`payload: ${s.payloadSizes.length} sizes × event/response × ${s.payloadRepetitions} per runtime`);
      await payloadPhase(states, s, clock);
    }
  } finally {
    for (const st of states) await st.target.close();
  }
  return benchReport(states, s, startedAt, performance.now() - t0);
}

function benchReport(states: RuntimeState[], settings: BenchSettings, startedAt: Date, durationMs: number): BenchReport {
  const results = states.map((st) => resultOf(st));
  const report: BenchReport = {
    format: BENCH_FORMAT,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    durationMs: Math.round(durationMs),
    machine: { ...benchMachine(), loadAverage: Math.round((os.loadavg()[0] ?? 0) * 100) / 100 },
    settings,
    method: METHOD,
    runtimes: results,
  };
  if (results.length > 1) report.summary = summaryRows(results);
  return report;
}

function resultOf(st: RuntimeState): RuntimeBench {
  const r: RuntimeBench = {
    runtime: st.name,
    language: st.runtime.spec.language,
    streamingCapable: st.streams,
    payload: [],
    errors: st.errorLines(),
    durationMs: Math.round(st.busyMs),
  };
  const c = st.cold;
  const init = distributionOf(c.init);
  const first = distributionOf(c.first);
  const e2e = distributionOf(c.e2e);
  const rss = distributionOf(c.rss, 'MiB');
  if (init && first && e2e && rss) {
    r.cold = {
      count: c.init.length,
      init,
      firstInvocation: first,
      endToEnd: e2e,
      peakRss: rss,
      ...(c.truncated ? { truncated: true } : {}),
    };
  }
  const w = st.warm;
  const we2e = distributionOf(w.e2e);
  const wrt = distributionOf(w.runtime);
  const wh = distributionOf(w.harness);
  if (we2e && wrt && wh) {
    r.warm = {
      count: w.e2e.length,
      eventBytes: ECHO_EVENT.length,
      endToEnd: we2e,
      runtime: wrt,
      harness: wh,
      throughputPerSecond: w.elapsedMs > 0 ? Math.round((w.e2e.length / w.elapsedMs) * 1000 * 10) / 10 : 0,
      ...(w.truncated ? { truncated: true } : {}),
    };
  }
  if (!st.streams) {
    r.streaming = { skipped: 'runtime.yaml does not declare capability streaming' };
  } else {
    const sc = st.stream;
    const fb = distributionOf(sc.firstByte);
    const total = distributionOf(sc.e2e);
    const rfb = distributionOf(sc.runtimeFirstByte);
    const rtotal = distributionOf(sc.runtime);
    if (fb && total && rfb && rtotal) {
      r.streaming = {
        count: sc.e2e.length,
        handler: st.target.streamingHandler,
        chunks: STREAM_CHUNKS.length,
        chunkBytes: STREAM_CHUNKS[0]!.length,
        firstByte: fb,
        total,
        runtimeFirstByte: rfb,
        runtimeTotal: rtotal,
        ...(sc.truncated ? { truncated: true } : {}),
      };
    }
  }
  for (const p of st.payload.values()) {
    const e = distributionOf(p.e2e);
    const rt = distributionOf(p.runtime);
    if (e && rt)
      r.payload.push({
        direction: p.direction,
        bytes: p.bytes,
        count: p.e2e.length,
        endToEnd: e,
        runtime: rt,
        ...(p.truncated ? { truncated: true } : {}),
      });
  }
  return r;
}
