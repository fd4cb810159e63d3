import { afterEach, describe, expect, it } from 'vitest';
import { performance } from 'node:perf_hooks';
import type { InvocationFaults } from './faults.ts';
import { recordingToJson } from '../model/recording.ts';
import { MAX_RESPONSE_BYTES, RuntimeApiServer, type CompletedResponse, type InvocationSink } from './server.ts';
import { chunk, getNext, postTo, RawConnection, streamingHead } from '../testing/test-client.ts';

interface SinkLog {
  handedOut: number;
  started: Array<{ kind: string; streamed: boolean; contentType?: string }>;
  chunks: Buffer[];
  completed: CompletedResponse[];
  rejected: Array<{ reason: string }>;
  /** Resolves at the next sink event. */
  next(): Promise<void>;
}

const servers: RuntimeApiServer[] = [];
const conns: RawConnection[] = [];

afterEach(async () => {
  for (const c of conns.splice(0)) c.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function setup(record = true) {
  const t0 = performance.now();
  const api = new RuntimeApiServer({ clock: () => performance.now() - t0, startedAt: Date.now(), record });
  servers.push(api);
  await api.listen();
  const open = async (): Promise<RawConnection> => {
    const c = await RawConnection.open(api.address);
    conns.push(c);
    return c;
  };
  const enqueue = (
    requestId: string,
    payload = '{"probe":"echo"}',
    extra: { faults?: InvocationFaults; clientContext?: string; tenantId?: string } = {},
  ): SinkLog => {
    let waiters: Array<() => void> = [];
    const fire = (): void => {
      const w = waiters;
      waiters = [];
      for (const f of w) f();
    };
    const log: SinkLog = {
      handedOut: 0,
      started: [],
      chunks: [],
      completed: [],
      rejected: [],
      next: () => new Promise<void>((r) => waiters.push(r)),
    };
    const sink: InvocationSink = {
      handedOut: () => {
        log.handedOut++;
        fire();
      },
      responseStarted: (i) => {
        log.started.push(i);
        fire();
      },
      chunk: (d) => {
        log.chunks.push(d);
        fire();
      },
      completed: (c) => {
        log.completed.push(c);
        fire();
      },
      rejected: (r) => {
        log.rejected.push(r);
        fire();
      },
    };
    api.enqueue({
      requestId,
      payload: Buffer.from(payload),
      deadlineMs: 1_900_000_000_000,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      traceId: 'Root=1-abc;Parent=def;Sampled=0',
      ...extra,
      sink,
    });
    return log;
  };
  return { api, open, enqueue };
}

describe('GET /next', () => {
  it('long-polls until an event is queued, then hands it out with the invocation headers', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    await c.write(getNext());
    expect(await c.hasResponseWithin(150)).toBe(false);
    const sink = enqueue('req-1', '{"a":1}', { clientContext: '{"custom":{"k":"v"}}', tenantId: 'blue' });
    const res = await c.read();
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe('{"a":1}');
    expect(res.headers['lambda-runtime-aws-request-id']).toBe('req-1');
    expect(res.headers['lambda-runtime-deadline-ms']).toBe('1900000000000');
    expect(res.headers['lambda-runtime-invoked-function-arn']).toBe('arn:aws:lambda:us-east-1:123456789012:function:f');
    expect(res.headers['lambda-runtime-trace-id']).toBe('Root=1-abc;Parent=def;Sampled=0');
    expect(res.headers['lambda-runtime-client-context']).toBe('{"custom":{"k":"v"}}');
    expect(res.headers['lambda-runtime-aws-tenant-id']).toBe('blue');
    // Not given → omitted, never sent empty.
    expect(res.headers['lambda-runtime-cognito-identity']).toBeUndefined();
    expect(sink.handedOut).toBe(1);
  });

  it('sends non-ASCII client context, identity and tenant id as their UTF-8 bytes, as RIE does', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    await c.write(getNext());
    const context = '{"custom":{"name":"Zoë — 日本語 — 😀"}}';
    enqueue('req-u', '{}', { clientContext: context, tenantId: 'blå' });
    const res = await c.read();
    // The test client reads header bytes as latin1: turn them back into bytes, then decode as UTF-8.
    expect(Buffer.from(res.headers['lambda-runtime-client-context']!, 'latin1').toString('utf8')).toBe(context);
    expect(Buffer.from(res.headers['lambda-runtime-aws-tenant-id']!, 'latin1').toString('utf8')).toBe('blå');
  });

  it('reports the first /next of a process (init done) exactly once', async () => {
    const { api, open, enqueue } = await setup();
    let firstNext = 0;
    api.onFirstNext = () => firstNext++;
    const c = await open();
    await c.write(getNext());
    const sink = enqueue('r1');
    await c.read();
    await c.write(postTo('invocation/r1/response', 'ok'));
    await c.read();
    await c.write(getNext());
    enqueue('r2');
    await c.read();
    expect(firstNext).toBe(1);
    expect(sink.completed).toHaveLength(1);
  });
});

