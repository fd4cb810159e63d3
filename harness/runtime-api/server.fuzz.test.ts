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
import { RuntimeApiServer } from './server.ts';
import type { Exchange } from './recording.ts';
import { hostileCaseArb, intended, mutatedCaseArb, pipelineArb, serializePipeline, splitArb, splitBytes } from './fuzz/http-arbitraries.ts';
import { fuzzParameters } from './fuzz/fuzz-config.ts';
import { expectSame, normalRequest } from './fuzz/parser-harness.ts';
import { DEFAULT_PARSER_LIMITS, referenceParse, type NormalRequest, type OracleOutcome } from './fuzz/reference-parser.ts';
import { loadRegressions } from './fuzz/regressions.ts';

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
  await Promise.race([client.closed, new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error('connection not closed within 10 s')), 10_000)))]);
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
  const out: { request: NormalRequest; fault?: string; answered: boolean }[] = o.completed.map((c) => ({ request: c.request, answered: true }));
  if (o.fault) {
    const synthetic: NormalRequest = { method: '', target: '', httpVersion: '', headers: [], body: '', chunked: false, chunks: [], trailers: [] };
    out.push({ request: o.fault.request ?? synthetic, fault: o.fault.kind, answered: true });
  }
  return out;
}

function actualExchanges(xs: Exchange[]): { request: NormalRequest; fault?: string; answered: boolean }[] {
  return xs.map((x) => ({ request: normalRequest(x.request), ...(x.fault ? { fault: x.fault.kind } : {}), answered: x.response !== undefined }));
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
          expectSame(got, want.map((w) => ({ request: w.request, answered: true })), 'recording');
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
        mutatedCaseArb({ avoidNext: true, avoidClose: true }).filter((c) => c.limits === DEFAULT_PARSER_LIMITS).map((c) => c.bytes),
      );
      await fc.assert(
        fc.asyncProperty(hostileInput, splitArb, pipelineArb({ avoidNext: true, avoidClose: true }), splitArb, async (hostile, hostileSplit, good, goodSplit) => {
          const oracle = referenceParse(hostile, true);
          fc.pre(allKeepAlive(oracle) && good.map(intended).every((w) => w.head.keepAlive));
          seen = api.recording().exchanges.length;
          const [bad, fine] = await Promise.all([connect(), connect()]);
          await Promise.all([sendAndClose(bad, splitBytes(hostile, hostileSplit)), sendAndClose(fine, splitBytes(serializePipeline(good), goodSplit))]);
          expectSame(actualExchanges(exchangesFrom(fine.port)), good.map((g) => ({ request: intended(g).request, answered: true })), 'well-behaved connection');
          expectSame(actualExchanges(exchangesFrom(bad.port)), expectedExchanges(oracle), 'hostile connection');
          if (oracle.fault && !['closed-mid-head', 'closed-mid-body', 'missing-terminal-chunk', 'body-exceeds-content-length'].includes(oracle.fault.kind)) {
            // A fault found before our FIN is answered 400 on the wire.
            expect(bad.received().toString('latin1')).toContain('HTTP/1.1 400 Bad Request');
          }
        }),
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
