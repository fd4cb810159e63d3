/**
 * Up to N execution environments behind one function name, as Lambda scales a function: an invocation goes to an
 * idle environment, a new one is created (a cold start) while fewer than N exist, and otherwise it waits for the
 * first to free up. Each environment still serialises its own invocations. The Invoke front resolves to this.
 */
import type { ExecutionEnvironment, InvocationInput, InvokeOptions } from '../environment/execution-environment.ts';
import type { FunctionConfig, InvocationResult } from '../model/invocation.ts';
import { functionErrorType } from '../invoke/front.ts';
import type { InvokeTarget } from '../invoke/front.ts';
import { bump } from './load-model.ts';

export interface PoolStats {
  environmentsCreated: number;
  /** Invocations that started (or restarted) a runtime process. */
  coldStarts: number;
  invocations: number;
  /** Failed invocations by error type, as the front saw them (function errors and platform errors). */
  errorTypes: Record<string, number>;
  /** Runtime processes started by all environments. */
  processesStarted: number;
}

export class EnvironmentPool implements InvokeTarget {
  readonly config: FunctionConfig;
  private readonly max: number;
  private readonly create: (config: FunctionConfig) => Promise<ExecutionEnvironment>;
  private readonly all: ExecutionEnvironment[] = [];
  private readonly idle: ExecutionEnvironment[] = [];
  /** Invocations waiting for an environment, first come first served. */
  private readonly waiting: Array<{ resolve: (env: ExecutionEnvironment) => void; reject: (e: Error) => void }> = [];
  private creating = 0;
  private closed = false;
  private readonly counters = { coldStarts: 0, invocations: 0, errorTypes: {} as Record<string, number> };

  constructor(config: FunctionConfig, max: number, create: (config: FunctionConfig) => Promise<ExecutionEnvironment>) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`an environment pool needs at least one environment (got ${max})`);
    this.config = config;
    this.max = max;
    this.create = create;
  }

  async invoke(input: InvocationInput, options?: InvokeOptions): Promise<InvocationResult> {
    const env = await this.acquire();
    try {
      const result = await env.invoke(input, options);
      this.counters.invocations++;
      if (result.coldStart) this.counters.coldStarts++;
      const outcome = result.outcome;
      if (outcome.kind === 'function-error') bump(this.counters.errorTypes, functionErrorType(result.payload, outcome.errorTypeHeader));
      else if (outcome.kind === 'platform-error') bump(this.counters.errorTypes, outcome.error.errorType);
      return result;
    } finally {
      this.release(env);
    }
  }

  stats(): PoolStats {
    return {
      environmentsCreated: this.all.length,
      coldStarts: this.counters.coldStarts,
      invocations: this.counters.invocations,
      errorTypes: { ...this.counters.errorTypes },
      processesStarted: this.all.reduce((n, e) => n + e.processes().filter((p) => p.pid !== undefined).length, 0),
    };
  }

  /** Every environment created so far, oldest first. */
  environments(): readonly ExecutionEnvironment[] {
    return this.all;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new Error('environment pool is closed'));
    // Creations in flight finish into `all` (and are closed below) or fail on their own.
    while (this.creating > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await Promise.all(this.all.map((e) => e.close()));
  }

  private async acquire(): Promise<ExecutionEnvironment> {
    if (this.closed) throw new Error('environment pool is closed');
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.length + this.creating < this.max) {
      this.creating++;
      try {
        const env = await this.create(this.config);
        this.all.push(env);
        return env;
      } catch (e) {
        // With no environment at all, nobody would ever wake the invocations waiting for one.
        if (this.all.length === 0 && this.creating === 1) {
          for (const w of this.waiting.splice(0)) w.reject(e instanceof Error ? e : new Error(String(e)));
        }
        throw e;
      } finally {
        this.creating--;
      }
    }
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private release(env: ExecutionEnvironment): void {
    const waiter = this.waiting.shift();
    if (waiter) waiter.resolve(env);
    else this.idle.push(env);
  }
}
