import { request as httpRequest, Agent, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { InvokeCommand, InvokeWithResponseStreamCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testFunctionConfig } from '../testing/test-config.ts';
import type { ExecutionEnvironment, InvocationInput, InvokeOptions } from '../environment/execution-environment.ts';
import type { FunctionConfig, InvocationResult, LogLine, ProcessRecord } from '../model/invocation.ts';
import type { Recording } from '../model/recording.ts';
import { EventStreamDecoder, type DecodedStreamEvent } from './event-stream.ts';
import { InvokeFront, MAX_REQUEST_PAYLOAD_BYTES, parseFunctionName } from './front.ts';
import { endLine, reportLine, startLine } from '../environment/platform-log.ts';

// ---------------------------------------------------------------------------------------------------------------
// A scripted ExecutionEnvironment: each test decides what invoke() does, including when chunks are delivered.

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}

function deferred<T = void>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const CONFIG: FunctionConfig = testFunctionConfig({ architecture: 'x86_64' });

type Script = (input: InvocationInput, options: InvokeOptions) => Promise<InvocationResult>;

class FakeEnvironment implements ExecutionEnvironment {
  readonly config: FunctionConfig;
  readonly calls: Array<{ input: InvocationInput; options: InvokeOptions }> = [];
  script: Script = async (input) => makeResult(input, {});

  constructor(config: Partial<FunctionConfig> = {}) {
    this.config = { ...CONFIG, ...config };
  }
  async init(): Promise<ProcessRecord> {
    return { startedAt: 0 };
  }
  invoke(input: InvocationInput, options?: InvokeOptions): Promise<InvocationResult> {
    this.calls.push({ input, options: options ?? {} });
    return this.script(input, options ?? {});
  }
  recording(): Recording {
    return { startedAt: 0, exchanges: [], connections: [] };
  }
  logs(): LogLine[] {
    return [];
  }
  processes(): ProcessRecord[] {
    return [];
  }
  async close(): Promise<void> {}
}

const REPORT = { durationMs: 1.23, billedDurationMs: 2, memorySizeMb: 128, maxMemoryUsedMb: 30 };

function makeResult(input: InvocationInput, over: Partial<InvocationResult>): InvocationResult {
  const requestId = input.requestId ?? 'no-id';
  const log = (text: string, stream: LogLine['stream'] = 'platform'): LogLine => ({ at: 0, stream, text });
  return {
    requestId,
    outcome: { kind: 'response', streamed: false, chunks: [] },
    payload: Buffer.from('{"ok":true}'),
    logs: [
      log(startLine(requestId, '$LATEST')),
      log('handler says hi', 'stdout'),
      log(endLine(requestId)),
      log(reportLine(requestId, REPORT)),
    ],
    report: REPORT,
    coldStart: false,
    timings: { receivedAt: Date.now(), done: 1 },
    ...over,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Plain HTTP client helpers (keep-alive agent, so connection reuse is exercised too).

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let agent: Agent;
let front: InvokeFront;
let env: FakeEnvironment;
let port: number;

function send(path: string, opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: opts.method ?? 'POST', headers: opts.headers ?? {}, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body ?? '');
  });
}

const invokePath = (name = 'probe', query = ''): string => `/2015-03-31/functions/${name}/invocations${query}`;
const streamPath = (name = 'probe'): string => `/2021-11-15/functions/${name}/response-streaming-invocations`;

function json(reply: Reply): unknown {
  return JSON.parse(reply.body.toString('utf8'));
}

function decodeTail(header: string | string[] | undefined): string {
  expect(typeof header).toBe('string');
  return Buffer.from(header as string, 'base64').toString('utf8');
}

