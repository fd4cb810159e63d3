/**
 * A deployed function seen through the Lambda API as an `ExecutionEnvironment`: `Invoke` with `LogType: Tail`, or
 * `InvokeWithResponseStream` for streaming, turned into the same `InvocationResult` a local environment gives —
 * payload, function error, REPORT fields parsed from the log tail, chunks with their arrival times. There is no
 * wire and no process to look at: `recording()` and `processes()` are empty, and cases that need them are skipped
 * before they get here (observability.ts).
 */
import { InvokeCommand, InvokeWithResponseStreamCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { performance } from 'node:perf_hooks';
import type { ExecutionEnvironment, InvocationInput, InvokeOptions } from '../../environment/execution-environment.ts';
import type {
  FunctionConfig,
  InvocationOutcome,
  InvocationResult,
  LogLine,
  PlatformError,
  ProcessRecord,
  ReportFields,
  StreamedChunk,
} from '../../model/invocation.ts';
import { errorFromDocument } from '../../environment/local-environment.ts';
import { isFailedInitReport, isPlatformLine, parseReportLine } from '../../environment/platform-log.ts';
import type { Recording } from '../../model/recording.ts';
import { classifyAwsError } from './lambda-client.ts';

/**
 * Error types the platform produces (timeouts, crashes, entrypoint and memory failures). Any other error type was
 * posted by the runtime; an error from the init phase (INIT_REPORT / `platform.initReport` with status error) is a
 * platform error too.
 */
const PLATFORM_ERROR_TYPES =
  /^(Sandbox\.|Runtime\.(ExitError|OutOfMemory|InvalidEntrypoint|InvalidWorkingDir|InvalidTaskConfig|Unknown|TruncatedResponse)$|Function\.ResponseSizeTooLarge$)/;

export interface DeployedFunctionSpec {
  client: LambdaClient;
  functionName: string;
  qualifier?: string;
  /** Call InvokeWithResponseStream instead of Invoke. */
  streaming: boolean;
  /** For error messages. */
  region?: string;
  endpoint?: string;
}

/** A call refused for this invocation only (e.g. a payload Lambda will not take): the case reports it. */
export class InvocationRejectedError extends Error {}

export class DeployedEnvironment implements ExecutionEnvironment {
  readonly config: FunctionConfig;
  private readonly spec: DeployedFunctionSpec;
  private readonly t0 = performance.now();
  readonly clock = (): number => performance.now() - this.t0;
  /** A deployed function's process is not ours to see. */
  readonly currentPid: number | undefined = undefined;
  private readonly lines: LogLine[] = [];
  private readonly startedAt = Date.now();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(config: FunctionConfig, spec: DeployedFunctionSpec) {
    this.config = config;
    this.spec = spec;
  }

  /** A deployed function initialises when Lambda decides; nothing to start. */
  init(): Promise<ProcessRecord> {
    return Promise.resolve({ startedAt: this.clock() });
  }

  invoke(input: InvocationInput, options: InvokeOptions = {}): Promise<InvocationResult> {
    // Serialised like an execution environment, so a case's steps see one invocation at a time.
    const run = this.chain.then(() => (this.spec.streaming ? this.invokeStreaming(input, options) : this.invokeBuffered(input, options)));
    this.chain = run.catch(() => undefined);
    return run;
  }

  recording(): Recording {
    return { startedAt: this.startedAt, exchanges: [], connections: [] };
  }

  logs(): LogLine[] {
    return [...this.lines];
  }

  processes(): ProcessRecord[] {
    return [];
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
  }

  private commonInput(input: InvocationInput): {
    FunctionName: string;
    Qualifier?: string;
    Payload: Uint8Array;
    LogType: 'Tail';
    ClientContext?: string;
    TenantId?: string;
  } {
    return {
      FunctionName: this.spec.functionName,
      ...(this.spec.qualifier !== undefined ? { Qualifier: this.spec.qualifier } : {}),
      Payload: input.payload,
      LogType: 'Tail',
      ...(input.clientContext !== undefined ? { ClientContext: Buffer.from(input.clientContext).toString('base64') } : {}),
      ...(input.tenantId !== undefined ? { TenantId: input.tenantId } : {}),
    };
  }

  private fail(e: unknown): never {
    const fatal = classifyAwsError(e, {
      what: `invoking ${this.spec.functionName}`,
      functionName: this.spec.functionName,
      ...(this.spec.region !== undefined ? { region: this.spec.region } : {}),
      ...(this.spec.endpoint !== undefined ? { endpoint: this.spec.endpoint } : {}),
    });
    if (fatal) throw fatal;
    const x = e as { name?: string; message?: string };
    throw new InvocationRejectedError(`Lambda refused the invocation: ${x.name ?? 'Error'}: ${x.message ?? String(e)}`);
  }

  private async invokeBuffered(input: InvocationInput, options: InvokeOptions): Promise<InvocationResult> {
    const receivedAt = Date.now();
    const t = performance.now();
    let out;
    try {
      out = await this.spec.client.send(new InvokeCommand(this.commonInput(input)));
    } catch (e) {
      this.fail(e);
    }
    const done = performance.now() - t;
    const payload = Buffer.from(out.Payload ?? new Uint8Array(0));
    options.onResponseStart?.({ streamed: false });
    if (payload.length > 0) options.onChunk?.(payload);
    const logs = this.tailLines(out.LogResult);
    const outcome: InvocationOutcome = out.FunctionError
      ? errorOutcome(payload, logs)
      : { kind: 'response', streamed: false, chunks: payload.length > 0 ? [{ size: payload.length, at: done }] : [] };
    return this.result(out.$metadata.requestId ?? input.requestId ?? '', outcome, payload, out.FunctionError !== undefined, logs, {
      receivedAt,
      done,
      ...(payload.length > 0 ? { firstByte: done } : {}),
    });
  }

  private async invokeStreaming(input: InvocationInput, options: InvokeOptions): Promise<InvocationResult> {
    const receivedAt = Date.now();
    const t = performance.now();
    const chunks: StreamedChunk[] = [];
    const parts: Buffer[] = [];
    let complete: { ErrorCode?: string; ErrorDetails?: string; LogResult?: string } | undefined;
    let requestId = input.requestId ?? '';
    let contentType: string | undefined;
    try {
      const out = await this.spec.client.send(new InvokeWithResponseStreamCommand(this.commonInput(input)));
      requestId = out.$metadata.requestId ?? requestId;
      contentType = out.ResponseStreamContentType;
      options.onResponseStart?.({ streamed: true, ...(contentType !== undefined ? { contentType } : {}) });
      for await (const event of out.EventStream ?? []) {
        if (event.PayloadChunk?.Payload) {
          const bytes = Buffer.from(event.PayloadChunk.Payload);
          chunks.push({ size: bytes.length, at: performance.now() - t });
          parts.push(bytes);
          options.onChunk?.(bytes);
        } else if (event.InvokeComplete) {
          complete = event.InvokeComplete;
        }
      }
    } catch (e) {
      this.fail(e);
    }
    const done = performance.now() - t;
    const body = Buffer.concat(parts);
    const logs = this.tailLines(complete?.LogResult);
    const errorCode = complete?.ErrorCode;
    let outcome: InvocationOutcome;
    let payload = body;
    if (errorCode !== undefined && errorCode !== '' && chunks.length === 0) {
      // Failed before streaming anything: the error document is the answer, as with Invoke.
      payload = Buffer.from(complete?.ErrorDetails ?? '');
      outcome = errorOutcome(payload, logs, errorCode);
    } else {
      outcome = {
        kind: 'response',
        streamed: true,
        ...(contentType !== undefined ? { contentType } : {}),
        chunks,
        ...(errorCode ? { streamError: { errorType: errorCode, errorBody: complete?.ErrorDetails ?? '' } } : {}),
      };
    }
    const firstByte = chunks[0]?.at;
    return this.result(requestId, outcome, payload, outcome.kind !== 'response', logs, {
      receivedAt,
      done,
      ...(firstByte !== undefined ? { firstByte } : {}),
    });
  }

  private tailLines(logResult: string | undefined): LogLine[] {
    if (!logResult) return [];
    const text = Buffer.from(logResult, 'base64').toString('utf8');
    const base = this.clock();
    const lines = text
      .split('\n')
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.length > 0)
      .map((l): LogLine => ({ at: base, stream: isPlatformLine(l) ? 'platform' : 'stdout', text: l }));
    this.lines.push(...lines);
    return lines;
  }

  private result(
    requestId: string,
    outcome: InvocationOutcome,
    payload: Buffer,
    failed: boolean,
    logs: LogLine[],
    timings: InvocationResult['timings'],
  ): InvocationResult {
    const report = reportFrom(logs, timings.done);
    return {
      requestId,
      outcome,
      payload,
      ...(failed ? { functionError: 'Unhandled' as const } : {}),
      logs,
      report,
      coldStart: report.initDurationMs !== undefined,
      timings,
    };
  }
}

