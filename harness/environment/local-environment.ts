/**
 * A Lambda execution environment on this machine: one fake Runtime API and at most one runtime process at a time,
 * with Lambda's lifecycle — init limit, suppressed init, timeout → kill → re-init, crash → Runtime.ExitError, init
 * errors served to the first invocation, spawn failures classified as Lambda reports them.
 */
import { registerSecretsFromEnvironment } from '../secrets/known-secrets.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { billedDurationMs, logFormatOf, platformLines, type PlatformLines } from './platform-log.ts';
import {
  MAX_RESPONSE_BYTES,
  MAX_STREAMED_RESPONSE_BYTES,
  RuntimeApiServer,
  streamErrorFromTrailers,
  type CompletedResponse,
} from '../fake-runtime-api/server.ts';
import type { Recording } from '../model/recording.ts';
import { checkBootstrap, type BootstrapCheckOptions, type BootstrapProblem } from '../process/bootstrap-check.ts';
import { lambdaEnvironment } from '../process/lambda-env.ts';
import { launchProcess, type ExitInfo, type LaunchSpec, type RunningProcess } from '../process/process-runner.ts';
import {
  functionArn,
  type FunctionConfig,
  type InvocationOutcome,
  type InvocationResult,
  type LogLine,
  type PlatformError,
  type ProcessRecord,
  type ReportFields,
  type StreamedChunk,
} from '../model/invocation.ts';
import type { ExecutionEnvironment, InvocationInput, InvokeOptions, ConfigurationUpdate } from './execution-environment.ts';

export interface LocalEnvironmentOptions {
  /** Record the wire (default true). */
  record?: boolean;
  /** Appended to the runtime's PATH after Lambda's own entries, so local interpreters are found. */
  hostPath?: string;
  /** Start the bootstrap some other way (sandbox, container); defaults to a plain local process. */
  launch?: (spec: LaunchSpec) => RunningProcess;
  /** Run binaries built for the function's architecture when it is not this machine's (an emulator runs them). */
  allowForeignArch?: boolean;
  /** How long a runtime that reported an init error gets to exit by itself before it is killed. */
  initErrorExitGraceMs?: number;
  /** Replaces the bootstrap check: a target that shows the bootstrap at another path (/var/task) words it so. */
  checkBootstrap?: (config: FunctionConfig, options: BootstrapCheckOptions) => BootstrapProblem | undefined;
  /** Called once when the environment closes, with the id its launches carried (`LaunchSpec.environmentId`). */
  onClose?: (environmentId: string) => Promise<void> | void;
}

type InitOutcome =
  | { ok: true; durationMs: number; fresh: boolean }
  | { ok: false; status: 'error' | 'timeout'; durationMs: number; error: PlatformError; payload?: Buffer };

interface ProcessSlot {
  record: ProcessRecord;
  proc?: RunningProcess;
  initialised: boolean;
  /** Set before the harness kills the process, so its exit is not blamed on the runtime. */
  killedByHarness?: boolean;
  /**
   * Invocations waiting for this process's exit. A `proc.exited.then` per invocation would keep every
   * invocation's closure (event, response) alive until the process dies: a warm process serves thousands.
   */
  exitListeners: Set<(exit: ExitInfo) => void>;
}

/** Platform lines kept (START/END/REPORT…): a long-lived environment (serve, soak) must not keep them all. */
const MAX_PLATFORM_LINES = 10_000;
/** Dead processes whose captured output is kept for logs(); older ones keep only their ProcessRecord. */
const MAX_PROCESSES_WITH_OUTPUT = 8;
/** Capture budget left to each dead process: with the live one's 8 MiB, an environment keeps at most 16 MiB. */
const DEAD_PROCESS_OUTPUT_BYTES = 1024 * 1024;

const SIGNAL_TEXT: Record<string, string> = {
  SIGKILL: 'killed',
  SIGTERM: 'terminated',
  SIGSEGV: 'segmentation fault',
  SIGABRT: 'aborted',
  SIGINT: 'interrupt',
  SIGBUS: 'bus error',
  SIGPIPE: 'broken pipe',
  SIGHUP: 'hangup',
};