/** Open a streaming invocation; events are pushed to `events` as they are decoded, `done` resolves at the end. */
function openStream(headers: Record<string, string> = {}, body = '{}') {
  const events: DecodedStreamEvent[] = [];
  const decoder = new EventStreamDecoder();
  const response = deferred<IncomingMessage>();
  const done = deferred<void>();
  const listeners: Array<() => void> = [];
  const req = httpRequest({ host: '127.0.0.1', port, path: streamPath(), method: 'POST', headers, agent }, (res) => {
    response.resolve(res);
    res.on('data', (d: Buffer) => {
      events.push(...decoder.feed(d));
      for (const l of listeners) l();
    });
    res.on('end', () => {
      decoder.end();
      done.resolve();
    });
  });
  req.end(body);
  /** Resolves once at least `n` events have been decoded. */
  const eventCount = (n: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (events.length >= n) resolve();
      };
      listeners.push(check);
      check();
    });
  return { events, response: response.promise, done: done.promise, eventCount };
}

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

beforeEach(async () => {
  agent = new Agent({ keepAlive: true, maxSockets: 4 });
  env = new FakeEnvironment();
  const environments = new Map<string, ExecutionEnvironment>([['probe', env]]);
  front = new InvokeFront({ resolve: (name) => environments.get(name) });
  ({ port } = await front.start());
});

afterEach(async () => {
  agent.destroy();
  await front.close();
});

// ---------------------------------------------------------------------------------------------------------------

describe('parseFunctionName', () => {
  it('accepts names, qualified names, partial and full ARNs', () => {
    expect(parseFunctionName('probe')).toEqual({ name: 'probe' });
    expect(parseFunctionName('probe:prod')).toEqual({ name: 'probe', qualifier: 'prod' });
    expect(parseFunctionName('123456789012:function:probe')).toEqual({ name: 'probe', arn: '123456789012:function:probe' });
    expect(parseFunctionName('arn:aws:lambda:us-east-1:123456789012:function:probe:7')).toEqual({
      name: 'probe',
      qualifier: '7',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:probe:7',
    });
  });

  it('rejects malformed identifiers', () => {
    expect(parseFunctionName('')).toBeUndefined();
    expect(parseFunctionName('a:b:c')).toBeUndefined();
    expect(parseFunctionName('probe:')).toBeUndefined();
    expect(parseFunctionName('arn:aws:s3:::bucket')).toBeUndefined();
    expect(parseFunctionName('bad name')).toBeUndefined();
  });
});

