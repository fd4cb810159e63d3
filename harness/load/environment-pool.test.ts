/** The pool's dispatch on fake environments: lazy creation up to N, reuse of idle ones, waiting beyond N. */
import { describe, expect, it } from 'vitest';
import { testFunctionConfig } from '../testing/test-config.ts';
import type { ExecutionEnvironment, InvocationInput } from '../environment/execution-environment.ts';
import type { InvocationResult } from '../model/invocation.ts';
import { EnvironmentPool } from './environment-pool.ts';

interface Fake {
  env: ExecutionEnvironment;
  id: number;
  /** Invocations in flight on this environment right now (must never exceed 1 through the pool). */
  busy: number;
  served: number;
}

function fakeFactory(release: Promise<void>[]) {
  const made: Fake[] = [];
  const create = async (): Promise<ExecutionEnvironment> => {
    const fake: Fake = { id: made.length, busy: 0, served: 0, env: undefined as unknown as ExecutionEnvironment };
    fake.env = {
      config: testFunctionConfig(),
      init: async () => ({ startedAt: 0 }),
      invoke: async (input: InvocationInput): Promise<InvocationResult> => {
        fake.busy++;
        if (fake.busy > 1) throw new Error('pool sent two invocations to one environment at once');
        await (release.shift() ?? Promise.resolve());
        fake.busy--;
        const cold = fake.served++ === 0;
        const failed = input.payload.toString() === 'fail';
        return {
          requestId: input.requestId ?? 'r',
          outcome: failed ? { kind: 'function-error', errorTypeHeader: 'Fake.Error' } : { kind: 'response', streamed: false, chunks: [] },
          payload: Buffer.from(failed ? '{"errorType":"Fake.Failed","errorMessage":"x"}' : `{"env":${fake.id}}`),
          logs: [],
          report: { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 1 },
          coldStart: cold,
          timings: { receivedAt: 0, done: 1 },
        };
      },
      recording: () => ({ startedAt: 0, exchanges: [], connections: [] }),
      logs: () => [],
      processes: () => [{ pid: 1000 + fake.id, startedAt: 0 }],
      close: async () => undefined,
    };
    made.push(fake);
    return fake.env;
  };
  return { create, made };
}

const input = (payload = '{}'): InvocationInput => ({ payload: Buffer.from(payload) });

describe('EnvironmentPool', () => {
  it('creates environments only when none is idle, and reuses warm ones', async () => {
    const f = fakeFactory([]);
    const pool = new EnvironmentPool(testFunctionConfig(), 4, f.create);
    for (let i = 0; i < 5; i++) await pool.invoke(input());
    expect(f.made).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ environmentsCreated: 1, coldStarts: 1, invocations: 5, processesStarted: 1 });
  });

  it('scales up to N under concurrency, then queues; never two invocations on one environment', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const f = fakeFactory(Array.from({ length: 3 }, () => gate));
    const pool = new EnvironmentPool(testFunctionConfig(), 3, f.create);
    const results = Array.from({ length: 7 }, () => pool.invoke(input()));
    await new Promise((r) => setImmediate(r));
    expect(f.made).toHaveLength(3);
    expect(f.made.every((m) => m.busy === 1)).toBe(true);
    open();
    const done = await Promise.all(results);
    expect(done).toHaveLength(7);
    expect(pool.stats()).toMatchObject({ environmentsCreated: 3, coldStarts: 3, invocations: 7, processesStarted: 3 });
    expect(f.made.reduce((n, m) => n + m.served, 0)).toBe(7);
  });

  it('types failed invocations by the error document', async () => {
    const f = fakeFactory([]);
    const pool = new EnvironmentPool(testFunctionConfig(), 1, f.create);
    await pool.invoke(input('fail'));
    await pool.invoke(input('fail'));
    expect(pool.stats().errorTypes).toEqual({ 'Fake.Failed': 2 });
  });

  it('fails waiting invocations when the environment cannot be created, and refuses after close', async () => {
    const pool = new EnvironmentPool(testFunctionConfig(), 1, async () => {
      await new Promise((r) => setImmediate(r));
      throw new Error('no port');
    });
    const a = pool.invoke(input());
    const b = pool.invoke(input());
    await expect(a).rejects.toThrow('no port');
    await expect(b).rejects.toThrow('no port');
    await pool.close();
    await expect(pool.invoke(input())).rejects.toThrow('closed');
  });
});