/** How Go's os/exec (and so Lambda) words a process end. */
export function exitDescription(exit: Pick<ExitInfo, 'code' | 'signal' | 'spawnError'>): string {
  if (exit.spawnError?.startsWith('fork/exec ')) return exit.spawnError;
  if (exit.signal) return `Runtime exited with error: signal: ${SIGNAL_TEXT[exit.signal] ?? exit.signal.toLowerCase()}`;
  if (exit.code === 0) return 'Runtime exited without providing a reason';
  return `Runtime exited with error: exit status ${exit.code ?? 'unknown'}`;
}

/**
 * A runtime killed at its memory limit is Runtime.OutOfMemory (REPORT `Error Type: Runtime.OutOfMemory`, reference
 * §3.1), its message still Go's "Runtime exited with error: signal: killed"; any other exit is Runtime.ExitError.
 */
export function exitErrorType(exit: Pick<ExitInfo, 'outOfMemory' | 'spawnError'>): string {
  if (exit.spawnError?.startsWith('fork/exec ')) return 'Runtime.InvalidEntrypoint';
  return exit.outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
}

let randomPool = Buffer.alloc(0);
let randomAt = 0;

/** Hex of `n` random bytes from a pool refilled 4 KiB at a time: one getrandom per ~200 invocations, not two each. */
function randomHex(n: number): string {
  if (randomAt + n > randomPool.length) {
    randomPool = randomBytes(4096);
    randomAt = 0;
  }
  randomAt += n;
  return randomPool.toString('hex', randomAt - n, randomAt);
}

