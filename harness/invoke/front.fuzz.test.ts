/**
 * Property-based tests of the Invoke front over real sockets, in the style of the Runtime API's
 * (fake-runtime-api/server.fuzz.test.ts): each hostile input knows the answer it must get (HTTP's refusal of broken
 * framing or a request cut short, Lambda's error for a request it refuses), it never reaches the function,
 * and a well-behaved connection running beside it is served exactly. Seeded and sized by LAMBDASPEC_FUZZ_SEED /
 * LAMBDASPEC_FUZZ_RUNS (testing/fuzz/fuzz-config.ts); fast-check prints the seed and path of a failure.
 */
import net from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionEnvironment, InvocationInput } from '../environment/execution-environment.ts';
import type { InvocationResult } from '../model/invocation.ts';
import { fuzzParameters } from '../testing/fuzz/fuzz-config.ts';
import {
  FUZZ_FRONT_LIMITS,
  FUZZ_FUNCTION,
  frontSplitArb,
  goodInvokeArb,
  hostileInputArb,
  parseResponses,
  splitForWrites,
  type FrontFault,
  type GoodInvoke,
} from '../testing/fuzz/front-arbitraries.ts';
import { testFunctionConfig } from '../testing/test-config.ts';
import { InvokeFront } from './front.ts';

const FUZZ_TIMEOUT = 600_000;

/** An echoing function that remembers every payload it was invoked with. */
const invoked: Buffer[] = [];
const echo: Pick<ExecutionEnvironment, 'config' | 'invoke'> = {
  config: testFunctionConfig({ functionName: FUZZ_FUNCTION, architecture: 'x86_64' }),
  invoke: async (input: InvocationInput): Promise<InvocationResult> => {
    invoked.push(input.payload);
    return {
      requestId: input.requestId ?? 'id',
      outcome: { kind: 'response', streamed: false, chunks: [] },
      payload: input.payload,
      logs: [],
      report: { durationMs: 1, billedDurationMs: 1, memorySizeMb: 128, maxMemoryUsedMb: 1 },
      coldStart: false,
      timings: { receivedAt: Date.now(), done: 0 },
    };
  },
};

let front: InvokeFront;
let port: number;
let nextId = 0;
let cpuAtStart: NodeJS.CpuUsage;

beforeAll(async () => {
  cpuAtStart = process.cpuUsage();
  front = new InvokeFront({ resolve: (name) => (name === FUZZ_FUNCTION ? echo : undefined), limits: FUZZ_FRONT_LIMITS });
  ({ port } = await front.start());
});

afterAll(async () => {
  await front.close();
  const used = process.cpuUsage(cpuAtStart);
  console.log(`fuzz: Invoke front properties used ${((used.user + used.system) / 1e6).toFixed(1)} s of CPU (client and server)`);
});

interface Exchange {
  received: Buffer;
  /** Who closed first: the server (before our FIN was answered) or we did. */
  closedByServer: boolean;
}

/** Connect, write each piece as its own write, half-close, and collect everything until the server closes (≤ 10 s). */
async function exchange(pieces: readonly Buffer[], expected: FrontFault): Promise<Exchange> {
  const answered = expected.closes || expected.errorType !== undefined;
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  const parts: Buffer[] = [];
  let ended = false;
  let serverClosedFirst = false;
  socket.on('data', (d: Buffer) => parts.push(d));
  socket.on('end', () => {
    if (!ended) serverClosedFirst = true;
  });
  socket.on('error', () => undefined); // a server that closes first may reset our late writes
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  for (const piece of pieces) {
    if (socket.destroyed || socket.writableEnded || serverClosedFirst) break;
    await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
  }
  // Give the server a moment to answer and close on its own before we send FIN (a bounded wait).
  // (bounded: 2 s), and, when it must close, for its FIN too.
  for (
    let i = 0;
    i < 400 && answered && !serverClosedFirst && !socket.destroyed && (expected.closes || expectsMore(Buffer.concat(parts)));
    i++
  )
    await new Promise((r) => setTimeout(r, 5));
  ended = true;
  socket.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    closed,
    new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error('connection not closed within 10 s')), 10_000))),
  ]);
  clearTimeout(timer);
  return { received: Buffer.concat(parts), closedByServer: serverClosedFirst };
}

/** Until some answer has arrived complete, keep the connection open a little. */
function expectsMore(received: Buffer): boolean {
  return parseResponses(received).responses.length === 0;
}

function expectServed(got: Exchange, good: readonly GoodInvoke[]): void {
  const { responses, rest } = parseResponses(got.received);
  expect(rest).toBe(0);
  expect(responses.map((r) => r.status)).toEqual(good.map(() => 200));
  responses.forEach((r, i) => {
    expect(r.body.equals(good[i]!.payload)).toBe(true);
    expect(r.headers['x-amz-executed-version']).toBe('$LATEST');
  });
}

