/**
 * One runtime under benchmark: its execution environments behind an Invoke front on 127.0.0.1, called with undici,
 * so each measured invocation has both views — the client's (end to end) and the fake Runtime API's
 * (`InvocationResult.timings`, matched to the response by its request id).
 */
import { performance } from 'node:perf_hooks';
import { Client, type Dispatcher } from 'undici';
import { LocalEnvironment } from '../environment/local-environment.ts';
import type { ExecutionEnvironment, InvocationInput, InvokeOptions } from '../environment/execution-environment.ts';
import type { InvocationResult } from '../model/invocation.ts';
import { InvokeFront } from '../invoke/front.ts';
import { functionConfigFor, type FunctionOverrides, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { launchProcess, type LaunchSpec, type RunningProcess } from '../process/process-runner.ts';

/** Passes everything through to the environment and keeps each result by request id for the client to pick up. */
class ObservedEnvironment implements ExecutionEnvironment {
  readonly results = new Map<string, InvocationResult>();
  constructor(readonly inner: LocalEnvironment) {}
  get config(): ExecutionEnvironment['config'] {
    return this.inner.config;
  }
  init(): ReturnType<ExecutionEnvironment['init']> {
    return this.inner.init();
  }
  async invoke(input: InvocationInput, options?: InvokeOptions): Promise<InvocationResult> {
    const r = await this.inner.invoke(input, options);
    this.results.set(r.requestId, r);
    return r;
  }
  recording(): ReturnType<ExecutionEnvironment['recording']> {
    return this.inner.recording();
  }
  logs(): ReturnType<ExecutionEnvironment['logs']> {
    return this.inner.logs();
  }
  processes(): ReturnType<ExecutionEnvironment['processes']> {
    return this.inner.processes();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/** One invocation seen from both ends. */
export interface Measured {
  /** Client: request sent → last body byte, ms. */
  endToEndMs: number;
  /** Client: request sent → first body bytes, ms (for a stream: the first PayloadChunk). */
  firstByteMs: number;
  /** Runtime API: event handed out → response complete, ms. */
  runtimeMs: number;
  /** Runtime API: event handed out → first response byte, ms. */
  runtimeFirstByteMs: number;
  result: InvocationResult;
  /** Body as the client got it (Invoke), or the event-stream bytes (InvokeWithResponseStream). */
  body: Buffer;
}

/** A measured invocation that did not give what was asked for. */
export class BenchInvocationError extends Error {}

export interface ColdSample extends Measured {
  /** Spawn → first `/next`, ms. */
  initMs: number;
  peakRssMiB: number;
}

type Role = 'warm' | 'stream' | 'cold';

const INVOKE_PATH = (fn: string): string => `/2015-03-31/functions/${fn}/invocations`;
const STREAM_PATH = (fn: string): string => `/2021-11-15/functions/${fn}/response-streaming-invocations`;

export class BenchTarget {
  private lastLaunched: RunningProcess | undefined;

  private constructor(
    /** The environments by role, which the front resolves function names from. */
    private readonly envs: Map<Role, ObservedEnvironment>,
    readonly runtime: ResolvedRuntime,
    private readonly overrides: FunctionOverrides,
    private readonly front: InvokeFront,
    private readonly client: Client,
  ) {}

  static async open(runtime: ResolvedRuntime, overrides: FunctionOverrides): Promise<BenchTarget> {
    const envs = new Map<Role, ObservedEnvironment>();
    const front = new InvokeFront({ resolve: (name) => envs.get(name as Role) });
    const { url } = await front.start();
    // Keep-alive below the front's 5 s idle timeout, one request at a time: invocations are sequential.
    const client = new Client(url, {
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
      pipelining: 1,
      bodyTimeout: 0,
      headersTimeout: 0,
    });
    return new BenchTarget(envs, runtime, overrides, front, client);
  }

  /** The _HANDLER used for streamed invocations. */
  get streamingHandler(): string {
    return this.runtime.spec.streamingHandler ?? this.runtime.spec.handler;
  }

  private async environment(role: Role): Promise<ObservedEnvironment> {
    const existing = this.envs.get(role);
    if (existing) return existing;
    const config = functionConfigFor(this.runtime, {
      ...this.overrides,
      functionName: role,
      ...(role === 'stream' ? { handler: this.overrides.handler ?? this.streamingHandler } : {}),
    });
    const inner = await LocalEnvironment.create(config, {
      // Recording costs time on the harness's side: the bench measures runtimes, not the recorder.
      record: false,
      hostPath: process.env['PATH'] ?? '',
      launch: (spec: LaunchSpec) => {
        const p = launchProcess(spec);
        this.lastLaunched = p;
        return p;
      },
    });
    const env = new ObservedEnvironment(inner);
    this.envs.set(role, env);
    return env;
  }

  private async drop(role: Role): Promise<void> {
    const env = this.envs.get(role);
    this.envs.delete(role);
    await env?.close();
  }

  /** One invocation through the front: `Invoke`, or `InvokeWithResponseStream` when stream is set. */
  private async call(role: Role, payload: Buffer, stream: boolean): Promise<Measured> {
    const env = await this.environment(role);
    const t0 = performance.now();
    let first: number | undefined;
    const parts: Buffer[] = [];
    let res: Dispatcher.ResponseData;
    try {
      res = await this.client.request({
        path: stream ? STREAM_PATH(role) : INVOKE_PATH(role),
        method: 'POST',
        body: payload,
        headers: { 'content-type': 'application/json' },
      });
      for await (const chunk of res.body) {
        first ??= performance.now();
        parts.push(chunk as Buffer);
      }
    } catch (e) {
      // A connection that broke is this invocation's failure, not the bench's.
      throw new BenchInvocationError(`request failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const t1 = performance.now();
    const body = Buffer.concat(parts);
    const requestId = res.headers['x-amzn-requestid'];
    const result = typeof requestId === 'string' ? env.results.get(requestId) : undefined;
    if (typeof requestId === 'string') env.results.delete(requestId);
    if (res.statusCode !== 200 || !result) {
      throw new BenchInvocationError(`HTTP ${res.statusCode}: ${body.subarray(0, 200).toString('utf8')}`);
    }
    const o = result.outcome;
    if (o.kind !== 'response' || o.streamError) {
      const what = o.kind === 'platform-error' ? o.error.errorType : o.kind === 'function-error' ? 'function error' : 'stream error';
      throw new BenchInvocationError(`${what}: ${result.payload.subarray(0, 200).toString('utf8')}`);
    }
    const { handedOut, firstByte, done } = result.timings;
    if (handedOut === undefined) throw new BenchInvocationError('the event was never handed out');
    return {
      endToEndMs: t1 - t0,
      firstByteMs: (first ?? t1) - t0,
      runtimeMs: done - handedOut,
      runtimeFirstByteMs: (firstByte ?? done) - handedOut,
      result,
      body,
    };
  }

  /** A warm invocation (the first ones start the process: run a warm-up before measuring). */
  invoke(payload: Buffer): Promise<Measured> {
    return this.call('warm', payload, false);
  }

  /** A streamed invocation through InvokeWithResponseStream, with the streaming handler. */
  invokeStream(payload: Buffer): Promise<Measured> {
    return this.call('stream', payload, true);
  }

  /** A fresh environment and process, its first invocation, then nothing left behind. */
  async coldStart(payload: Buffer): Promise<ColdSample> {
    await this.drop('cold');
    try {
      this.lastLaunched = undefined;
      const m = await this.call('cold', payload, false);
      const env = this.envs.get('cold')!;
      const proc = env.processes()[0];
      if (!m.result.coldStart || !proc || proc.firstNextAt === undefined)
        throw new BenchInvocationError('the invocation was not a cold start');
      const launched = this.lastLaunched as RunningProcess | undefined;
      launched?.sampleMemory();
      const peakKiB = launched?.peakRssKiB() ?? 0;
      return { ...m, initMs: proc.firstNextAt - proc.startedAt, peakRssMiB: peakKiB / 1024 };
    } finally {
      await this.drop('cold');
    }
  }

  async close(): Promise<void> {
    for (const role of [...this.envs.keys()]) await this.drop(role);
    await this.client.close().catch(() => undefined);
    await this.front.close();
  }
}