describe('POST /response and /error', () => {
  it('accepts a response with 202 {"status":"OK"} and hands the body to the invocation', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    const sink = enqueue('r1');
    await c.write(getNext());
    await c.read();
    await c.write(postTo('invocation/r1/response', 'héllo', { 'Content-Type': 'text/plain' }));
    const res = await c.read();
    expect(res.status).toBe(202);
    expect(JSON.parse(res.body.toString())).toEqual({ status: 'OK' });
    expect(sink.completed[0]).toMatchObject({ kind: 'response', streamed: false, contentType: 'text/plain' });
    expect(sink.completed[0]!.body.toString()).toBe('héllo');
  });

  it('answers an unknown request id with 400 InvalidRequestID', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    enqueue('r1');
    await c.write(getNext());
    await c.read();
    await c.write(postTo('invocation/nope/response', '{}'));
    const res = await c.read();
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toEqual({ errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });
  });

  it('answers a second response with 403 InvalidStateTransition', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    const sink = enqueue('r1');
    await c.write(getNext());
    await c.read();
    await c.write(postTo('invocation/r1/response', '1'));
    expect((await c.read()).status).toBe(202);
    await c.write(postTo('invocation/r1/response', '2'));
    const res = await c.read();
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body.toString())).toMatchObject({ errorType: 'InvalidStateTransition' });
    await c.write(postTo('invocation/r1/error', '{}'));
    expect((await c.read()).status).toBe(403);
    expect(sink.completed).toHaveLength(1);
  });

  it('passes /error bodies and the error-type header through', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    const sink = enqueue('r1');
    await c.write(getNext());
    await c.read();
    const doc = '{"errorType":"Probe.Boom","errorMessage":"boom","stackTrace":[]}';
    await c.write(postTo('invocation/r1/error', doc, { 'Lambda-Runtime-Function-Error-Type': 'Probe.Boom' }));
    expect((await c.read()).status).toBe(202);
    expect(sink.completed[0]).toMatchObject({ kind: 'error', errorTypeHeader: 'Probe.Boom' });
    expect(sink.completed[0]!.body.toString()).toBe(doc);
  });

  it('answers 202 to /error with an invalid X-Ray error cause, as RAPID does, and records the header as sent', async () => {
    const { api, open, enqueue } = await setup();
    const c = await open();
    const sink = enqueue('r1');
    await c.write(getNext());
    await c.read();
    await c.write(
      postTo('invocation/r1/error', '{"errorType":"X","errorMessage":"m"}', { 'Lambda-Runtime-Function-XRay-Error-Cause': '{not json' }),
    );
    expect((await c.read()).status).toBe(202);
    expect(sink.completed[0]).toMatchObject({ kind: 'error' });
    const error = api.recording().exchanges.find((x) => x.kind === 'error')!;
    expect(error.request.headers.find((h) => h.name.toLowerCase() === 'lambda-runtime-function-xray-error-cause')?.value).toBe('{not json');
  });

  it(`refuses a buffered response above ${MAX_RESPONSE_BYTES} bytes with 413, accepts exactly the limit`, async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    const big = enqueue('big');
    await c.write(getNext());
    await c.read();
    await c.write(postTo('invocation/big/response', Buffer.alloc(MAX_RESPONSE_BYTES + 1, 97)));
    const res = await c.read();
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({
      errorMessage: 'Exceeded maximum allowed payload size (6291556 bytes).',
      errorType: 'RequestEntityTooLarge',
    });
    expect(big.rejected).toEqual([expect.objectContaining({ reason: 'too-large' })]);
    // The runtime may still report the failure to /error for the same invocation.
    await c.write(postTo('invocation/big/error', '{"errorType":"Function.ResponseSizeTooLarge"}'));
    expect((await c.read()).status).toBe(202);

    const fits = enqueue('fits');
    await c.write(getNext());
    await c.read();
    await c.write(postTo('invocation/fits/response', Buffer.alloc(MAX_RESPONSE_BYTES, 97)));
    expect((await c.read()).status).toBe(202);
    expect(fits.completed[0]!.body.length).toBe(MAX_RESPONSE_BYTES);
  });

  it('refuses a response mode other than streaming with 400 InvalidFunctionResponseMode', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    enqueue('r1');
    await c.write(getNext());
    await c.read();
    await c.write(postTo('invocation/r1/response', '{}', { 'Lambda-Runtime-Function-Response-Mode': 'buffered' }));
    const res = await c.read();
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toEqual({
      errorMessage: 'Invalid function response mode',
      errorType: 'InvalidFunctionResponseMode',
    });
  });
});

