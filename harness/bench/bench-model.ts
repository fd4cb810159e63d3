/**
 * The runtime benchmark's report format (`lambdaspec bench`): what was measured on each runtime, with every raw
 * sample kept, so a later run can be compared against it (`--baseline`, `lambdaspec compare`) and charts can be
 * drawn from it. `reports/bench/<runtime>.json` holds a BenchReport with one runtime; `reports/bench/summary.json`
 * one with all of them and the side-by-side rows.
 *
 * Where times come from:
 * - *end to end*: the client's view — an undici request to the Invoke front on 127.0.0.1, from sending it to the
 *   last byte of the response body (Invoke), or to the first/last PayloadChunk (InvokeWithResponseStream);
 * - *runtime*: the fake Runtime API's view — from the moment the event was handed out on `/next` to the moment the
 *   response was complete (`InvocationResult.timings.done − handedOut`): the runtime's own work, its HTTP client
 *   and the loopback, with no Invoke front and no client in it;
 * - *harness*: end to end minus runtime, per invocation: what the front, the environment and the client add.
 */
import type { Distribution } from '../stats/distribution.ts';
import type { BenchMachine } from './machine.ts';
import type { RatioInterval } from '../stats/bootstrap.ts';

export type { Distribution } from '../stats/distribution.ts';
export type { HistogramData, HistogramBucket } from '../stats/histogram.ts';

export const BENCH_FORMAT = 'lambdaspec.bench/v1';

/** What the run was asked to do (after defaults), so a comparison can tell like from unlike. */
export interface BenchSettings {
  /** Fresh processes started per runtime for the cold-start figures. */
  coldStarts: number;
  /** Invocations per runtime before the warm samples, not measured (at most 2 s of them). */
  warmup: number;
  /** Warm invocations measured per runtime. */
  warmInvocations: number;
  /** Warm invocations per batch; batches of the runtimes alternate. */
  warmBatch: number;
  /** Streamed invocations measured per streaming runtime. */
  streamInvocations: number;
  /** Payload sizes in bytes, each measured as event size and as response size. */
  payloadSizes: number[];
  /** Invocations per payload size and direction. */
  payloadRepetitions: number;
  /**
   * Time each runtime may spend in measured invocations per phase (cold, warm, streaming, payload — the payload
   * budget shared by its points): a slow runtime gets fewer samples (`truncated`) instead of holding up the run.
   */
  phaseBudgetMs: number;
  /**
   * The whole run stops taking new samples after this long (phases cut short are marked `truncated`). The time is
   * shared among the phases by weight — cold 25 %, warm 35 %, streaming 10 %, payload 30 % — and what a phase
   * leaves unused passes on to the later ones.
   */
  timeLimitMs: number;
  /** Function configuration used for every environment. */
  function: { memorySizeMb: number; timeoutMs: number; environment: Record<string, string> };
}

/** The machine the figures were taken on. */
export interface RuntimeBenchMachine extends BenchMachine {
  /** 1-minute load average when the run started: a busy machine explains slow figures. */
  loadAverage: number;
}

/** Start of a fresh process up to its first invocation answered. */
export interface ColdStartResult {
  /** Processes measured (failed starts are not in the samples; see RuntimeBench.errors). */
  count: number;
  /** Spawn → the runtime's first `GET /next` (ProcessRecord.firstNextAt − startedAt). */
  init: Distribution;
  /** The fresh process's first invocation, event handed out → response complete (at the Runtime API). */
  firstInvocation: Distribution;
  /** Client's view of the invoke that started the process: request → last response byte, spawn and init included. */
  endToEnd: Distribution;
  /** Peak RSS of the runtime's process tree over that first invocation, in MiB (RunningProcess.peakRssKiB). */
  peakRss: Distribution;
  truncated?: boolean;
}

/** Sequential invocations of a warm process with a small echo event. */
export interface WarmResult {
  count: number;
  /** The event sent: `{"probe":"echo","payload":…}`. */
  eventBytes: number;
  /** Client's view: request → last response byte. */
  endToEnd: Distribution;
  /** Runtime API's view: event handed out → response complete. */
  runtime: Distribution;
  /** End to end − runtime, per invocation: the harness's share (front, environment, client). */
  harness: Distribution;
  /** Measured invocations / time spent in the measured batches (one invocation at a time). */
  throughputPerSecond: number;
  truncated?: boolean;
}

