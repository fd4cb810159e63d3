/**
 * The programmatic API (the package's main entry, `import … from 'lambdaspec'`): run the conformance suite or one
 * case against a runtime and get the report object; start a runtime in a local execution environment and read its
 * recording; or start the bare fake Runtime API for a runtime you launch yourself. Documented in docs/api.md.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { LocalEnvironment, newTraceId } from './environment/local-environment.ts';
import type { ExecutionEnvironment } from './environment/execution-environment.ts';
import { RuntimeApiServer, type CompletedResponse } from './fake-runtime-api/server.ts';
import { UserError } from './lib/user-error.ts';
import type { Recording } from './model/recording.ts';
import type { CaseReport, RunReport } from './model/report-model.ts';
import { buildReport } from './reports/build-report.ts';
import { writeReports, type WrittenReports } from './reports/write-reports.ts';
import { prepareRuntimes } from './runtime-definition/prepare-runtimes.ts';
import { functionConfigFor, type FunctionOverrides, type ResolvedRuntime } from './runtime-definition/resolve-runtime.ts';
import { DEFAULT_SUITE_DIR, loadSuites } from './scenarios/suite-loader.ts';
import { filterCases, runSuite, SuiteStoppedError } from './scenarios/suite-runner.ts';
import type { TargetName } from './targets/common/target.ts';
import { availableTarget } from './targets/registry.ts';

export type { ExecutionEnvironment, InvocationInput, InvokeOptions } from './environment/execution-environment.ts';
export type { CompletedResponse } from './fake-runtime-api/server.ts';
export type { FunctionConfig, InvocationResult, LogLine, ProcessRecord } from './model/invocation.ts';
export type {
  BodyJson,
  Exchange,
  ExchangeJson,
  RecordedHeader,
  RecordedRequest,
  RecordedResponse,
  Recording,
  RecordingJson,
} from './model/recording.ts';
export type { CaseReport, RunReport, Verdict } from './model/report-model.ts';
export type { FunctionOverrides } from './runtime-definition/resolve-runtime.ts';
export type { TargetName } from './targets/common/target.ts';
export type { WrittenReports } from './reports/write-reports.ts';
export { headerValue, recordingToJson } from './model/recording.ts';
export { SuiteError } from './lib/suite-error.ts';
export { UserError } from './lib/user-error.ts';
/** The bundled conformance suite's folder (what `lambdaspec run` runs by default). */
export { DEFAULT_SUITE_DIR };

export interface ConformanceOptions {
  /** A folder with runtime.yaml, a bootstrap path, or a bundled runtime's name — as `lambdaspec run` takes it. */
  runtime: string;
  /** Case id globs (`'error.*'`); none runs every case. */
  filter?: string[];
  /** Suite files or folders (default: the bundled conformance suite). */
  suites?: string[];
  /** A broken SHOULD makes `exitCode` 1 too. */
  strict?: boolean;
  /** Cases run in parallel (default 2). */
  jobs?: number;
  /** Where the bootstrap runs (default `process`). */
  target?: TargetName;
  /** Also write report.json, report.html, report.md and junit.xml here. */
  reportDir?: string;
  /** Aborting stops the run: no new case starts, running ones are torn down, the report holds the finished ones. */
  signal?: AbortSignal;
  /** Called as each case finishes. */
  onCase?: (report: CaseReport) => void;
  /** Build and skip messages (default: dropped). */
  log?: (line: string) => void;
}

export interface ConformanceResult {
  report: RunReport;
  /** Paths of the written reports, when `reportDir` was given. */
  written?: WrittenReports;
}

/** Build the runtime if it needs it, run the selected cases, and return the report (`report.exitCode` as the CLI's). */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceResult> {
  const log = options.log ?? (() => undefined);
  const suites = options.suites ?? [DEFAULT_SUITE_DIR];
  const cases = filterCases(loadSuites(suites).cases, options.filter);
  if (cases.length === 0) throw new UserError(`filter ${options.filter?.join(', ')} matches no case in ${suites.join(', ')}`);
  const runtime = await prepareOne(options.runtime, log);
  const target = await availableTarget(options.target ?? 'process');
  const prepared = await target.prepare(runtime, {});
  const jobs = options.jobs ?? 2;
  const startedAt = new Date();
  let reports: CaseReport[];
  let stopped: string | undefined;
  try {
    reports = await runSuite(cases, runtime, {
      jobs,
      environment: prepared.environment,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onCase ? { onCase: options.onCase } : {}),
    });
  } catch (e) {
    if (!(e instanceof SuiteStoppedError)) throw e;
    reports = e.cases;
    stopped = e.message;
  } finally {
    await prepared.close();
  }
  const report = buildReport({
    runtime,
    cases: reports,
    startedAt,
    finishedAt: new Date(),
    strict: options.strict === true,
    ...(options.filter?.length ? { filter: options.filter } : {}),
    suites,
    jobs,
    interrupted: options.signal?.aborted === true || stopped !== undefined,
    target: target.name,
    ...(stopped !== undefined ? { stopped } : {}),
  });
  return options.reportDir ? { report, written: writeReports(report, options.reportDir) } : { report };
}