describe('POST /init/error', () => {
  it('is accepted before the first /next and reported to the environment', async () => {
    const { api, open } = await setup();
    let reported: { body: Buffer; errorTypeHeader?: string } | undefined;
    api.onInitError = (i) => (reported = i);
    const c = await open();
    await c.write(
      postTo('init/error', '{"errorType":"Probe.InitFailed","errorMessage":"no"}', {
        'Lambda-Runtime-Function-Error-Type': 'Probe.InitFailed',
      }),
    );
    expect((await c.read()).status).toBe(202);
    expect(reported?.errorTypeHeader).toBe('Probe.InitFailed');
    expect(JSON.parse(reported!.body.toString())).toMatchObject({ errorType: 'Probe.InitFailed' });
  });

  it('is refused with 403 after the first /next', async () => {
    const { open } = await setup();
    const c = await open();
    const poll = await open();
    await poll.write(getNext());
    await new Promise((r) => setTimeout(r, 50));
    await c.write(postTo('init/error', '{}'));
    const res = await c.read();
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body.toString())).toMatchObject({ errorType: 'InvalidStateTransition' });
  });
});

describe('streaming responses', () => {
  it('forwards chunks as they arrive, records their boundaries and decodes error trailers', async () => {
    const { api, open, enqueue } = await setup();
    const c = await open();
    const sink = enqueue('s1');
    await c.write(getNext());
    await c.read();
    await c.write(streamingHead('s1', { 'Content-Type': 'text/event-stream' }));
    const started = sink.next();
    await started;
    expect(sink.started[0]).toEqual(expect.objectContaining({ kind: 'response', streamed: true, contentType: 'text/event-stream' }));
    const first = sink.next();
    await c.write(chunk('hello '));
    await first;
    // The first chunk reached the invoker while the runtime has not produced the second one yet.
    expect(Buffer.concat(sink.chunks).toString()).toBe('hello ');
    expect(sink.completed).toHaveLength(0);
    await c.write(chunk('world'));
    const body = Buffer.from('{"errorType":"Probe.Mid","errorMessage":"mid"}').toString('base64');
    await c.write(`0\r\nLambda-Runtime-Function-Error-Type: Probe.Mid\r\nLambda-Runtime-Function-Error-Body: ${body}\r\n\r\n`);
    expect((await c.read()).status).toBe(202);
    const done = sink.completed[0]!;
    expect(done.body.toString()).toBe('hello world');
    expect(done.chunks.map((x) => x.size)).toEqual([6, 5]);
    expect(done.trailers.map((t) => t.name)).toEqual(['Lambda-Runtime-Function-Error-Type', 'Lambda-Runtime-Function-Error-Body']);

    const exchange = api.recording().exchanges.find((x) => x.kind === 'response')!;
    expect(exchange.request.chunked).toBe(true);
    expect(exchange.request.chunks.map((x) => x.size)).toEqual([6, 5, 0]);
    expect(exchange.response?.status).toBe(202);
  });

  it('hands the error trailers to the invoker with recording off (serve)', async () => {
    const { api, open, enqueue } = await setup(false);
    const c = await open();
    const sink = enqueue('s2');
    await c.write(getNext());
    await c.read();
    await c.write(streamingHead('s2'));
    await c.write(chunk('part'));
    await c.write('0\r\nLambda-Runtime-Function-Error-Type: Probe.Mid\r\nLambda-Runtime-Function-Error-Body: e30=\r\n\r\n');
    expect((await c.read()).status).toBe(202);
    expect(sink.completed[0]!.trailers).toEqual([
      { name: 'Lambda-Runtime-Function-Error-Type', value: 'Probe.Mid' },
      { name: 'Lambda-Runtime-Function-Error-Body', value: 'e30=' },
    ]);
    expect(api.recording().exchanges).toHaveLength(0);
  });
});