/** Streamed responses (`{"probe":"stream"}` through InvokeWithResponseStream), on runtimes with capability streaming. */
export interface StreamingResult {
  count: number;
  /** _HANDLER used (`streamingHandler` of runtime.yaml when set). */
  handler: string;
  chunks: number;
  chunkBytes: number;
  /** Client's view: request → first PayloadChunk bytes. */
  firstByte: Distribution;
  /** Client's view: request → end of the event stream. */
  total: Distribution;
  /** Runtime API's view: event handed out → first response body byte. */
  runtimeFirstByte: Distribution;
  /** Runtime API's view: event handed out → response complete. */
  runtimeTotal: Distribution;
  truncated?: boolean;
}

/** Latency at one payload size, the size being the event's or the response's. */
export interface PayloadPoint {
  /** event: an echo event padded to `bytes`, small response; response: a small `{"probe":"big"}` event, `bytes` back. */
  direction: 'event' | 'response';
  bytes: number;
  count: number;
  endToEnd: Distribution;
  runtime: Distribution;
  truncated?: boolean;
}

/** Why a part was not measured on a runtime. */
export interface Skipped {
  skipped: string;
}

export interface RuntimeBench {
  runtime: string;
  language: string;
  /** runtime.yaml capabilities.streaming. */
  streamingCapable: boolean;
  cold?: ColdStartResult;
  warm?: WarmResult;
  streaming?: StreamingResult | Skipped;
  payload: PayloadPoint[];
  /** Invocations that did not return the expected response (each one line), not counted in any sample. */
  errors: string[];
  /** Time spent measuring this runtime (its share of the interleaved run). */
  durationMs: number;
}

/** A figure in the side-by-side table: the median of one metric on each runtime, with its ratio to the best. */
export interface SummaryRow {
  /** Metric id as in `metricsOf` (e.g. `warm.endToEnd`), or `warm.throughput`. */
  metric: string;
  label: string;
  unit: 'ms' | 'MiB' | '/s';
  /** true for latencies and memory, false for throughput. */
  lowerIsBetter: boolean;
  /** Runtime name → median (throughput: invocations/s); absent when not measured there. */
  values: Record<string, number>;
  /** Runtime name → value / best (throughput: best / value); 1 for the best. */
  ratios: Record<string, number>;
}

export interface BenchReport {
  format: typeof BENCH_FORMAT;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  machine: RuntimeBenchMachine;
  settings: BenchSettings;
  /** How the figures were taken, in words. */
  method: string;
  runtimes: RuntimeBench[];
  /** Side-by-side medians with ratios to the best (present when more than one runtime was measured). */
  summary?: SummaryRow[];
  /** Present when the run was compared against a baseline (`--baseline`). */
  comparison?: ComparisonReport;
}

/** How one metric moved between a baseline and a current run. */
export type ChangeVerdict = 'regression' | 'improvement' | 'no-change';

export interface MetricComparison {
  runtime: string;
  /** e.g. `warm.endToEnd`, `payload.response.1048576.runtime`. */
  metric: string;
  label: string;
  unit: Distribution['unit'];
  baselineMedian: number;
  currentMedian: number;
  baselineCount: number;
  currentCount: number;
  /** current / baseline medians, with the bootstrap confidence interval of that ratio. */
  interval: RatioInterval;
  /**
   * regression: the whole interval is above 1 + threshold; improvement: the whole interval is below
   * 1 / (1 + threshold); no-change otherwise (including differences the noise cannot tell apart).
   */
  verdict: ChangeVerdict;
  /** Whether a regression of this metric fails the gate (the harness's own share does not). */
  gates: boolean;
}

export interface ComparisonReport {
  /** The allowed slowdown, in percent of the baseline median. */
  thresholdPct: number;
  baseline: { path?: string; startedAt: string };
  current: { path?: string; startedAt: string };
  metrics: MetricComparison[];
  /** Metrics or runtimes present on one side only. */
  unmatched: string[];
  regressions: number;
  improvements: number;
  /** True when a gating metric regressed: `lambdaspec bench --baseline` exits 1. */
  failed: boolean;
}
