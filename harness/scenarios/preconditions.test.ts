import { describe, expect, it } from 'vitest';
import type { InvocationResult } from '../model/invocation.ts';
import type { Exchange, ExchangeKind } from '../model/recording.ts';
import { maxOutstanding, unknownRoute, unmetPreconditions } from './preconditions.ts';
import type { InvokeStep } from './suite-model.ts';

let seq = 0;
function exchange(
  kind: ExchangeKind,
  target: string,
  over: Partial<Exchange> & { start?: number; answered?: number; status?: number } = {},
): Exchange {
  const { start = 0, answered, status = 200, ...rest } = over;
  return {
    seq: ++seq,
    connection: seq,
    kind,
    request: {
      method: 'GET',
      target,
      httpVersion: '1.1',
      headers: [],
      body: Buffer.alloc(0),
      chunked: false,
      chunks: [],
      trailers: [],
      timing: { start, headersDone: start },
    },
    ...(answered !== undefined
      ? { response: { status, headers: [], body: Buffer.alloc(0), timing: { start: answered, end: answered } } }
      : {}),
    ...rest,
  };
}

const step = (over: Partial<InvokeStep>): InvokeStep => ({
  kind: 'invoke',
  location: { file: 'x', line: 1 },
  expect: {},
  payload: Buffer.from('{}'),
  stream: false,
  logTail: false,
  ...over,
});
const result = { requestId: 'r1' } as InvocationResult;

describe('unknown routes', () => {
  it('names a request the Runtime API does not serve, not other Lambda APIs or framing faults', () => {
    expect(unknownRoute(exchange('unknown', '//2018-06-01/runtime/invocation/next', { answered: 1, status: 404 }))).toBe(
      'GET //2018-06-01/runtime/invocation/next → 404',
    );
    expect(unknownRoute(exchange('unknown', '/2018-06-01/runtime/invocation/next', { answered: 1, status: 405 }))).toBe(
      'GET /2018-06-01/runtime/invocation/next → 405',
    );
    expect(unknownRoute(exchange('unknown', '/2020-01-01/extension/register', { answered: 1, status: 404 }))).toBeUndefined();
    expect(unknownRoute(exchange('unknown', '/2018-06-01/runtime/restore/next', { answered: 1, status: 404 }))).toBeUndefined();
    expect(
      unknownRoute(exchange('unknown', '', { answered: 1, status: 400, fault: { kind: 'bad-request-line', detail: 'x', at: 0 } })),
    ).toBeUndefined();
    expect(unknownRoute(exchange('next', '/2018-06-01/runtime/invocation/next', { answered: 1 }))).toBeUndefined();
  });
});

describe('preconditions', () => {
  it('an injected status must have been served on the request it targets', () => {
    const served = exchange('next', '/2018-06-01/runtime/invocation/next', { injected: 'status:500', answered: 1, status: 500 });
    expect(unmetPreconditions(step({ faults: { nextStatus: 500 } }), result, [served])).toEqual([]);
    const unmet = unmetPreconditions(step({ faults: { nextStatus: 500 } }), result, [
      exchange('unknown', '//2018-06-01/runtime/invocation/next', { answered: 1, status: 404 }),
    ]);
    expect(unmet).toEqual([
      {
        path: 'precondition.faults.nextStatus',
        expected: 'the injected 500 served to a GET /2018-06-01/runtime/invocation/next',
        actual: 'it was never delivered: its requests were: GET //2018-06-01/runtime/invocation/next → 404',
      },
    ]);
  });

  it('an exit judged after an invoke needs the event handed out', () => {
    const exits = step({ expect: { process: { exited: { code: 3 } } } });
    expect(
      unmetPreconditions(exits, result, [exchange('next', '/2018-06-01/runtime/invocation/next', { requestId: 'r1', answered: 1 })]),
    ).toEqual([]);
    expect(unmetPreconditions(exits, result, [])[0]).toMatchObject({
      path: 'precondition.handedOut',
      actual: 'it never was: the runtime made no request to the Runtime API during the step',
    });
  });
});

describe('outstanding requests over a case', () => {
  it('counts polls open at the same moment, an unanswered one until its connection closes', () => {
    const a = exchange('next', '/n', { start: 0, answered: 10 });
    const b = exchange('next', '/n', { start: 5 });
    const c = exchange('next', '/n', { start: 20, answered: 30 });
    const connections = [{ id: b.connection, remotePort: 1, openedAt: 0, closedAt: 25, bytesIn: 0, bytesOut: 0 }];
    expect(maxOutstanding([a, b, c], connections, 'next')).toMatchObject({ max: 2, at: 5 });
    expect(maxOutstanding([a, c], [], 'next').max).toBe(1);
    expect(maxOutstanding([a, b, c], [], 'next')).toMatchObject({ max: 2 });
  });
});