describe('framing faults', () => {
  const cases: Array<[string, string, string | undefined]> = [
    ['a bad chunk-size line', `${streamingHead('f')}zz\r\nabc\r\n`, 'bad-chunk-size'],
    [
      'a body longer than its Content-Length',
      'POST /2018-06-01/runtime/invocation/f/response HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}garbage garbage\r\n\r\n',
      'body-exceeds-content-length',
    ],
  ];
  for (const [name, bytes, kind] of cases) {
    it(`answers ${name} with 400 TruncatedHTTPRequest, records it, and keeps serving`, async () => {
      const { api, open, enqueue } = await setup();
      const c = await open();
      const sink = enqueue('f');
      await c.write(getNext());
      await c.read();
      await c.write(bytes);
      const res = await c.read();
      if (kind === 'body-exceeds-content-length') {
        // The first, well-framed request was answered; the trailing garbage is the fault.
        expect(res.status).toBe(202);
        const fault = await c.read();
        expect(fault.status).toBe(400);
        expect(JSON.parse(fault.body.toString())).toEqual({
          errorMessage: 'HTTP request detected as truncated',
          errorType: 'TruncatedHTTPRequest',
        });
      } else {
        expect(res.status).toBe(400);
        expect(JSON.parse(res.body.toString())).toEqual({
          errorMessage: 'HTTP request detected as truncated',
          errorType: 'TruncatedHTTPRequest',
        });
        expect(sink.rejected).toEqual([expect.objectContaining({ reason: 'truncated' })]);
      }
      await c.waitClosed();
      expect(api.recording().exchanges.some((x) => x.fault?.kind === kind)).toBe(true);
      // Another connection still works.
      const d = await open();
      enqueue('g');
      await d.write(getNext());
      expect((await d.read()).headers['lambda-runtime-aws-request-id']).toBe('g');
    });
  }

  it('records a missing terminal chunk and a connection closed mid-body, keeping what arrived', async () => {
    const { api, open, enqueue } = await setup();
    const c = await open();
    const sink = enqueue('m');
    await c.write(getNext());
    await c.read();
    await c.write(`${streamingHead('m')}${chunk('partial')}`);
    await sink.next(); // started
    c.end();
    await c.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    const x = api.recording().exchanges.find((e) => e.kind === 'response')!;
    expect(x.fault?.kind).toBe('missing-terminal-chunk');
    expect(x.request.body.toString()).toBe('partial');
    expect(sink.rejected[0]?.reason).toBe('truncated');

    const d = await open();
    const sink2 = enqueue('n');
    await d.write(getNext());
    await d.read();
    await d.write('POST /2018-06-01/runtime/invocation/n/response HTTP/1.1\r\nContent-Length: 100\r\n\r\nonly-this');
    await new Promise((r) => setTimeout(r, 30));
    d.end();
    await d.waitClosed();
    await new Promise((r) => setTimeout(r, 50));
    const y = api.recording().exchanges.find((e) => e.requestId === 'n' && e.kind === 'response')!;
    expect(y.fault?.kind).toBe('closed-mid-body');
    expect(sink2.rejected[0]?.reason).toBe('truncated');
  });
});