describe('Invoke (RequestResponse)', () => {
  it('200 with the payload, executed version, request id, JSON content type, no function error', async () => {
    const reply = await send(invokePath(), { body: '{"probe":"echo"}' });
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('{"ok":true}');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['x-amz-executed-version']).toBe('$LATEST');
    expect(reply.headers['x-amz-function-error']).toBeUndefined();
    expect(reply.headers['x-amz-log-result']).toBeUndefined();
    expect(env.calls).toHaveLength(1);
    const input = env.calls[0]!.input;
    expect(reply.headers['x-amzn-requestid']).toBe(input.requestId);
    expect(input.payload.toString()).toBe('{"probe":"echo"}');
    expect(input.clientContext).toBeUndefined();
    expect(input.invokedFunctionArn).toBeUndefined();
  });

  it('passes the runtime content type through', async () => {
    env.script = async (input) =>
      makeResult(input, {
        outcome: { kind: 'response', streamed: false, contentType: 'text/plain', chunks: [] },
        payload: Buffer.from('hi'),
      });
    const reply = await send(invokePath());
    expect(reply.headers['content-type']).toBe('text/plain');
    expect(reply.body.toString()).toBe('hi');
  });

  it('function error: still 200, X-Amz-Function-Error: Unhandled, the error document as body', async () => {
    const doc = '{"errorMessage":"boom","errorType":"Function.Boom"}';
    env.script = async (input) =>
      makeResult(input, { outcome: { kind: 'function-error' }, payload: Buffer.from(doc), functionError: 'Unhandled' });
    const reply = await send(invokePath());
    expect(reply.status).toBe(200);
    expect(reply.headers['x-amz-function-error']).toBe('Unhandled');
    expect(reply.body.toString()).toBe(doc);
  });

  it('X-Amz-Log-Type: Tail returns the base64 log, START … REPORT', async () => {
    const reply = await send(invokePath(), { headers: { 'X-Amz-Log-Type': 'Tail' } });
    const id = env.calls[0]!.input.requestId!;
    expect(decodeTail(reply.headers['x-amz-log-result'])).toBe(
      `${startLine(id, '$LATEST')}\nhandler says hi\n${endLine(id)}\n${reportLine(id, REPORT)}\n`,
    );
  });

  it('reports the environment version as the executed version', async () => {
    const v7 = new FakeEnvironment({ functionName: 'pinned', version: '7' });
    const other = new InvokeFront({ resolve: (n) => (n === 'pinned' ? v7 : undefined) });
    const started = await other.start();
    try {
      const saved = port;
      port = started.port;
      const reply = await send(invokePath('pinned', '?Qualifier=7'));
      port = saved;
      expect(reply.status).toBe(200);
      expect(reply.headers['x-amz-executed-version']).toBe('7');
      expect(v7.calls[0]!.input.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:pinned:7');
    } finally {
      await other.close();
    }
  });

  it('accepts an empty body and delivers it as {} (Lambda; aws/aws-lambda-dotnet#834)', async () => {
    const reply = await send(invokePath());
    expect(reply.status).toBe(200);
    expect(env.calls[0]!.input.payload.toString()).toBe('{}');
    const stream = openStream({}, '');
    await stream.done;
    expect(env.calls[1]!.input.payload.toString()).toBe('{}');
  });

  it('a streamed response that ended in error trailers is a function error: X-Amz-Function-Error and the error document', async () => {
    env.script = async (input, options) => {
      options.onChunk?.(Buffer.from('partial'));
      return makeResult(input, {
        payload: Buffer.from('partial'),
        outcome: {
          kind: 'response',
          streamed: true,
          contentType: 'text/plain',
          chunks: [],
          streamError: { errorType: 'Function.Broken', errorBody: '{"errorType":"Function.Broken","errorMessage":"mid"}' },
        },
      });
    };
    const reply = await send(invokePath());
    expect(reply.status).toBe(200);
    expect(reply.headers['x-amz-function-error']).toBe('Unhandled');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(json(reply)).toEqual({ errorType: 'Function.Broken', errorMessage: 'mid' });
    // An error body that is not a JSON object is wrapped with the trailer's error type.
    env.script = async (input) =>
      makeResult(input, {
        payload: Buffer.from('p'),
        outcome: { kind: 'response', streamed: true, chunks: [], streamError: { errorType: 'X.Y', errorBody: 'plain words' } },
      });
    expect(json(await send(invokePath()))).toEqual({ errorType: 'X.Y', errorMessage: 'plain words' });
  });

  it('decodes X-Amz-Client-Context and passes X-Amz-Tenant-Id', async () => {
    const context = '{"custom":{"k":"v"},"env":{}}';
    const reply = await send(invokePath(), {
      headers: { 'X-Amz-Client-Context': Buffer.from(context).toString('base64'), 'X-Amz-Tenant-Id': 'tenant-1' },
    });
    expect(reply.status).toBe(200);
    expect(env.calls[0]!.input.clientContext).toBe(context);
    expect(env.calls[0]!.input.tenantId).toBe('tenant-1');
  });

  it('500 ServiceException when the environment rejects, and the server keeps serving', async () => {
    env.script = async () => {
      throw new Error('harness bug');
    };
    const reply = await send(invokePath());
    expect(reply.status).toBe(500);
    expect(reply.headers['x-amzn-errortype']).toBe('ServiceException');
    expect(json(reply)).toMatchObject({ Type: 'Service', Message: expect.stringContaining('harness bug') });
    env.script = async (input) => makeResult(input, {});
    expect((await send(invokePath())).status).toBe(200);
  });
});