/** A fresh X-Ray trace header, as Lambda puts in Lambda-Runtime-Trace-Id. */
export function newTraceId(): string {
  const epoch = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${epoch}-${randomHex(12)};Parent=${randomHex(8)};Sampled=0`;
}

/** How an invocation settled on the Runtime API side. */
type Settled =
  | { kind: 'completed'; info: CompletedResponse }
  | { kind: 'rejected'; reason: 'too-large' | 'truncated' }
  | { kind: 'exit'; exit: ExitInfo }
  | { kind: 'timeout' };

/** One dispatch of an event: how it settled, and when it was handed out and answered (ms after receipt). */
interface Dispatched {
  settled: Settled;
  handedOut?: number;
  firstByte?: number;
  streamed: StreamedChunk[];
}

export class LocalEnvironment implements ExecutionEnvironment {
  readonly config: FunctionConfig;
  readonly api: RuntimeApiServer;
  /** Carried by every launch of this environment, so a target can keep per-environment state. */
  readonly id = randomUUID();
  private readonly t0 = performance.now();
  private readonly startedAt = Date.now();
  readonly clock = (): number => performance.now() - this.t0;
  private readonly options: LocalEnvironmentOptions;
  private readonly slots: ProcessSlot[] = [];
  private readonly platformLines: LogLine[] = [];
  private current: ProcessSlot | undefined;
  /** An init failure from a proactive init(), served to the next invocation (reference §3.3). */
  private pendingInitFailure: Extract<InitOutcome, { ok: false }> | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(config: FunctionConfig, options: LocalEnvironmentOptions) {
    this.config = config;
    this.options = options;
    // What the function is configured with is known: reports and the terminal redact its secrets by value.
    registerSecretsFromEnvironment(config.environment);
    this.api = new RuntimeApiServer({ clock: this.clock, startedAt: this.startedAt, record: options.record ?? true });
  }

  static async create(config: FunctionConfig, options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
    const env = new LocalEnvironment(config, options);
    await env.api.listen();
    return env;
  }

  recording(): Recording {
    return this.api.recording();
  }

  logs(): LogLine[] {
    const lines: LogLine[] = [...this.platformLines];
    for (const slot of this.slots) {
      if (slot.proc) for (const l of slot.proc.output.lines()) lines.push({ at: l.at, stream: l.stream, text: l.text });
    }
    return lines.sort((a, b) => a.at - b.at);
  }

  processes(): ProcessRecord[] {
    for (const s of this.slots) this.recordDropped(s);
    return this.slots.map((s) => s.record);
  }

  /** Note in the record how much output was dropped (it only grows, so the latest count is the right one). */
  private recordDropped(s: ProcessSlot): void {
    const stats = s.proc?.output.stats();
    if (stats && (stats.droppedLines > 0 || stats.droppedBytes > 0))
      s.record.outputDropped = { lines: stats.droppedLines, bytes: stats.droppedBytes };
  }

  /** The process currently serving, if it is alive. */
  get currentPid(): number | undefined {
    const s = this.current;
    return s?.proc && !s.proc.exitInfo ? s.proc.pid : undefined;
  }

  init(): Promise<ProcessRecord> {
    return this.serial(async () => {
      const outcome = await this.ensureInit(this.config.initTimeoutMs, 'init');
      if (!outcome.ok) this.pendingInitFailure = outcome;
      return this.slots[this.slots.length - 1]?.record ?? { startedAt: this.clock() };
    });
  }

  invoke(input: InvocationInput, options: InvokeOptions = {}): Promise<InvocationResult> {
    return this.serial(() => this.runInvocation(input, options));
  }

  reconfigure(update: ConfigurationUpdate): Promise<void> {
    return this.serial(async () => {
      // The config object is shared by reference with whoever created the environment: change it in place.
      const config = this.config as { -readonly [K in keyof FunctionConfig]: FunctionConfig[K] };
      if (update.environment) {
        config.environment = { ...update.environment };
        registerSecretsFromEnvironment(config.environment);
      }
      if (update.memorySizeMb !== undefined) config.memorySizeMb = update.memorySizeMb;
      if (update.timeoutMs !== undefined) config.timeoutMs = update.timeoutMs;
      // A configuration change retires the environment: the next invocation starts a fresh runtime (cold).
      await this.killCurrent();
      this.pendingInitFailure = undefined;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Kill first: an invocation or init in flight then settles at once instead of waiting out its timeout.
    await this.killCurrent();
    await this.chain.catch(() => undefined);
    await this.killCurrent();
    await this.api.close();
    await this.options.onClose?.(this.id);
  }

  // --- internals ----------------------------------------------------------------------------------------------

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(() => {
      if (this.closed) throw new Error('execution environment is closed');
      return fn();
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private isWarm(): boolean {
    const s = this.current;
    return !!s && s.initialised && !!s.proc && !s.proc.exitInfo;
  }

  /** Platform lines in the function's log format (its environment may change with a configuration update). */
  private lines(): PlatformLines {
    return platformLines(logFormatOf(this.config.environment));
  }

  private platform(text: string | undefined): void {
    if (text === undefined) return;
    this.platformLines.push({ at: this.clock(), stream: 'platform', text });
    // Trim in halves so the cost is amortised; the current invocation's START is always among the kept lines.
    if (this.platformLines.length > MAX_PLATFORM_LINES) this.platformLines.splice(0, this.platformLines.length - MAX_PLATFORM_LINES / 2);
  }

  private async killCurrent(): Promise<void> {
    await this.kill(this.current);
  }

  private async kill(s: ProcessSlot | undefined): Promise<void> {
    if (s?.proc && !s.proc.exitInfo) {
      s.killedByHarness = true;
      await s.proc.kill();
    }
    this.recordExit(s);
  }

  /** Let go of the captured output (up to 8 MiB each) of long-dead processes: a runtime that crashes every invoke must not grow the harness. */
  private releaseOldOutput(): void {
    for (let i = 0; i < this.slots.length - 1; i++) {
      const old = this.slots[i]!;
      if (!old.proc?.exitInfo) continue;
      this.recordExit(old);
      this.recordDropped(old);
      if (i < this.slots.length - MAX_PROCESSES_WITH_OUTPUT) delete old.proc;
      else old.proc.output.shrink(DEAD_PROCESS_OUTPUT_BYTES);
    }
  }

  private recordExit(s: ProcessSlot | undefined): void {
    const exit = s?.proc?.exitInfo;
    if (s && exit && !s.record.exit && s.proc?.pid !== undefined) {
      s.record.exit = {
        pid: s.proc.pid,
        code: exit.code,
        signal: exit.signal,
        at: exit.at,
        ...(s.killedByHarness ? { killed: true } : {}),
      };
    }
  }

  /** Start a runtime process and wait for its first /next, an init error, its exit, or the limit. */
  private async ensureInit(limitMs: number, phase: 'init' | 'invoke'): Promise<InitOutcome> {
    if (this.isWarm()) return { ok: true, durationMs: 0, fresh: false };
    await this.killCurrent();
    const startAt = this.clock();
    const checkOptions: BootstrapCheckOptions = {
      architecture: this.config.architecture,
      ...(this.options.allowForeignArch ? { allowForeignArch: true } : {}),
    };
    const problem = this.options.checkBootstrap
      ? this.options.checkBootstrap(this.config, checkOptions)
      : checkBootstrap(this.config.bootstrap, checkOptions);
    if (problem) {
      const slot: ProcessSlot = {
        record: { startedAt: startAt, spawnFailure: { errorType: problem.errorType, errorMessage: problem.message } },
        initialised: false,
        exitListeners: new Set(),
      };
      this.slots.push(slot);
      this.current = slot;
      this.platform(this.lines().initReport(0, phase, 'error', problem.errorType));
      return { ok: false, status: 'error', durationMs: 0, error: { errorType: problem.errorType, errorMessage: problem.message } };
    }

    this.api.resetForNewProcess();
    const launch = this.options.launch ?? launchProcess;
    const env = lambdaEnvironment(
      this.config,
      this.api.address,
      this.options.hostPath !== undefined ? { hostPath: this.options.hostPath } : {},
    );
    const proc = launch({
      command: this.config.bootstrap,
      args: this.config.bootstrapArgs,
      cwd: this.config.taskRoot,
      env,
      clock: this.clock,
      environmentId: this.id,
    });
    const slot: ProcessSlot = {
      record: { startedAt: startAt, ...(proc.pid !== undefined ? { pid: proc.pid } : {}) },
      proc,
      initialised: false,
      exitListeners: new Set(),
    };
    this.slots.push(slot);
    this.releaseOldOutput();
    this.current = slot;
    // Record the exit whenever it happens, also while the process sits idle between invocations.
    void proc.exited.then((exit) => {
      this.recordExit(slot);
      for (const listener of slot.exitListeners) listener(exit);
      slot.exitListeners.clear();
    });

    type Event =
      | { kind: 'next' }
      | { kind: 'init-error'; body: Buffer; errorTypeHeader?: string }
      | { kind: 'exit'; exit: ExitInfo }
      | { kind: 'timeout' };
    let timer: NodeJS.Timeout | undefined;
    const event = await new Promise<Event>((resolve) => {
      this.api.onFirstNext = () => resolve({ kind: 'next' });
      this.api.onInitError = (info) => resolve({ kind: 'init-error', ...info });
      void proc.exited.then((exit) => resolve({ kind: 'exit', exit }));
      timer = setTimeout(() => resolve({ kind: 'timeout' }), limitMs);
    });
    clearTimeout(timer);
    this.api.onFirstNext = undefined;
    this.api.onInitError = undefined;
    const durationMs = this.clock() - startAt;

    switch (event.kind) {
      case 'next':
        slot.initialised = true;
        slot.record.firstNextAt = this.clock();
        // Once per init (never per invocation): whatever init started is a member from now on.
        proc.rescanMembers?.();
        return { ok: true, durationMs, fresh: true };
      case 'init-error': {
        // The runtime should exit after reporting; give it a moment, then make sure.
        const grace = this.options.initErrorExitGraceMs ?? 2000;
        await Promise.race([proc.exited, sleep(grace)]);
        await this.kill(slot);
        const error = errorFromDocument(event.body, event.errorTypeHeader);
        this.platform(this.lines().initReport(durationMs, phase, 'error', error.errorType));
        return { ok: false, status: 'error', durationMs, error, payload: event.body };
      }
      case 'exit': {
        this.recordExit(slot);
        const error = { errorType: exitErrorType(event.exit), errorMessage: exitDescription(event.exit) };
        this.platform(this.lines().initReport(durationMs, phase, 'error', error.errorType));
        return { ok: false, status: 'error', durationMs, error };
      }
      case 'timeout':
        await this.kill(slot);
        this.platform(this.lines().initReport(durationMs, phase, 'timeout'));
        return {
          ok: false,
          status: 'timeout',
          durationMs,
          error: { errorType: 'Sandbox.Timedout', errorMessage: `Task timed out after ${(limitMs / 1000).toFixed(2)} seconds` },
        };
    }
  }

  /** Start the runtime for an invocation: a pending init failure, or init with Lambda's suppressed-init retry. */
  private async initForInvoke(): Promise<InitOutcome> {
    if (this.pendingInitFailure) {
      const init = this.pendingInitFailure;
      this.pendingInitFailure = undefined;
      return init;
    }
    let init = await this.ensureInit(this.config.initTimeoutMs, 'init');
    if (!init.ok && init.status === 'timeout') {
      // Suppressed init: Lambda retries init inside the invoke, bounded by the function timeout (reference §3.3).
      init = await this.ensureInit(this.config.timeoutMs, 'invoke');
      if (!init.ok && init.status === 'timeout') {
        init = {
          ...init,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${(this.config.timeoutMs / 1000).toFixed(2)} seconds`,
          },
        };
      }
    }
    return init;
  }

  /** Hand the event to the runtime of `slot` and wait until it is answered, the runtime exits, or time runs out. */
  private dispatch(
    input: InvocationInput,
    options: InvokeOptions,
    requestId: string,
    t0: number,
    phaseStart: number,
    slot: ProcessSlot,
  ): Promise<Dispatched> {
    const proc = slot.proc!;
    const d: Dispatched = { settled: { kind: 'timeout' }, streamed: [] };
    let streamedBytes = 0;
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe = (): unknown => undefined;
    let settled = false;
    return new Promise<Dispatched>((resolve) => {
      const settle = (s: Settled): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unsubscribe();
        d.settled = s;
        resolve(d);
      };
      this.api.enqueue({
        requestId,
        payload: input.payload,
        deadlineMs: Date.now() + this.config.timeoutMs,
        invokedFunctionArn: input.invokedFunctionArn ?? functionArn(this.config),
        traceId: input.traceId ?? newTraceId(),
        ...(input.clientContext !== undefined ? { clientContext: input.clientContext } : {}),
        ...(input.cognitoIdentity !== undefined ? { cognitoIdentity: input.cognitoIdentity } : {}),
        ...(input.tenantId !== undefined ? { tenantId: input.tenantId } : {}),
        ...(input.faults ? { faults: input.faults } : {}),
        sink: {
          handedOut: (at) => {
            d.handedOut ??= at - t0;
          },
          responseStarted: (info) => {
            if (settled || info.kind !== 'response') return;
            options.onResponseStart?.({ streamed: info.streamed, ...(info.contentType ? { contentType: info.contentType } : {}) });
          },
          chunk: (data, at) => {
            if (settled) return;
            d.firstByte ??= at - t0;
            streamedBytes += data.length;
            // Past the streamed limit the invoker gets nothing more, only the error at the end.
            if (streamedBytes <= MAX_STREAMED_RESPONSE_BYTES) options.onChunk?.(data);
          },
          completed: (info) => {
            if (settled) return;
            if (info.body.length > 0) d.firstByte ??= info.at - t0;
            if (info.kind === 'response' && !info.streamed && info.body.length > 0) options.onChunk?.(info.body);
            for (const c of info.chunks) d.streamed.push({ size: c.size, at: c.at - t0 });
            settle({ kind: 'completed', info });
          },
          rejected: (info) => settle({ kind: 'rejected', reason: info.reason }),
        },
      });
      const onExit = (exit: ExitInfo): void => settle({ kind: 'exit', exit });
      if (proc.exitInfo) queueMicrotask(() => onExit(proc.exitInfo!));
      else slot.exitListeners.add(onExit);
      unsubscribe = () => slot.exitListeners.delete(onExit);
      const remaining = Math.max(0, this.config.timeoutMs - (this.clock() - phaseStart));
      timer = setTimeout(() => settle({ kind: 'timeout' }), remaining);
    });
  }

  /** What the invoker gets for how the invocation settled (killing a runtime that timed out). */
  private async outcomeOf(
    d: Dispatched,
    requestId: string,
    options: InvokeOptions,
    slot: ProcessSlot,
  ): Promise<{ outcome: InvocationOutcome; payload: Buffer; reportStatus?: 'timeout' | 'error' }> {
    const failed = (error: PlatformError, reportStatus: 'timeout' | 'error' = 'error') => ({
      outcome: { kind: 'platform-error' as const, error },
      payload: platformPayload(error),
      reportStatus,
    });
    const s = d.settled;
    switch (s.kind) {
      case 'completed': {
        const info = s.info;
        // A buffered invoker (no onChunk: Invoke) gets at most 6 MB even of a streamed answer; only a streaming one
        // (InvokeWithResponseStream, a RESPONSE_STREAM function URL) gets up to 200 MB (config-rs-invoke-furls.html).
        const limit = options.onChunk ? MAX_STREAMED_RESPONSE_BYTES : MAX_RESPONSE_BYTES;
        if (info.kind === 'response' && info.streamed && info.body.length > limit) {
          return failed({
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: `Response payload size exceeded maximum allowed payload size (${limit} bytes).`,
          });
        }
        if (info.kind === 'error') {
          return {
            outcome: { kind: 'function-error', ...(info.errorTypeHeader !== undefined ? { errorTypeHeader: info.errorTypeHeader } : {}) },
            payload: info.body,
          };
        }
        const streamError = info.streamed ? streamErrorFromTrailers(info.trailers) : undefined;
        const outcome: InvocationOutcome = {
          kind: 'response',
          streamed: info.streamed,
          ...(info.contentType ? { contentType: info.contentType } : {}),
          chunks: d.streamed,
          ...(streamError ? { streamError } : {}),
        };
        return { outcome, payload: info.body };
      }
      case 'rejected':
        this.api.release(requestId);
        return failed(
          s.reason === 'too-large'
            ? {
                errorType: 'Function.ResponseSizeTooLarge',
                errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
              }
            : { errorType: 'Runtime.TruncatedResponse', errorMessage: `RequestId: ${requestId} Error: HTTP request detected as truncated` },
        );
      case 'exit':
        this.api.release(requestId);
        this.recordExit(slot);
        return failed(prefixed(requestId, { errorType: exitErrorType(s.exit), errorMessage: exitDescription(s.exit) }));
      case 'timeout':
        this.api.release(requestId);
        await this.kill(slot);
        return failed(
          prefixed(requestId, {
            errorType: 'Sandbox.Timedout',
            errorMessage: `Task timed out after ${(this.config.timeoutMs / 1000).toFixed(2)} seconds`,
          }),
          'timeout',
        );
    }
  }

  private async runInvocation(input: InvocationInput, options: InvokeOptions): Promise<InvocationResult> {
    const receivedAt = Date.now();
    const t0 = this.clock();
    const requestId = input.requestId ?? randomUUID();
    const logFrom = t0;
    this.platform(this.lines().start(requestId, this.config.version));

    let coldStart = false;
    let initDurationMs: number | undefined;
    let phaseStart = t0;
    let slot: ProcessSlot;
    let d: Dispatched;
    // A runtime that dies while idle (after its last response, before taking this event) has not failed this
    // invocation: Lambda would start a new environment and deliver the event there. Retry once, cold.
    for (let attempt = 0; ; attempt++) {
      if (!this.isWarm()) {
        coldStart = true;
        const init = await this.initForInvoke();
        if (!init.ok) {
          return this.finish({
            requestId,
            receivedAt,
            t0,
            logFrom,
            coldStart,
            phaseStart,
            outcome: { kind: 'platform-error', error: prefixed(requestId, init.error) },
            payload: init.payload && isJsonObject(init.payload) ? init.payload : platformPayload(prefixed(requestId, init.error)),
            reportStatus: init.status,
            ...(init.durationMs > 0 ? { initDurationMs: init.durationMs } : {}),
          });
        }
        initDurationMs = init.durationMs;
        phaseStart = this.clock();
      }
      slot = this.current!;
      d = await this.dispatch(input, options, requestId, t0, phaseStart, slot);
      if (d.settled.kind === 'exit' && d.handedOut === undefined && attempt === 0) {
        this.api.release(requestId);
        this.recordExit(slot);
        continue;
      }
      break;
    }

    const { outcome, payload, reportStatus } = await this.outcomeOf(d, requestId, options, slot);
    return this.finish({
      requestId,
      receivedAt,
      t0,
      logFrom,
      coldStart,
      phaseStart,
      outcome,
      payload,
      ...(reportStatus ? { reportStatus } : {}),
      ...(initDurationMs !== undefined && coldStart ? { initDurationMs } : {}),
      ...(d.handedOut !== undefined ? { handedOut: d.handedOut } : {}),
      ...(d.firstByte !== undefined ? { firstByte: d.firstByte } : {}),
    });
  }

  private async finish(r: {
    requestId: string;
    receivedAt: number;
    t0: number;
    logFrom: number;
    coldStart: boolean;
    phaseStart: number;
    outcome: InvocationOutcome;
    payload: Buffer;
    reportStatus?: 'timeout' | 'error';
    initDurationMs?: number;
    handedOut?: number;
    firstByte?: number;
  }): Promise<InvocationResult> {
    // Output written just before the response may still sit in the pipe: let the event loop drain it.
    await this.current?.proc?.settleOutput?.();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const doneAt = this.clock();
    const proc = this.current?.proc;
    proc?.sampleMemory();
    const durationMs = Math.max(0, doneAt - r.phaseStart);
    const report: ReportFields = {
      durationMs,
      billedDurationMs: billedDurationMs(durationMs, r.initDurationMs),
      memorySizeMb: this.config.memorySizeMb,
      maxMemoryUsedMb: proc ? Math.max(1, Math.ceil(proc.peakRssKiB() / 1024)) : 0,
      ...(r.initDurationMs !== undefined ? { initDurationMs: r.initDurationMs } : {}),
      ...(r.reportStatus ? { status: r.reportStatus } : {}),
      ...(r.outcome.kind === 'platform-error' ? { errorType: r.outcome.error.errorType } : {}),
    };
    const runtimeLines: LogLine[] = proc
      ? proc.output.linesSince(r.logFrom).map((l) => ({ at: l.at, stream: l.stream, text: l.text }))
      : [];
    const lines = this.lines();
    const startIndex = this.platformLines.findLastIndex((l) => lines.isStart(l.text, r.requestId));
    const end = lines.end(r.requestId);
    this.platform(end);
    this.platform(lines.report(r.requestId, report));
    // START, any INIT_REPORT of an init done inside this invoke, END (text format only), REPORT — merged in time
    // with the runtime's output.
    const closing = end === undefined ? 1 : 2;
    const platformLines = this.platformLines.slice(Math.max(0, startIndex));
    const logs: LogLine[] = [...platformLines.slice(0, -closing), ...runtimeLines].sort((a, b) => a.at - b.at);
    logs.push(...platformLines.slice(-closing));
    const failed = r.outcome.kind !== 'response';
    return {
      requestId: r.requestId,
      outcome: r.outcome,
      payload: r.payload,
      ...(failed ? { functionError: 'Unhandled' as const } : {}),
      logs,
      report,
      coldStart: r.coldStart,
      ...(proc?.pid !== undefined ? { pid: proc.pid } : {}),
      timings: {
        receivedAt: r.receivedAt,
        ...(r.handedOut !== undefined ? { handedOut: r.handedOut } : {}),
        ...(r.firstByte !== undefined ? { firstByte: r.firstByte } : {}),
        done: doneAt - r.t0,
      },
    };
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

function prefixed(requestId: string, e: PlatformError): PlatformError {
  if (e.errorMessage.startsWith('RequestId: ')) return e;
  return { errorType: e.errorType, errorMessage: `RequestId: ${requestId} Error: ${e.errorMessage}` };
}

/** The JSON body Lambda returns for platform errors: `{"errorMessage","errorType"}`. */
export function platformPayload(e: PlatformError): Buffer {
  return Buffer.from(JSON.stringify({ errorMessage: e.errorMessage, errorType: e.errorType }));
}

function isJsonObject(body: Buffer): boolean {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

/** errorType/errorMessage out of a runtime's error document, falling back to the error-type header. */
export function errorFromDocument(body: Buffer, errorTypeHeader: string | undefined): PlatformError {
  let errorType = errorTypeHeader;
  let errorMessage = '';
  try {
    const doc: unknown = JSON.parse(body.toString('utf8'));
    if (doc && typeof doc === 'object') {
      const d = doc as Record<string, unknown>;
      if (typeof d['errorType'] === 'string') errorType = d['errorType'];
      if (typeof d['errorMessage'] === 'string') errorMessage = d['errorMessage'];
    }
  } catch {
    errorMessage = body.toString('utf8').slice(0, 1024);
  }
  return { errorType: errorType ?? 'Runtime.Unknown', errorMessage };
}
