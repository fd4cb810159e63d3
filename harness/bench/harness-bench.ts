/**
 * How fast is the fake Runtime API by itself? Warm invocations/s through it, recording on and off, beside the
 * loopback floor: a bare server doing the same two round trips with no parsing beyond framing.
 */
import { benchMachine, type BenchMachine } from './machine.ts';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { RuntimeApiServer, type ApiInvocation } from '../fake-runtime-api/server.ts';
import type { EndToEndResult } from './end-to-end-bench.ts';
import { nodeModuleArgs } from '../lib/node-child.ts';

const CLIENT = nodeModuleArgs(import.meta.url, './keepalive-client');

export interface BenchRun {
  invocations: number;
  ms: number;
  perSecond: number;
}

export interface HarnessBenchResult {
  format: 'lambdaspec.bench.harness/v1';
  date: string;
  machine: BenchMachine;
  method: string;
  invocationsPerRun: number;
  rounds: number;
  /** Best run of each configuration (runs are interleaved, so noise hits all alike). */
  loopbackFloor: BenchRun;
  recordingOff: BenchRun;
  recordingOn: BenchRun;
  all: { loopbackFloor: BenchRun[]; recordingOff: BenchRun[]; recordingOn: BenchRun[] };
  /** (off − on) / off of the best runs, in percent. */
  recordingCostPct: number;
  /** recordingOn / loopbackFloor. */
  ratioToFloor: number;
  targets: { minInvocationsPerSecondRecordingOn: number; maxRecordingCostPct: number };
  meetsTargets: boolean;
  /** The paths users run (serve, load, run), when measured (end-to-end-bench.ts). */
  endToEnd?: EndToEndResult;
}

function runClient(address: string, invocations: number, maxMs: number): Promise<BenchRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...CLIENT, address, String(invocations), String(maxMs)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), maxMs + 15_000);
    child.on('exit', (code) => {
      clearTimeout(killer);
      try {
        const r = JSON.parse(out.trim()) as { invocations: number; ms: number };
        resolve({ invocations: r.invocations, ms: round(r.ms), perSecond: round((r.invocations / r.ms) * 1000) });
      } catch {
        reject(new Error(`bench client exited ${code} without a result: ${out}`));
      }
    });
  });
}

/** The bare server: finds each request's end by its framing and answers with fixed bytes. */
async function withFloorServer<T>(fn: (address: string) => Promise<T>): Promise<T> {
  const event = Buffer.from('{"probe":"echo"}');
  const nextResponse = Buffer.concat([
    Buffer.from(
      `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: 0123456789abcdef\r\nLambda-Runtime-Deadline-Ms: 0\r\nContent-Length: ${event.length}\r\n\r\n`,
    ),
    event,
  ]);
  const accepted = Buffer.from('HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"OK"}');
  const server = net.createServer({ noDelay: true }, (socket) => {
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const m = /\r\ncontent-length: *(\d+)/i.exec(head);
        const len = m ? Number(m[1]) : 0;
        if (buf.length < end + 4 + len) return;
        buf = buf.subarray(end + 4 + len);
        socket.write(head.startsWith('GET') ? nextResponse : accepted);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as net.AddressInfo;
  try {
    return await fn(`127.0.0.1:${addr.port}`);
  } finally {
    await new Promise((r) => server.close(r));
  }
}

/** The real fake Runtime API, fed one invocation at a time as an invoker would. */
async function withRuntimeApi<T>(record: boolean, fn: (address: string) => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const api = new RuntimeApiServer({ clock: () => performance.now() - t0, startedAt: Date.now(), record });
  await api.listen();
  const payload = Buffer.from('{"probe":"echo"}');
  let n = 0;
  const feed = (): void => {
    const inv: ApiInvocation = {
      requestId: `bench-${++n}`,
      payload,
      deadlineMs: Date.now() + 3000,
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:bench',
      traceId: 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0',
      sink: {
        handedOut: () => undefined,
        responseStarted: () => undefined,
        chunk: () => undefined,
        completed: feed,
        rejected: feed,
      },
    };
    api.enqueue(inv);
  };
  feed();
  try {
    return await fn(api.address);
  } finally {
    await api.close();
  }
}

export async function runHarnessBench(
  options: { invocations?: number; rounds?: number; maxMsPerRun?: number } = {},
): Promise<HarnessBenchResult> {
  const invocations = options.invocations ?? 6_000;
  const rounds = options.rounds ?? 3;
  const maxMs = options.maxMsPerRun ?? 20_000;
  const all = { loopbackFloor: [] as BenchRun[], recordingOff: [] as BenchRun[], recordingOn: [] as BenchRun[] };
  // Warm up the JIT of both paths once before measuring.
  await withRuntimeApi(true, (a) => runClient(a, 2000, maxMs));
  for (let i = 0; i < rounds; i++) {
    all.loopbackFloor.push(await withFloorServer((a) => runClient(a, invocations, maxMs)));
    all.recordingOff.push(await withRuntimeApi(false, (a) => runClient(a, invocations, maxMs)));
    all.recordingOn.push(await withRuntimeApi(true, (a) => runClient(a, invocations, maxMs)));
  }
  const best = (runs: BenchRun[]): BenchRun => runs.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
  const floor = best(all.loopbackFloor);
  const off = best(all.recordingOff);
  const on = best(all.recordingOn);
  const recordingCostPct = round(((off.perSecond - on.perSecond) / off.perSecond) * 100);
  const targets = { minInvocationsPerSecondRecordingOn: 3000, maxRecordingCostPct: 15 };
  return {
    format: 'lambdaspec.bench.harness/v1',
    date: new Date().toISOString(),
    machine: benchMachine(),
    method:
      'A child process acts as a minimal runtime on one keep-alive connection: GET /next, POST /response, repeat. ' +
      'Each configuration runs `invocationsPerRun` invocations per round; rounds interleave the configurations; the best round of each is reported.',
    invocationsPerRun: invocations,
    rounds,
    loopbackFloor: floor,
    recordingOff: off,
    recordingOn: on,
    all,
    recordingCostPct,
    ratioToFloor: round(on.perSecond / floor.perSecond),
    targets,
    meetsTargets: on.perSecond >= targets.minInvocationsPerSecondRecordingOn && recordingCostPct <= targets.maxRecordingCostPct,
  };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