describe('injected faults', () => {
  it('overrides and omits /next headers and puts the deadline in the past', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    const before = Date.now();
    enqueue('r1', '{}', {
      faults: {
        nextHeaders: { 'Lambda-Runtime-Trace-Id': null, 'Lambda-Runtime-Invoked-Function-Arn': 'odd', 'X-Extra': '1' },
        deadlineOffsetMs: -1000,
      },
    });
    await c.write(getNext());
    const res = await c.read();
    expect(res.headers['lambda-runtime-trace-id']).toBeUndefined();
    expect(res.headers['lambda-runtime-invoked-function-arn']).toBe('odd');
    expect(res.headers['x-extra']).toBe('1');
    expect(Number(res.headers['lambda-runtime-deadline-ms'])).toBeLessThan(before);
  });

  it('delays /next', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    enqueue('r1', '{}', { faults: { delayNextMs: 300 } });
    await c.write(getNext());
    expect(await c.hasResponseWithin(150)).toBe(false);
    expect((await c.read()).status).toBe(200);
  });

  it('answers /next with a chosen status once, then hands the event out on the next poll', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    enqueue('r1', '{}', { faults: { nextStatus: 500 } });
    await c.write(getNext());
    expect((await c.read()).status).toBe(500);
    await c.write(getNext());
    expect((await c.read()).headers['lambda-runtime-aws-request-id']).toBe('r1');
  });

  it('answers /response with a chosen status', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    const sink = enqueue('r1', '{}', { faults: { responseStatus: 500 } });
    await c.write(getNext());
    await c.read();
    await c.write(postTo('invocation/r1/response', 'x'));
    expect((await c.read()).status).toBe(500);
    expect(sink.completed).toHaveLength(0);
  });

  it('resets the connection on /next and on /response, recording the injection', async () => {
    const { api, open, enqueue } = await setup();
    const c = await open();
    enqueue('r1', '{}', { faults: { reset: 'next' } });
    await c.write(getNext());
    await c.waitClosed();
    const d = await open();
    await d.write(getNext());
    expect((await d.read()).headers['lambda-runtime-aws-request-id']).toBe('r1');

    const e = await open();
    enqueue('r2', '{}', { faults: { reset: 'response' } });
    await e.write(postTo('invocation/r1/response', 'ok'));
    expect((await e.read()).status).toBe(202);
    await e.write(getNext());
    await e.read();
    await e.write(postTo('invocation/r2/response', 'ok'));
    await e.waitClosed();
    const injected = api
      .recording()
      .exchanges.filter((x) => x.injected === 'reset')
      .map((x) => x.kind);
    expect(injected).toEqual(['next', 'response']);
  });
});

describe('recording', () => {
  it('keeps header case and order, serialises bodies as base64 with a UTF-8 preview, and can be switched off', async () => {
    const { api, open, enqueue } = await setup();
    const c = await open();
    enqueue('r1');
    await c.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nX-ZZ: 1\r\nuser-AGENT: t\r\n\r\n');
    await c.read();
    await c.write(postTo('invocation/r1/response', Buffer.from([0xff, 0x00])));
    await c.read();
    const json = recordingToJson(api.recording());
    expect(json.format).toBe('lambdaspec.recording/v1');
    expect(json.exchanges[0]!.request.headers).toEqual([
      { name: 'X-ZZ', value: '1' },
      { name: 'user-AGENT', value: 't' },
    ]);
    expect(json.exchanges[0]!.response!.body.utf8).toBe('{"probe":"echo"}');
    expect(json.exchanges[1]!.request.body).toEqual({ size: 2, base64: '/wA=' });
    expect(json.connections).toHaveLength(1);

    const off = await setup(false);
    const d = await off.open();
    const sink = off.enqueue('r1');
    await d.write(getNext());
    await d.read();
    await d.write(postTo('invocation/r1/response', 'x'));
    await d.read();
    expect(sink.completed[0]!.body.toString()).toBe('x');
    expect(off.api.recording().exchanges).toHaveLength(0);
  });

  it('answers pipelined requests in order', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    enqueue('r1');
    await c.write(getNext() + postTo('invocation/r1/response', 'a').toString() + postTo('invocation/zz/response', 'b').toString());
    expect((await c.read()).status).toBe(200);
    expect((await c.read()).status).toBe(202);
    expect((await c.read()).status).toBe(400);
  });

  it('sends 100 Continue to a client that expects it', async () => {
    const { open, enqueue } = await setup();
    const c = await open();
    const sink = enqueue('r1');
    await c.write(getNext());
    await c.read();
    await c.write('POST /2018-06-01/runtime/invocation/r1/response HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n');
    expect(await c.hasResponseWithin(500)).toBe(true);
    await c.write('{}');
    expect((await c.read()).status).toBe(202);
    expect(sink.completed).toHaveLength(1);
  });
});