/** One case by its exact id (`'response.large-payload'`), as its CaseReport. */
export async function runConformanceCase(
  runtime: string,
  caseId: string,
  options: Omit<ConformanceOptions, 'runtime' | 'filter' | 'reportDir'> = {},
): Promise<CaseReport> {
  if (/[*?]/.test(caseId))
    throw new UserError(`runConformanceCase takes one case id, not a glob: "${caseId}" (use runConformance with filter)`);
  const { report } = await runConformance({ ...options, runtime, filter: [caseId] });
  const found = report.cases.find((c) => c.id === caseId);
  if (!found) throw new UserError(`case ${caseId} did not run${report.stopped ? `: ${report.stopped}` : ''}`);
  return found;
}

export interface StartFunctionOptions extends FunctionOverrides {
  /** Where the bootstrap runs (default `process`). */
  target?: TargetName;
  /** Build and skip messages (default: dropped). */
  log?: (line: string) => void;
}

/**
 * The runtime in a local execution environment behind a recording fake Runtime API, as Lambda would run it
 * (Lambda's defaults: 128 MB, 3 s timeout). Invoke it, read `recording()` and `logs()`, and `close()` it.
 */
export async function startFunction(runtime: string, options: StartFunctionOptions = {}): Promise<ExecutionEnvironment> {
  const { target: targetName, log, ...overrides } = options;
  const rt = await prepareOne(runtime, log ?? (() => undefined));
  const target = await availableTarget(targetName ?? 'process');
  const prepared = await target.prepare(rt, {});
  const own = prepared.environment.onClose;
  // The target's own teardown first (it may name the environment's launches), then what prepare() made.
  try {
    return await LocalEnvironment.create(functionConfigFor(rt, overrides), {
      ...prepared.environment,
      onClose: async (id) => {
        await own?.(id);
        await prepared.close();
      },
    });
  } catch (e) {
    await prepared.close();
    throw e;
  }
}

export interface FakeRuntimeApi {
  /** `host:port`: give it to your runtime as AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /**
   * Queue an event for the runtime's next `/next` and resolve with what it posted to `/response` or `/error`.
   * Rejects after `timeoutMs` (default 10 s) if the runtime never answers.
   */
  invoke(payload: Buffer | string, options?: { requestId?: string; timeoutMs?: number }): Promise<CompletedResponse>;
  /** Every exchange and connection so far, with raw headers and bodies. */
  recording(): Recording;
  close(): Promise<void>;
}

/** The bare recording fake Runtime API on 127.0.0.1, for a runtime process you start and stop yourself. */
export async function startFakeRuntimeApi(): Promise<FakeRuntimeApi> {
  const t0 = performance.now();
  const server = new RuntimeApiServer({ clock: () => performance.now() - t0, startedAt: Date.now() });
  const address = await server.listen();
  return {
    address,
    recording: () => server.recording(),
    close: () => server.close(),
    invoke: (payload, o = {}) =>
      new Promise<CompletedResponse>((resolve, reject) => {
        const requestId = o.requestId ?? randomUUID();
        const timer = setTimeout(() => {
          server.release(requestId);
          reject(new Error(`the runtime did not answer invocation ${requestId} within ${o.timeoutMs ?? 10_000} ms`));
        }, o.timeoutMs ?? 10_000);
        server.enqueue({
          requestId,
          payload: Buffer.isBuffer(payload) ? payload : Buffer.from(payload),
          deadlineMs: Date.now() + (o.timeoutMs ?? 10_000),
          invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:function',
          traceId: newTraceId(),
          sink: {
            handedOut: () => undefined,
            responseStarted: () => undefined,
            chunk: () => undefined,
            completed: (info) => {
              clearTimeout(timer);
              resolve(info);
            },
            rejected: (info) => {
              clearTimeout(timer);
              reject(new Error(`the runtime's ${info.kind} for ${requestId} was refused: ${info.reason} (${info.size} bytes)`));
            },
          },
        });
      }),
  };
}

async function prepareOne(name: string, log: (line: string) => void): Promise<ResolvedRuntime> {
  const { ready } = await prepareRuntimes([name], log);
  const rt = ready[0];
  if (!rt) throw new UserError(`runtime ${name} cannot run here`);
  return rt;
}
