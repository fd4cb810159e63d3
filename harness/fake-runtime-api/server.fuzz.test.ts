/**
 * Property-based tests of `RuntimeApiServer` over real sockets: generated pipelines written in random TCP writes must
 * be recorded exactly; hostile and mutated inputs must be recorded as the reference parser reads them (completed
 * requests, then a framing fault answered 400), without disturbing a well-behaved connection running alongside.
 * Size and seed: LAMBDASPEC_FUZZ_RUNS / LAMBDASPEC_FUZZ_SEED (see fuzz/fuzz-config.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import { MAX_PENDING_REQUESTS, RuntimeApiServer } from './server.ts';
import type { Exchange } from '../model/recording.ts';
import {
  hostileCaseArb,
  intended,
  mutatedCaseArb,
  pipelineArb,
  requestArb,
  serializeBody,
  serializeHead,
  serializePipeline,
  splitArb,
  splitBytes,
  type GenRequest,
} from '../testing/fuzz/http-arbitraries.ts';
import { fuzzParameters } from '../testing/fuzz/fuzz-config.ts';
import { expectSame, normalRequest } from '../testing/fuzz/parser-harness.ts';
import { DEFAULT_PARSER_LIMITS, referenceParse, type NormalRequest, type OracleOutcome } from '../testing/fuzz/reference-parser.ts';
import { loadRegressions } from '../testing/fuzz/regressions.ts';

const FUZZ_TIMEOUT = 600_000;
let api: RuntimeApiServer;
let cpuAtStart: NodeJS.CpuUsage;
/** Exchanges already checked: each run looks only at the ones after. */
let seen = 0;

beforeAll(async () => {
  cpuAtStart = process.cpuUsage();
  const t0 = performance.now();
  api = new RuntimeApiServer({ clock: () => performance.now() - t0, startedAt: Date.now() });
  await api.listen();
});

afterAll(async () => {
  await api.close();
  const used = process.cpuUsage(cpuAtStart);
  console.log(`fuzz: socket properties used ${((used.user + used.system) / 1e6).toFixed(1)} s of CPU (client and server)`);
});

interface Client {
  socket: net.Socket;
  /** Our port, the server's `remotePort` for this connection (read at connect: gone after close). */
  port: number;
  closed: Promise<void>;
  received: () => Buffer;
}

async function connect(): Promise<Client> {
  const [host, port] = api.address.split(':');
  const socket = net.connect({ host: host!, port: Number(port), noDelay: true });
  const parts: Buffer[] = [];
  socket.on('data', (d: Buffer) => parts.push(d));
  socket.on('error', () => undefined); // a server that closes first may reset our late writes; the recording tells
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  return { socket, port: socket.localPort!, closed, received: () => Buffer.concat(parts) };
}

/** Write each piece as its own write (noDelay: its own segment, mostly), then FIN, then wait for the close. */
async function sendAndClose(client: Client, pieces: readonly Buffer[]): Promise<void> {
  for (const piece of pieces) {
    if (client.socket.destroyed || client.socket.writableEnded) break;
    await new Promise<void>((resolve) => client.socket.write(piece, () => resolve()));
  }
  client.socket.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    client.closed,
    new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error('connection not closed within 10 s')), 10_000))),
  ]);
  clearTimeout(timer);
}

/** This run's exchanges of the connection whose client port is `port`, in order. */
function exchangesFrom(port: number): Exchange[] {
  const rec = api.recording();
  const id = rec.connections.filter((c) => c.remotePort === port).at(-1)?.id;
  return rec.exchanges.slice(seen).filter((x) => x.connection === id);
}

/** The recording a connection must leave, per the oracle: one exchange per completed request, then the fault. */
function expectedExchanges(o: OracleOutcome): { request: NormalRequest; fault?: string; answered: boolean }[] {
  const out: { request: NormalRequest; fault?: string; answered: boolean }[] = o.completed.map((c) => ({
    request: c.request,
    answered: true,
  }));
  if (o.fault) {
    const synthetic: NormalRequest = {
      method: '',
      target: '',
      httpVersion: '',
      headers: [],
      body: '',
      chunked: false,
      chunks: [],
      trailers: [],
    };
    out.push({ request: o.fault.request ?? synthetic, fault: o.fault.kind, answered: true });
  }
  return out;
}

function actualExchanges(xs: Exchange[]): { request: NormalRequest; fault?: string; answered: boolean }[] {
  return xs.map((x) => ({
    request: normalRequest(x.request),
    ...(x.fault ? { fault: x.fault.kind } : {}),
    answered: x.response !== undefined,
  }));
}

/** A server closing the connection after a request (Connection: close, HTTP/1.0) may stop reading what follows. */
const allKeepAlive = (o: OracleOutcome) => o.completed.every((c) => c.head.keepAlive);

