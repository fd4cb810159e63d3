/**
 * The harness's own share of each invocation through the Invoke front: from the moment Node's HTTP server has the
 * request (diagnostics channel `http.server.request.start`) to the moment the response is written out
 * (`http.server.response.finish`), minus the runtime's share (event handed out on /next → response complete, from
 * `InvocationResult.timings`). The two are matched by request id, which the front both hands the target and writes
 * in the response's X-Amzn-RequestId header, so any number of invocations in flight are told apart without touching
 * the front. (AsyncLocalStorage would do it too, but its promise hooks cost more than what is being measured.)
 */
import diagnostics from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { InvokeTarget } from '../invoke/front.ts';
import type { InvocationResult } from '../model/invocation.ts';

interface ServerMessage {
  request: object;
  /** `_header` is the head Node wrote: where writeHead(status, headers) leaves the headers (getHeader() does not). */
  response: { _header?: string | null };
}

const REQUEST_ID = /\r\nX-Amzn-RequestId: *([^\r]+)/i;

export interface HarnessShareMeter {
  /** `target` as the front should see it: the same invocations, each one's runtime share noted. */
  wrap<T extends InvokeTarget>(target: T): InvokeTarget;
  /** Harness shares (ms) measured since the last take, in completion order. */
  take(): number[];
  stop(): void;
}

/** Runtime share of one result: handed out → response complete (first byte of a buffered response is its end). */
export function runtimeShareMs(r: InvocationResult): number | undefined {
  const t = r.timings;
  if (t.handedOut === undefined) return undefined;
  const end = t.firstByte ?? t.done;
  return Math.max(0, end - t.handedOut);
}

export function meterHarnessShare(): HarnessShareMeter {
  const startedAt = new WeakMap<object, number>();
  const runtimeMs = new Map<string, number>();
  let shares: number[] = [];
  const onStart = (message: unknown): void => {
    startedAt.set((message as ServerMessage).request, performance.now());
  };
  const onFinish = (message: unknown): void => {
    const m = message as ServerMessage;
    const at = startedAt.get(m.request);
    const id = REQUEST_ID.exec(m.response._header ?? '')?.[1];
    const runtime = id !== undefined ? runtimeMs.get(id) : undefined;
    if (id !== undefined) runtimeMs.delete(id);
    if (at !== undefined && runtime !== undefined) shares.push(Math.max(0, performance.now() - at - runtime));
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  diagnostics.subscribe('http.server.response.finish', onFinish);
  return {
    wrap: (target) => ({
      config: target.config,
      invoke: async (input, options) => {
        const result = await target.invoke(input, options);
        const share = runtimeShareMs(result);
        if (share !== undefined) runtimeMs.set(result.requestId, share);
        return result;
      },
      ...(target.reconfigure ? { reconfigure: target.reconfigure.bind(target) } : {}),
    }),
    take: () => {
      const out = shares;
      shares = [];
      runtimeMs.clear();
      return out;
    },
    stop: () => {
      diagnostics.unsubscribe('http.server.request.start', onStart);
      diagnostics.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}