describe('Invoke: other invocation types', () => {
  it('Event: 202 at once, invocation runs in the background, close() waits for it', async () => {
    const release = deferred();
    let finished = false;
    env.script = async (input) => {
      await release.promise;
      finished = true;
      return makeResult(input, {});
    };
    const reply = await send(invokePath(), { headers: { 'X-Amz-Invocation-Type': 'Event' }, body: '{"a":1}' });
    expect(reply.status).toBe(202);
    expect(reply.body.length).toBe(0);
    expect(reply.headers['x-amzn-requestid']).toBe(env.calls[0]!.input.requestId);
    expect(finished).toBe(false);
    agent.destroy();
    let closed = false;
    const closing = front.close().then(() => {
      closed = true;
    });
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    release.resolve();
    await closing;
    expect(finished).toBe(true);
  });

  it('Event: a failing background invocation does not crash the server', async () => {
    env.script = async () => {
      throw new Error('async failure');
    };
    expect((await send(invokePath(), { headers: { 'X-Amz-Invocation-Type': 'Event' } })).status).toBe(202);
    env.script = async (input) => makeResult(input, {});
    expect((await send(invokePath())).status).toBe(200);
  });

  it('DryRun: 204 and no invocation', async () => {
    const reply = await send(invokePath(), { headers: { 'X-Amz-Invocation-Type': 'DryRun' } });
    expect(reply.status).toBe(204);
    expect(env.calls).toHaveLength(0);
  });

  it('unknown invocation type: 400 InvalidParameterValueException', async () => {
    const reply = await send(invokePath(), { headers: { 'X-Amz-Invocation-Type': 'Sometimes' } });
    expect(reply.status).toBe(400);
    expect(reply.headers['x-amzn-errortype']).toBe('InvalidParameterValueException');
    expect(env.calls).toHaveLength(0);
  });
});