/** REPORT fields from the tail; when the tail has none (cut off, or logs disabled), only the duration seen here. */
function reportFrom(logs: LogLine[], doneMs: number): ReportFields {
  for (let i = logs.length - 1; i >= 0; i--) {
    const r = parseReportLine(logs[i]!.text);
    if (r) {
      const { requestId: _id, ...fields } = r;
      return fields;
    }
  }
  return { durationMs: doneMs, billedDurationMs: 0, memorySizeMb: 0, maxMemoryUsedMb: 0 };
}

/** A failed invocation's outcome: platform errors told apart from errors the runtime posted. */
function errorOutcome(payload: Buffer, logs: LogLine[], errorCode?: string): InvocationOutcome {
  // The same reading of an error document as a local environment's (errorType, else the header; errorMessage).
  const doc = errorFromDocument(payload, errorCode ?? 'Unhandled');
  const initFailed = logs.some((l) => isFailedInitReport(l.text));
  if (PLATFORM_ERROR_TYPES.test(doc.errorType) || initFailed) {
    const error: PlatformError = { errorType: doc.errorType, errorMessage: doc.errorMessage || payload.toString('utf8') };
    return { kind: 'platform-error', error };
  }
  return { kind: 'function-error', ...(errorCode !== undefined ? { errorTypeHeader: errorCode } : {}) };
}