describe('Invoke front fuzz over sockets', () => {
  it(
    'serves generated Invoke pipelines exactly, whatever TCP writes carry them',
    async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            goodInvokeArb(() => nextId++),
            { minLength: 1, maxLength: 3 },
          ),
          frontSplitArb,
          async (good, split) => {
            invoked.length = 0;
            // Awaiting each answer before the next write is not needed: the front reads a pipeline in order.
            const got = await exchangeAll(Buffer.concat(good.map((g) => g.bytes)), split, good.length);
            expectServed(got, good);
            expect(invoked.map((b) => b.toString())).toEqual(good.map((g) => g.payload.toString()));
          },
        ),
        fuzzParameters('frontValid'),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'answers each hostile input as it must, never invokes for it, and serves the connection beside it exactly',
    async () => {
      const seen = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(
          hostileInputArb,
          frontSplitArb,
          goodInvokeArb(() => nextId++),
          frontSplitArb,
          async (hostile, hostileSplit, good, goodSplit) => {
            seen.set(hostile.kind, (seen.get(hostile.kind) ?? 0) + 1);
            invoked.length = 0;
            const [bad, fine] = await Promise.all([
              exchange(splitForWrites(hostile.bytes, hostileSplit), hostile.expect),
              exchangeAll(good.bytes, goodSplit, 1),
            ]);
            expectServed(fine, [good]);
            // Only the good connection's payload reached the function.
            expect(invoked.map((b) => b.toString())).toEqual([good.payload.toString()]);
            const { responses } = parseResponses(bad.received);
            expect(
              responses.map((r) => r.status),
              `${hostile.kind}: ${JSON.stringify(bad.received.toString('latin1').slice(0, 200))}`,
            ).toEqual([hostile.expect.status]);
            if (hostile.expect.errorType !== undefined) expect(responses[0]!.headers['x-amzn-errortype']).toBe(hostile.expect.errorType);
            if (hostile.expect.closes) expect(bad.closedByServer, `${hostile.kind} closed by the server`).toBe(true);
          },
        ),
        fuzzParameters('frontHostile'),
      );
      // Every kind of hostile input was tried (the corpus is not lopsided).
      expect([...seen.keys()].sort()).toEqual(
        [
          'bad-chunk',
          'bad-client-context',
          'bad-header',
          'bad-invocation-type',
          'bad-request-line',
          'body-too-large',
          'conflicting-framing',
          'head-too-large',
          'invalid-json',
          'truncated-body',
          'truncated-head',
          'unknown-function',
          'unknown-operation',
        ].filter((k) => seen.has(k) || fuzzParameters('frontHostile').numRuns >= 200),
      );
    },
    FUZZ_TIMEOUT,
  );
});

/** Send a pipeline and wait for `count` answers (bounded) before half-closing. */
async function exchangeAll(bytes: Buffer, split: readonly number[], count: number): Promise<Exchange> {
  const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => parts.push(d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  for (const piece of splitForWrites(bytes, split)) await new Promise<void>((resolve) => socket.write(piece, () => resolve()));
  for (let i = 0; i < 2_000 && parseResponses(Buffer.concat(parts)).responses.length < count && !socket.destroyed; i++)
    await new Promise((r) => setTimeout(r, 5));
  socket.end();
  await closed;
  return { received: Buffer.concat(parts), closedByServer: false };
}

describe('Invoke front resource bounds against hostile peers', () => {
  const own: InvokeFront[] = [];
  afterAll(async () => {
    for (const f of own) await f.close();
  });
  const start = async (limits: ConstructorParameters<typeof InvokeFront>[0]['limits']) => {
    const f = new InvokeFront({ resolve: (name) => (name === FUZZ_FUNCTION ? echo : undefined), limits });
    own.push(f);
    return (await f.start()).port;
  };
  const open = (p: number) =>
    new Promise<{ socket: net.Socket; received: () => string; closed: Promise<void> }>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: p }, () => resolve({ socket, received: () => out, closed }));
      let out = '';
      socket.on('data', (d: Buffer) => (out += d.toString('latin1')));
      socket.on('error', () => undefined);
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      socket.once('error', reject);
    });

  it('answers 408 and closes a connection whose head is not complete within headTimeoutMs', async () => {
    const p = await start({ headTimeoutMs: 200, requestTimeoutMs: 200 });
    const c = await open(p);
    c.socket.write(`POST /2015-03-31/functions/${FUZZ_FUNCTION}/invocations HTTP/1.1\r\nHost: x\r\nX-Slow: `);
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
  });

  it('answers 408 and closes a connection whose body does not arrive within requestTimeoutMs, without invoking', async () => {
    const p = await start({ headTimeoutMs: 200, requestTimeoutMs: 300 });
    invoked.length = 0;
    const c = await open(p);
    c.socket.write(`POST /2015-03-31/functions/${FUZZ_FUNCTION}/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{`);
    await c.closed;
    expect(c.received()).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(invoked).toEqual([]);
  });

  it('closes connections past maxConnections at once and serves again once one is gone', async () => {
    const p = await start({ maxConnections: 3 });
    const held = await Promise.all([open(p), open(p), open(p)]);
    const extra = await open(p);
    await extra.closed; // the server dropped it
    expect(extra.received()).toBe('');
    held[0]!.socket.destroy();
    await held[0]!.closed;
    // The server learns of the close asynchronously: retry a bounded number of times.
    let served = '';
    for (let i = 0; i < 50 && !served.startsWith('HTTP/1.1 200'); i++) {
      const c = await open(p);
      c.socket.end(`POST /2015-03-31/functions/${FUZZ_FUNCTION}/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}`);
      await c.closed;
      served = c.received();
      if (!served) await new Promise((r) => setTimeout(r, 20));
    }
    expect(served).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\n\{\}$/);
    for (const h of held.slice(1)) h.socket.destroy();
  });
});