describe('RuntimeApiServer fuzz over sockets', () => {
  it(
    'records generated pipelines exactly, whatever TCP writes carry them, and answers each request',
    async () => {
      await fc.assert(
        fc.asyncProperty(pipelineArb({ avoidNext: true, avoidClose: true }), splitArb, async (pipeline, split) => {
          const bytes = serializePipeline(pipeline);
          const want = pipeline.map(intended);
          fc.pre(want.every((w) => w.head.keepAlive));
          seen = api.recording().exchanges.length;
          const client = await connect();
          await sendAndClose(client, splitBytes(bytes, split));
          const got = actualExchanges(exchangesFrom(client.port));
          expectSame(
            got,
            want.map((w) => ({ request: w.request, answered: true })),
            'recording',
          );
        }),
        fuzzParameters('socketValid'),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'records hostile and mutated inputs as RFC 9112 reads them while a well-behaved connection stays exact',
    async () => {
      const hostileInput = fc.oneof(
        hostileCaseArb.filter((c) => c.limits === DEFAULT_PARSER_LIMITS).map((c) => c.bytes),
        mutatedCaseArb({ avoidNext: true, avoidClose: true })
          .filter((c) => c.limits === DEFAULT_PARSER_LIMITS)
          .map((c) => c.bytes),
      );
      await fc.assert(
        fc.asyncProperty(
          hostileInput,
          splitArb,
          pipelineArb({ avoidNext: true, avoidClose: true }),
          splitArb,
          async (hostile, hostileSplit, good, goodSplit) => {
            const oracle = referenceParse(hostile, true);
            fc.pre(allKeepAlive(oracle) && good.map(intended).every((w) => w.head.keepAlive));
            seen = api.recording().exchanges.length;
            const [bad, fine] = await Promise.all([connect(), connect()]);
            await Promise.all([
              sendAndClose(bad, splitBytes(hostile, hostileSplit)),
              sendAndClose(fine, splitBytes(serializePipeline(good), goodSplit)),
            ]);
            expectSame(
              actualExchanges(exchangesFrom(fine.port)),
              good.map((g) => ({ request: intended(g).request, answered: true })),
              'well-behaved connection',
            );
            expectSame(actualExchanges(exchangesFrom(bad.port)), expectedExchanges(oracle), 'hostile connection');
            if (
              oracle.fault &&
              !['closed-mid-head', 'closed-mid-body', 'missing-terminal-chunk', 'body-exceeds-content-length'].includes(oracle.fault.kind)
            ) {
              // A fault found before our FIN is answered 400 on the wire, and the server closes the connection.
              expect(bad.received().toString('latin1')).toMatch(/HTTP\/1\.1 400 Bad Request\r\n[^]*"errorType":"TruncatedHTTPRequest"/);
              expect(
                api
                  .recording()
                  .connections.filter((c) => c.remotePort === bad.port)
                  .at(-1)?.closedBy,
              ).toBe('server');
            }
          },
        ),
        fuzzParameters('socketHostile'),
      );
      // The server survived all of it and still answers.
      const after = await connect();
      after.socket.write('GET /health HTTP/1.1\r\n\r\n');
      await sendAndClose(after, []);
      expect(after.received().toString('latin1')).toMatch(/^HTTP\/1\.1 404 /);
    },
    FUZZ_TIMEOUT,
  );

  it(
    'answers Expect: 100-continue with 100 Continue before the body is sent, then records the request exactly',
    async () => {
      // HTTP/1.0 expectations are ignored (RFC 9110 §10.1.1): 1.1 only.
      const continued = requestArb({ avoidNext: true, avoidClose: true }).filter(
        (r) =>
          r.version === '1.1' &&
          intended(r).head.keepAlive &&
          (r.body.kind === 'chunked' || (r.body.kind === 'length' && r.body.data.length > 0)),
      );
      await fc.assert(
        fc.asyncProperty(continued, splitArb, async (r, split) => {
          const req: GenRequest = {
            ...r,
            fields: [...r.fields, { name: 'Expect', value: '100-continue', raw: ' 100-continue', eol: '\r\n' }],
          };
          seen = api.recording().exchanges.length;
          const client = await connect();
          client.socket.write(serializeHead(req));
          // As curl does: the body waits for the interim response.
          for (let i = 0; i < 400 && !client.received().includes('HTTP/1.1 100 Continue\r\n\r\n'); i++)
            await new Promise((res) => setTimeout(res, 5));
          expect(client.received().toString('latin1')).toBe('HTTP/1.1 100 Continue\r\n\r\n');
          await sendAndClose(client, splitBytes(serializeBody(req.body), split));
          expectSame(actualExchanges(exchangesFrom(client.port)), [{ request: intended(req).request, answered: true }], 'recording');
        }),
        fuzzParameters('socketContinue'),
      );
    },
    FUZZ_TIMEOUT,
  );

  it('sends no 100 Continue when the framing says there is no content, only the final answer', async () => {
    for (const framing of ['', 'Content-Length: 0\r\n']) {
      seen = api.recording().exchanges.length;
      const client = await connect();
      await sendAndClose(client, [Buffer.from(`POST /x HTTP/1.1\r\nExpect: 100-continue\r\n${framing}\r\n`)]);
      expect(client.received().toString('latin1')).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    }
  });

  it('replays the regression fixtures over a socket', async () => {
    for (const { file, regression, bytes, limits } of loadRegressions()) {
      if (JSON.stringify(limits) !== JSON.stringify(DEFAULT_PARSER_LIMITS)) continue; // the server runs default limits
      seen = api.recording().exchanges.length;
      const c = await connect();
      await sendAndClose(c, splitBytes(bytes, regression.split ?? []));
      expectSame(actualExchanges(exchangesFrom(c.port)), expectedExchanges(referenceParse(bytes, true)), file);
    }
  });
});

describe('RuntimeApiServer resource bounds against hostile peers', () => {
  const own: RuntimeApiServer[] = [];
  afterAll(async () => {
    for (const s of own) await s.close();
  });
  const start = async (options: { record?: boolean; headTimeoutMs?: number } = {}) => {
    const t0 = performance.now();
    const server = new RuntimeApiServer({ clock: () => performance.now() - t0, startedAt: Date.now(), ...options });
    own.push(server);
    await server.listen();
    return server;
  };
  const open = (server: RuntimeApiServer) =>
    new Promise<net.Socket>((resolve, reject) => {
      const [host, port] = server.address.split(':');
      const s = net.connect({ host: host!, port: Number(port), noDelay: true }, () => resolve(s));
      s.once('error', reject);
    });
  /** Poll `read` every 25 ms until it holds still for 8 polls (bounded: 400 polls). */
  const settle = async (read: () => number): Promise<number> => {
    let last = -1;
    let still = 0;
    for (let i = 0; i < 400 && still < 8; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const now = read();
      still = now === last ? still + 1 : 0;
      last = now;
    }
    return last;
  };

  it(`stops reading a connection with ${MAX_PENDING_REQUESTS} answers pending behind a parked /next, and catches up once it is answered`, async () => {
    const server = await start();
    const socket = await open(server);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    const total = 10_000;
    socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\n\r\n' + 'GET /x HTTP/1.1\r\n\r\n'.repeat(total));
    const recorded = await settle(() => server.recording().exchanges.length);
    // Without the bound every request would be parsed and its 404 held in memory behind the parked /next.
    expect(recorded).toBeGreaterThanOrEqual(MAX_PENDING_REQUESTS);
    expect(recorded).toBeLessThan(total);
    expect(received).toBe('');
    server.enqueue({
      requestId: 'r1',
      payload: Buffer.from('{}'),
      deadlineMs: 1_900_000_000_000,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f',
      traceId: 'Root=1-abc',
      sink: {
        handedOut: () => undefined,
        responseStarted: () => undefined,
        chunk: () => undefined,
        completed: () => undefined,
        rejected: () => undefined,
      },
    });
    await settle(() => received.length);
    expect(received.startsWith('HTTP/1.1 200 OK')).toBe(true);
    expect(received.split('HTTP/1.1 404 ').length - 1).toBe(total);
    expect(server.recording().exchanges).toHaveLength(total + 1);
    socket.destroy();
  });

  it('holds back reading a peer that pipelines without reading, so unsent answers stay bounded', async () => {
    const server = await start({ record: false });
    const socket = await open(server);
    socket.pause(); // never read the answers
    socket.write('GET /x HTTP/1.1\r\n\r\n'.repeat(100_000));
    let peak = 0;
    await settle(() => {
      peak = Math.max(peak, server.bufferedOutputBytes());
      return server.bufferedOutputBytes();
    });
    // One 64 KiB read of 18-byte requests yields ~3,600 answers of ~150 bytes: under 1 MiB. Unbounded, the
    // 100,000 answers (~15 MB) would pile up in the server's memory beyond what the kernel buffers take.
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThan(2 * 1024 * 1024);
    socket.destroy();
  });

  it('answers 400 and closes once a head passes 64 KiB, without waiting for its line end', async () => {
    const server = await start();
    const socket = await open(server);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.write(`GET / HTTP/1.1\r\nX-Big: ${'a'.repeat(70 * 1024)}`);
    await closed;
    expect(received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(server.recording().exchanges.map((x) => x.fault?.kind)).toEqual(['headers-too-large']);
  });

  it('drops a connection whose request head is not complete within headTimeoutMs, recording closed-mid-head', async () => {
    const server = await start({ headTimeoutMs: 200 });
    const socket = await open(server);
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', () => undefined);
    socket.write('GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    await closed;
    // The server's own 'close' may come a moment after ours.
    await settle(() => server.recording().exchanges.length);
    const rec = server.recording();
    expect(rec.exchanges.map((x) => x.fault?.kind)).toEqual(['closed-mid-head']);
    expect(rec.connections[0]!.closedBy).toBe('server');
  });

  it('keeps a connection idle between requests or inside a body open past headTimeoutMs', async () => {
    const server = await start({ headTimeoutMs: 100 });
    const socket = await open(server);
    let received = '';
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.write('GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 4\r\n\r\nab');
    await new Promise((r) => setTimeout(r, 400));
    socket.write('cd');
    await settle(() => received.length);
    expect(received.split('HTTP/1.1 404 ').length - 1).toBe(2);
    expect(socket.destroyed).toBe(false);
    expect(server.recording().exchanges.map((x) => x.fault)).toEqual([undefined, undefined]);
    socket.destroy();
  });
});
