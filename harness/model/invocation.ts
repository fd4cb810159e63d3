/**
 * The data of one function and its invocations that every layer reads: function configuration, invocation
 * results and outcomes, log lines, REPORT fields, process records. The contract of an environment (how to invoke
 * it) sits one floor up, in environment/execution-environment.ts.
 */

/** Function configuration, as Lambda would hold it for one function version. */
export interface FunctionConfig {
  functionName: string;
  /** `$LATEST` unless a scenario says otherwise. */
  version: string;
  region: string;
  accountId: string;
  memorySizeMb: number;
  /** Function timeout: an invocation running longer is killed and reported as `Sandbox.Timedout`. */
  timeoutMs: number;
  /** Init limit (10 s on demand). Past it the process is killed and init is retried inside the first invoke. */
  initTimeoutMs: number;
  handler: string;
  /** The folder mounted as `LAMBDA_TASK_ROOT` (the process's cwd). */
  taskRoot: string;
  /** Absolute path of the bootstrap to execute. */
  bootstrap: string;
  /** Extra arguments after the bootstrap (container-style `python -m awslambdaric probe.handler`). */
  bootstrapArgs: string[];
  /** Architecture the function is configured for; a bootstrap ELF for another one is an entrypoint error. */
  architecture: 'x86_64' | 'arm64';
  /** Extra environment variables (function configuration), applied over Lambda's defaults. */
  environment: Record<string, string>;
}

export function functionArn(c: Pick<FunctionConfig, 'region' | 'accountId' | 'functionName'>): string {
  return `arn:aws:lambda:${c.region}:${c.accountId}:function:${c.functionName}`;
}

/** A platform error: produced by the harness (as Lambda's platform would), not posted by the runtime. */
export interface PlatformError {
  errorType: string;
  errorMessage: string;
}

export interface StreamedChunk {
  size: number;
  /** ms since the invocation was received. */
  at: number;
}

export type InvocationOutcome =
  /** The runtime posted `/response` (buffered or streamed). */
  | {
      kind: 'response';
      streamed: boolean;
      contentType?: string;
      chunks: StreamedChunk[];
      /** Mid-stream error from the `Lambda-Runtime-Function-Error-Type` / `-Body` trailers (body base64-decoded). */
      streamError?: { errorType: string; errorBody: string };
    }
  /** The runtime posted `/error`. `errorTypeHeader` is the `Lambda-Runtime-Function-Error-Type` it sent, if any. */
  | { kind: 'function-error'; errorTypeHeader?: string }
  /** Timeout, crash, init failure, bad entrypoint, oversized response: the harness's verdict. */
  | { kind: 'platform-error'; error: PlatformError };

/** A line of output or a platform log line (START/END/REPORT/INIT_REPORT). */
export interface LogLine {
  /** ms since the environment was created. */
  at: number;
  stream: 'stdout' | 'stderr' | 'platform';
  text: string;
}

/** Fields of the REPORT line. */
export interface ReportFields {
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  status?: 'timeout' | 'error';
  errorType?: string;
}

export interface InvocationResult {
  requestId: string;
  outcome: InvocationOutcome;
  /** What the invoker receives as the body: the response, the posted error document, or the platform error JSON. */
  payload: Buffer;
  /** `Unhandled` whenever the invocation failed (function error, timeout, crash, init error). */
  functionError?: 'Unhandled';
  /** This invocation's log: START, the runtime's output, END, REPORT. */
  logs: LogLine[];
  report: ReportFields;
  /** True when this invocation had to start (or restart) the runtime. */
  coldStart: boolean;
  /** pid of the runtime process that served it (undefined when none could be started). */
  pid?: number;
  timings: {
    /** Epoch ms when the invocation was accepted. */
    receivedAt: number;
    /** ms after receipt: the event was handed out on `/next`. */
    handedOut?: number;
    /** ms after receipt: first byte of the response/error body arrived. */
    firstByte?: number;
    /** ms after receipt: the outcome was settled. */
    done: number;
  };
}

/** How a runtime process ended. */
export interface ProcessExit {
  pid: number;
  code: number | null;
  signal: string | null;
  /** ms since the environment was created. */
  at: number;
  /** The harness killed it (timeout, init limit, teardown): not an exit of the runtime's own doing. */
  killed?: boolean;
}

export interface ProcessRecord {
  pid?: number;
  startedAt: number;
  /** ms since environment creation when the first `/next` arrived. */
  firstNextAt?: number;
  exit?: ProcessExit;
  /** Set when the bootstrap could not be started at all. */
  spawnFailure?: PlatformError;
  /** Output the harness did not keep (over the capture budget, or the cut-off rest of over-long lines). */
  outputDropped?: { lines: number; bytes: number };
}