describe('Invoke: request errors', () => {
  it('404 ResourceNotFoundException for an unknown function', async () => {
    const reply = await send(invokePath('nope'));
    expect(reply.status).toBe(404);
    expect(reply.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    // Lambda names the function by ARN even when called by bare name.
    expect(json(reply)).toEqual({ Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope' });
    expect(json(await send(invokePath('nope', '?Qualifier=live')))).toEqual({
      Type: 'User',
      Message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope:live',
    });
    expect(json(await send('/2015-03-31/functions/nope/configuration', { method: 'GET' }))).toEqual({
      Type: 'User',
      Message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope',
    });
  });

  it('an unknown ARN is echoed; a known ARN resolves by name', async () => {
    const unknownArn = 'arn:aws:lambda:us-east-1:123456789012:function:nope';
    const notFound = await send(invokePath(encodeURIComponent(unknownArn)));
    expect(json(notFound)).toEqual({ Type: 'User', Message: `Function not found: ${unknownArn}` });
    const partial = await send(invokePath(encodeURIComponent('210987654321:function:nope')));
    expect(json(partial)).toEqual({ Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:210987654321:function:nope' });
    const found = await send(invokePath(encodeURIComponent('arn:aws:lambda:us-east-1:123456789012:function:probe')));
    expect(found.status).toBe(200);
  });

  it('404 for a qualifier naming another version; 400 when path and query qualifiers disagree', async () => {
    const wrong = await send(invokePath('probe', '?Qualifier=prod'));
    expect(wrong.status).toBe(404);
    expect(json(wrong)).toEqual({ Type: 'User', Message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:probe:prod' });
    const latest = await send(invokePath('probe%3A%24LATEST'));
    expect(latest.status).toBe(200);
    expect(env.calls[0]!.input.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:probe:$LATEST');
    const conflict = await send(invokePath('probe%3A%24LATEST', '?Qualifier=1'));
    expect(conflict.status).toBe(400);
    expect(conflict.headers['x-amzn-errortype']).toBe('InvalidParameterValueException');
  });

  it(`413 at ${MAX_REQUEST_PAYLOAD_BYTES + 1} bytes, 200 at exactly ${MAX_REQUEST_PAYLOAD_BYTES}`, async () => {
    // A JSON string literal of exactly the limit: quotes + filler.
    const atLimit = `"${'a'.repeat(MAX_REQUEST_PAYLOAD_BYTES - 2)}"`;
    const over = `"${'a'.repeat(MAX_REQUEST_PAYLOAD_BYTES - 1)}"`;
    expect(Buffer.byteLength(atLimit)).toBe(6_291_456);
    const tooLarge = await send(invokePath(), { body: over });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    expect(json(tooLarge)).toEqual({ Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation' });
    expect(env.calls).toHaveLength(0);
    // The oversized body was drained, so the same keep-alive connection serves the next request.
    const ok = await send(invokePath(), { body: atLimit });
    expect(ok.status).toBe(200);
    expect(env.calls[0]!.input.payload.length).toBe(MAX_REQUEST_PAYLOAD_BYTES);
  });

  it('400 InvalidRequestContentException for a body that is not JSON', async () => {
    const prefix = 'Could not parse request body into json: Could not parse payload into json: ';
    for (const [body, reason] of [
      ['not json', "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"],
      ['{"a":', 'Unexpected end-of-input'],
      ['[1,]', "Unexpected character (']' (code 93))"],
      [Buffer.from([0x22, 0xff, 0x22]), 'Invalid UTF-8 start byte 0xff'],
    ] as const) {
      const reply = await send(invokePath(), { body });
      expect(reply.status).toBe(400);
      expect(reply.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
      // Lambda's wording (its parser is Jackson), never JavaScript's ("is not valid JSON", "in JSON at position").
      expect(json(reply)).toEqual({ Type: 'User', Message: `${prefix}${reason}` });
    }
    expect(env.calls).toHaveLength(0);
  });

  it('400 for a client context that is not base64 of a JSON object', async () => {
    for (const value of ['%%%not-base64', Buffer.from('not json').toString('base64'), Buffer.from('[1,2]').toString('base64')]) {
      const reply = await send(invokePath(), { headers: { 'X-Amz-Client-Context': value } });
      expect(reply.status).toBe(400);
      expect(reply.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
      expect(json(reply)).toEqual({ Type: 'User', Message: 'Client context must be a valid Base64-encoded JSON object.' });
    }
    expect(env.calls).toHaveLength(0);
  });

  it('404 UnknownOperationException for any other route or method', async () => {
    for (const [method, path] of [
      ['GET', invokePath()],
      ['DELETE', '/2015-03-31/functions/probe/configuration'],
      ['POST', '/2015-03-31/functions/probe'],
      ['GET', '/'],
    ] as const) {
      const reply = await send(path, { method });
      expect(reply.status).toBe(404);
      expect(reply.headers['x-amzn-errortype']).toBe('UnknownOperationException');
      expect(json(reply)).toMatchObject({ Type: 'User' });
    }
  });
});

describe('InvokeWithResponseStream', () => {
  it('flushes headers at once and writes each chunk as it arrives', async () => {
    const firstGate = deferred();
    const secondGate = deferred();
    env.script = async (input, options) => {
      await firstGate.promise;
      options.onResponseStart?.({ streamed: true, contentType: 'text/plain' });
      options.onChunk?.(Buffer.from('one '));
      await secondGate.promise;
      options.onChunk?.(Buffer.from('two'));
      return makeResult(input, { outcome: { kind: 'response', streamed: true, chunks: [] }, payload: Buffer.from('one two') });
    };
    const stream = openStream();
    // The 200 arrives before the function has produced anything.
    const res = await stream.response;
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.amazon.eventstream');
    expect(res.headers['x-amz-executed-version']).toBe('$LATEST');
    expect(res.headers['x-amz-function-error']).toBeUndefined();
    expect(stream.events).toHaveLength(0);
    firstGate.resolve();
    // The first chunk reaches the client while the function still holds the second one.
    await stream.eventCount(1);
    expect(stream.events.map((e) => e.type)).toEqual(['PayloadChunk']);
    expect(text(stream.events[0]!.payload)).toBe('one ');
    secondGate.resolve();
    await stream.done;
    expect(stream.events.map((e) => e.type)).toEqual(['PayloadChunk', 'PayloadChunk', 'InvokeComplete']);
    expect(text(stream.events[1]!.payload)).toBe('two');
    expect(stream.events[0]!.headers[':content-type']).toBe('application/octet-stream');
    expect(JSON.parse(text(stream.events[2]!.payload))).toEqual({});
    expect(res.headers['x-amzn-requestid']).toBe(env.calls[0]!.input.requestId);
  });

  it('mid-stream error: InvokeComplete carries the trailer error type and body', async () => {
    env.script = async (input, options) => {
      options.onChunk?.(Buffer.from('partial'));
      return makeResult(input, {
        outcome: {
          kind: 'response',
          streamed: true,
          chunks: [],
          streamError: { errorType: 'Function.Broken', errorBody: '{"errorMessage":"mid"}' },
        },
      });
    };
    const stream = openStream();
    await stream.done;
    expect(stream.events.map((e) => e.type)).toEqual(['PayloadChunk', 'InvokeComplete']);
    expect(JSON.parse(text(stream.events[1]!.payload))).toEqual({ ErrorCode: 'Function.Broken', ErrorDetails: '{"errorMessage":"mid"}' });
  });

  it('function error: ErrorCode from the document, else the header, else Unhandled; LogResult with Tail', async () => {
    const cases: Array<{ payload: string; header?: string; code: string }> = [
      { payload: '{"errorType":"Handler.Failed","errorMessage":"x"}', header: 'Ignored.Header', code: 'Handler.Failed' },
      { payload: 'plain text', header: 'Header.Type', code: 'Header.Type' },
      { payload: '{"errorMessage":"no type"}', code: 'Unhandled' },
    ];
    for (const c of cases) {
      env.script = async (input) =>
        makeResult(input, {
          outcome: { kind: 'function-error', ...(c.header ? { errorTypeHeader: c.header } : {}) },
          payload: Buffer.from(c.payload),
          functionError: 'Unhandled',
        });
      const stream = openStream({ 'X-Amz-Log-Type': 'Tail' });
      const res = await stream.response;
      await stream.done;
      expect(res.headers['x-amz-function-error']).toBeUndefined();
      expect(stream.events.map((e) => e.type)).toEqual(['InvokeComplete']);
      const complete = JSON.parse(text(stream.events[0]!.payload)) as Record<string, string>;
      expect(complete['ErrorCode']).toBe(c.code);
      expect(complete['ErrorDetails']).toBe(c.payload);
      const log = decodeTail(complete['LogResult']);
      expect(log.startsWith('START RequestId: ')).toBe(true);
      expect(log).toContain('\nREPORT RequestId: ');
    }
  });

  it('platform error: ErrorCode is the platform error type, ErrorDetails the payload', async () => {
    const doc = '{"errorMessage":"RequestId: x Error: Task timed out after 3.00 seconds","errorType":"Sandbox.Timedout"}';
    env.script = async (input, options) => {
      options.onChunk?.(Buffer.from('before the timeout'));
      return makeResult(input, {
        outcome: { kind: 'platform-error', error: { errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 3.00 seconds' } },
        payload: Buffer.from(doc),
        functionError: 'Unhandled',
      });
    };
    const stream = openStream();
    await stream.done;
    expect(stream.events.map((e) => e.type)).toEqual(['PayloadChunk', 'InvokeComplete']);
    expect(JSON.parse(text(stream.events[1]!.payload))).toEqual({ ErrorCode: 'Sandbox.Timedout', ErrorDetails: doc });
  });

  it('an environment failure after the 200 becomes an error message, not a crash', async () => {
    env.script = async () => {
      throw new Error('harness bug');
    };
    const stream = openStream();
    await stream.done;
    expect(stream.events).toHaveLength(1);
    expect(stream.events[0]!.type).toBe('error');
    expect(stream.events[0]!.headers[':error-code']).toBe('ServiceException');
    expect(stream.events[0]!.headers[':error-message']).toContain('harness bug');
  });

  it('a client that disconnects mid-stream does not stop the invocation or break the server', async () => {
    const gate = deferred();
    const finished = deferred<boolean>();
    env.script = async (input, options) => {
      options.onChunk?.(Buffer.from('first'));
      await gate.promise;
      options.onChunk?.(Buffer.from('after the client left'));
      const result = makeResult(input, {});
      finished.resolve(true);
      return result;
    };
    const stream = openStream();
    const res = await stream.response;
    await stream.eventCount(1);
    const gone = new Promise<void>((resolve) => res.socket.once('close', () => resolve()));
    res.destroy();
    await gone;
    gate.resolve();
    expect(await finished.promise).toBe(true);
    env.script = async (input) => makeResult(input, {});
    expect((await send(invokePath())).status).toBe(200);
  });

  it('validates like Invoke: Event 400, DryRun 204, 404, bad JSON 400, 413', async () => {
    const event = await send(streamPath(), { headers: { 'X-Amz-Invocation-Type': 'Event' } });
    expect(event.status).toBe(400);
    expect(event.headers['x-amzn-errortype']).toBe('InvalidParameterValueException');
    expect((await send(streamPath(), { headers: { 'X-Amz-Invocation-Type': 'DryRun' } })).status).toBe(204);
    const missing = await send('/2021-11-15/functions/nope/response-streaming-invocations');
    expect(missing.status).toBe(404);
    expect(missing.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect((await send(streamPath(), { body: '{' })).status).toBe(400);
    const big = await send(streamPath(), { body: Buffer.alloc(MAX_REQUEST_PAYLOAD_BYTES + 1, 0x20) });
    expect(big.status).toBe(413);
    expect(big.headers['x-amzn-errortype']).toBe('RequestEntityTooLargeException');
    expect(env.calls).toHaveLength(0);
  });
});

describe('InvokeFront lifecycle', () => {
  it('close() also closes idle keep-alive connections', async () => {
    const reply = await send(invokePath());
    expect(reply.headers['connection']).toBe('keep-alive');
    const sockets = Object.values(agent.freeSockets).flat();
    expect(sockets).toHaveLength(1);
    const socketClosed = new Promise<void>((resolve) => sockets[0]!.once('close', () => resolve()));
    await front.close();
    await socketClosed;
  });

  it('close() is idempotent and the port is released', async () => {
    await front.close();
    await front.close();
    await expect(send(invokePath())).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('AWS SDK round trips (@aws-sdk/client-lambda)', () => {
  let client: LambdaClient;

  beforeEach(() => {
    client = new LambdaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
      // A 5xx must surface once, not be retried with backoff.
      maxAttempts: 1,
    });
  });

  afterEach(() => {
    client.destroy();
  });

  it('InvokeCommand: Payload, StatusCode, ExecutedVersion, LogResult; ClientContext reaches the function', async () => {
    const context = '{"custom":{"from":"sdk"}}';
    const out = await client.send(
      new InvokeCommand({
        FunctionName: 'probe',
        Payload: Buffer.from('{"probe":"echo"}'),
        LogType: 'Tail',
        ClientContext: Buffer.from(context).toString('base64'),
      }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(out.FunctionError).toBeUndefined();
    expect(text(out.Payload!)).toBe('{"ok":true}');
    const input = env.calls[0]!.input;
    expect(out.$metadata.requestId).toBe(input.requestId);
    expect(input.payload.toString()).toBe('{"probe":"echo"}');
    expect(input.clientContext).toBe(context);
    const log = decodeTail(out.LogResult);
    expect(log.startsWith(`START RequestId: ${input.requestId} Version: $LATEST\n`)).toBe(true);
    expect(log.endsWith(`${reportLine(input.requestId!, REPORT)}\n`)).toBe(true);
  });

  it('InvokeCommand: a function error is a 200 with FunctionError set', async () => {
    env.script = async (input) =>
      makeResult(input, {
        outcome: { kind: 'function-error' },
        payload: Buffer.from('{"errorType":"Function.Boom","errorMessage":"boom"}'),
        functionError: 'Unhandled',
      });
    const out = await client.send(new InvokeCommand({ FunctionName: 'probe', Payload: Buffer.from('{}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(out.Payload!))).toEqual({ errorType: 'Function.Boom', errorMessage: 'boom' });
  });

  it('InvokeCommand: Event → 202, DryRun → 204', async () => {
    const event = await client.send(new InvokeCommand({ FunctionName: 'probe', InvocationType: 'Event', Payload: Buffer.from('{}') }));
    expect(event.StatusCode).toBe(202);
    const dry = await client.send(new InvokeCommand({ FunctionName: 'probe', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    expect(env.calls).toHaveLength(1);
  });

  it('InvokeCommand: unknown function → ResourceNotFoundException', async () => {
    const err = await client.send(new InvokeCommand({ FunctionName: 'nope' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('InvokeCommand: oversized payload → RequestEntityTooLargeException (413)', async () => {
    const err = await client
      .send(new InvokeCommand({ FunctionName: 'probe', Payload: Buffer.alloc(MAX_REQUEST_PAYLOAD_BYTES + 1, 0x20) }))
      .catch((e: unknown) => e);
    expect(err).toMatchObject({
      name: 'RequestEntityTooLargeException',
      message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
      $metadata: { httpStatusCode: 413 },
    });
    expect(env.calls).toHaveLength(0);
  });

  it('InvokeWithResponseStreamCommand: PayloadChunk events then InvokeComplete with error fields and LogResult', async () => {
    env.script = async (input, options) => {
      options.onChunk?.(Buffer.from('chunk-1 '));
      options.onChunk?.(Buffer.from('chunk-2'));
      return makeResult(input, {
        outcome: {
          kind: 'response',
          streamed: true,
          chunks: [],
          streamError: { errorType: 'Function.MidStream', errorBody: '{"errorMessage":"late"}' },
        },
      });
    };
    const out = await client.send(
      new InvokeWithResponseStreamCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:123456789012:function:probe',
        Payload: Buffer.from('{}'),
        LogType: 'Tail',
      }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe('$LATEST');
    expect(out.ResponseStreamContentType).toBe('application/vnd.amazon.eventstream');
    const chunks: string[] = [];
    const completes: Array<{ ErrorCode?: string; ErrorDetails?: string; LogResult?: string }> = [];
    for await (const event of out.EventStream!) {
      if (event.PayloadChunk?.Payload) chunks.push(text(event.PayloadChunk.Payload));
      if (event.InvokeComplete) completes.push(event.InvokeComplete);
    }
    expect(chunks).toEqual(['chunk-1 ', 'chunk-2']);
    expect(completes).toHaveLength(1);
    expect(completes[0]!.ErrorCode).toBe('Function.MidStream');
    expect(completes[0]!.ErrorDetails).toBe('{"errorMessage":"late"}');
    expect(decodeTail(completes[0]!.LogResult)).toContain('END RequestId: ');
  });

  it('InvokeWithResponseStreamCommand: a successful stream completes without error fields', async () => {
    env.script = async (input, options) => {
      options.onChunk?.(Buffer.from('{"ok":true}'));
      return makeResult(input, {});
    };
    const out = await client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'probe', Payload: Buffer.from('{}') }));
    const seen: string[] = [];
    for await (const event of out.EventStream!) {
      if (event.PayloadChunk?.Payload) seen.push(`chunk:${text(event.PayloadChunk.Payload)}`);
      if (event.InvokeComplete) seen.push(`complete:${JSON.stringify(event.InvokeComplete)}`);
    }
    expect(seen).toEqual(['chunk:{"ok":true}', 'complete:{}']);
  });
});
