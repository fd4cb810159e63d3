/**
 * The load-test report written to `reports/load/<runtime>.json` by `lambdaspec load`, whichever engine (the
 * built-in generator or k6) produced it, and the options that describe a load run.
 */

/** Closed: N workers send back to back. Open: requests leave on a fixed schedule of `rate` per second. */
export type LoadModel = 'closed' | 'open';
export type LoadEngine = 'builtin' | 'k6';

/** Hard caps, applied whatever the user asks for: every run ends in bounded time and count. */
export const LOAD_LIMITS = {
  maxDurationMs: 600_000,
  maxRequests: 500_000,
  /** In-flight requests (workers, k6 VUs). */
  maxConcurrency: 512,
  /** Local execution environments = runtime processes on this machine. */
  maxEnvironments: 64,
  maxRatePerSecond: 100_000,
} as const;

/** One stage of a ramping profile (k6 `stages`): move to `target` over `durationMs`. */
export interface LoadStage {
  durationMs: number;
  /** Requests per second (open model) or concurrent workers (closed model) at the end of the stage. */
  target: number;
}

/** What a load run does, after defaults and caps. */
export interface LoadOptions {
  model: LoadModel;
  /** Workers (closed) or the most requests in flight (open); also the number of execution environments. */
  concurrency: number;
  /** Open model: requests per second. */
  ratePerSecond?: number;
  /** Stop after this long (always set: the cap applies when the user gave only a request count). */
  durationMs: number;
  /** Stop after this many requests (always set: the cap applies when the user gave only a duration). */
  requests: number;
  /** Ramping stages (k6 engine, from a load profile); replace the fixed rate/concurrency. */
  stages?: LoadStage[];
  /** The JSON event POSTed with every request. */
  event: unknown;
  /** Caps that cut what the user asked for, as sentences. */
  capped: string[];
  /** The load profile the options came from (path), if any. */
  profile?: string;
}

/** Latency distribution in milliseconds (from microsecond HDR histograms for the built-in engine). */
export interface LatencySummary {
  count: number;
  min: number;
  mean: number;
  stdev?: number;
  p50: number;
  p90: number;
  p99: number;
  p99_9: number;
  max: number;
  /**
   * The whole histogram, HdrHistogram's compressed base64 encoding (values in microseconds): decode with
   * `hdr-histogram-js` `decodeFromCompressedBase64` or any HdrHistogram port. Absent for k6 (it exports summaries only).
   */
  hdrBase64?: string;
}

/** Failed requests by kind. A request counts once, under its first applicable kind, in this order. */
export interface ErrorCounts {
  total: number;
  /** Connection refused/reset, timeouts, protocol errors: by error code (`ECONNRESET`, `UND_ERR_SOCKET`, `k6:1211` …). */
  transport: Record<string, number>;
  /** Any status other than 200 (Invoke API) or 2xx (`--url`): by status code. */
  http: Record<string, number>;
  /**
   * 200 with `X-Amz-Function-Error`: by the `errorType` of the error document in the payload (`Unhandled` when the
   * payload has none). For k6 these come from the front (the k6 script only sees the header), see `notes`.
   */
  functionError: Record<string, number>;
}

export interface LoadCounts {
  /** Requests put on the wire. */
  sent: number;
  /** Requests answered (any status) or failed at the transport level. */
  completed: number;
  /** Answered with success (200 and no function error; 2xx for `--url`). */
  ok: number;
  /** Open model: scheduled sends that never left because the run ended first (k6: `dropped_iterations`). */
  missedSchedule?: number;
}

/** Cold starts: what the client saw in `X-Amz-Log-Result`, and what the front saw in its environments. */
export interface ColdStarts {
  /** Responses whose log tail's REPORT line has `Init Duration` (null when not observable, e.g. `--url`, k6). */
  fromLogTail: number | null;
  /** Invocations that started a runtime process, counted by the environment pool (null for `--url`). */
  fromEnvironments: number | null;
  /** Execution environments the pool created (null for `--url`). */
  environmentsCreated: number | null;
  /** Runtime processes those environments started (a crash restarts one). */
  processesStarted: number | null;
}

export interface LoadReport {
  format: 'lambdaspec.load/v1';
  engine: LoadEngine;
  /** Runtime name, or null for a `--url` target. */
  runtime: string | null;
  target: { kind: 'invoke-api' | 'url'; url: string; functionName?: string };
  startedAt: string;
  options: LoadOptions;
  counts: LoadCounts;
  /** From the first send to the last completion. */
  elapsedMs: number;
  throughput: { requestsPerSecond: number; okPerSecond: number };
  latency: {
    /** From the moment each request was actually sent. */
    uncorrected: LatencySummary;
    /**
     * Open model, built-in engine: from each request's intended send time on the fixed schedule, so requests held
     * back by a slow server (coordinated omission) count the wait. Absent for the closed model and for k6.
     */
    corrected?: LatencySummary;
  };
  errors: ErrorCounts;
  coldStarts: ColdStarts;
  /**
   * k6 engine: its version and the generated script, for reproduction; with `--segments N` (or `load fold`), each
   * instance's share, whose counts add up to the report's.
   */
  k6?: { version: string; script: string; segments?: K6SegmentFold[] };
  notes: string[];
}

/** One k6 instance's share of a segmented run (`--segments`, `load fold`). */
export interface K6SegmentFold {
  /** Where it came from: `segment 1/2`, or the file (and line) it was read from. */
  source: string;
  counts: LoadCounts;
  elapsedMs: number;
  requestsPerSecond: number;
  latency: Pick<LatencySummary, 'count' | 'p50' | 'p99' | 'max'>;
  errors: number;
}

export function emptyErrorCounts(): ErrorCounts {
  return { total: 0, transport: {}, http: {}, functionError: {} };
}

export function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}
