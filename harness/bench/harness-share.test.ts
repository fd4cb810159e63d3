import { describe, expect, it } from 'vitest';
import type { InvocationInput } from '../environment/execution-environment.ts';
import { InvokeFront } from '../invoke/front.ts';
import type { InvocationResult } from '../model/invocation.ts';
import { testFunctionConfig } from '../testing/test-config.ts';
import { meterHarnessShare, runtimeShareMs } from './harness-share.ts';

const REPORT = { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 1 };

/** A target that holds each invocation 40 ms and says the runtime had 30 of them. */
const target = {
  config: testFunctionConfig({ functionName: 'f' }),
  invoke: async (input: InvocationInput): Promise<InvocationResult> => {
    await new Promise((r) => setTimeout(r, 40));
    return {
      requestId: input.requestId!,
      outcome: { kind: 'response', streamed: false, chunks: [] },
      payload: Buffer.from('{}'),
      logs: [],
      report: REPORT,
      coldStart: false,
      timings: { receivedAt: Date.now(), handedOut: 2, firstByte: 32, done: 40 },
    };
  },
};

describe('meterHarnessShare', () => {
  it('takes the runtime share out of the time the front held each request, matching concurrent ones by request id', async () => {
    const meter = meterHarnessShare();
    const front = new InvokeFront({ resolve: (n) => (n === 'f' ? meter.wrap(target) : undefined) });
    const { url } = await front.start();
    try {
      const call = () => fetch(`${url}/2015-03-31/functions/f/invocations`, { method: 'POST', body: '{}' }).then((r) => r.text());
      await Promise.all([call(), call(), call()]);
      const shares = meter.take();
      expect(shares).toHaveLength(3);
      // Held ≥ 40 ms (the timer may fire up to 1 ms early), runtime share 30 ms.
      for (const s of shares) expect(s).toBeGreaterThanOrEqual(9);
      expect(meter.take()).toEqual([]);
    } finally {
      meter.stop();
      await front.close();
    }
  });

  it('reads the runtime share as event handed out → response complete', () => {
    const base = { receivedAt: 0, done: 10 };
    expect(runtimeShareMs({ timings: { ...base, handedOut: 1, firstByte: 4 } } as InvocationResult)).toBe(3);
    expect(runtimeShareMs({ timings: { ...base, handedOut: 1 } } as InvocationResult)).toBe(9);
    expect(runtimeShareMs({ timings: base } as InvocationResult)).toBeUndefined();
  });
});
