/**
 * The benchmark's Invoke API caller, run as a child process so its CPU is not the harness's: C keep-alive
 * connections, each POSTing the event and waiting for the whole response before the next (no pipelining), until
 * N invocations or maxMs. The same bytes go to `lambdaspec serve` and to AWS's Runtime Interface Emulator.
 * Prints one JSON line: { invocations, ms, p50Ms, p99Ms, errors, firstError?, serverCpuMs? }. A connection that
 * fails is counted and not reopened: an emulator that falls over under concurrent clients shows as errors, not as
 * a hang. With a warm-up count, that many invocations go first, unmeasured; with a server pid, the server's CPU
 * time (utime + stime, /proc/<pid>/stat) over the measured ones is reported too — one process per measurement.
 *
 * argv: <host:port> <path> <invocations> <maxMs> <concurrency> <event JSON> [<warm-up> [<server pid>]]
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { nearestRank, sortedCopy } from '../stats/percentiles.ts';

import { readFileSync } from 'node:fs';

const [address, path, countArg, maxMsArg, concurrencyArg, eventArg, warmUpArg, serverPidArg] = process.argv.slice(2);
const warmUp = Number(warmUpArg ?? '0') || 0;
const serverPid = serverPidArg !== undefined ? Number(serverPidArg) : undefined;
const [host, portText] = (address ?? '').split(':');
const total = Number(countArg);
const maxMs = Number(maxMsArg);
const concurrency = Number(concurrencyArg);
if (!host || !portText || !path || !Number.isFinite(total) || !Number.isFinite(maxMs) || !(concurrency >= 1) || eventArg === undefined) {
  process.stderr.write('usage: invoke-client <host:port> <path> <invocations> <maxMs> <concurrency> <event JSON>\n');
  process.exit(2);
}
const event = Buffer.from(eventArg);
const request = Buffer.concat([
  Buffer.from(`POST ${path} HTTP/1.1\r\nHost: ${address}\r\nContent-Type: application/json\r\nContent-Length: ${event.length}\r\n\r\n`),
  event,
]);

/** utime + stime of the server in ms (10 ms clock ticks). */
function serverCpuMs(): number | undefined {
  if (serverPid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${serverPid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

const latencies: number[] = [];
let started = 0;
let warmed = 0;
let cpuAtStart: number | undefined;
let errors = 0;
let firstError: string | undefined;
let t0 = performance.now();
let open = 0;

/** Bytes of one complete HTTP response at the start of `buf` (Content-Length or chunked), or -1 while partial. */
function responseLength(buf: Buffer): number {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return -1;
  const head = buf.subarray(0, end).toString('latin1');
  const cl = /\r\ncontent-length: *(\d+)/i.exec(head);
  if (cl) return buf.length >= end + 4 + Number(cl[1]) ? end + 4 + Number(cl[1]) : -1;
  if (!/\r\ntransfer-encoding: *chunked/i.test(head)) return end + 4;
  let at = end + 4;
  for (;;) {
    const lineEnd = buf.indexOf('\r\n', at);
    if (lineEnd < 0) return -1;
    const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
    if (size === 0) {
      const trailerEnd = buf.indexOf('\r\n\r\n', lineEnd);
      return trailerEnd < 0 ? -1 : trailerEnd + 4;
    }
    at = lineEnd + 2 + size + 2;
    if (at > buf.length) return -1;
  }
}

function fail(message: string): void {
  errors++;
  firstError ??= message;
}

function connection(): void {
  open++;
  const socket = net.connect({ host: host!, port: Number(portText), noDelay: true });
  let buffered: Buffer = Buffer.alloc(0);
  let sentAt = 0;
  let closed = false;
  const send = (): void => {
    if (warmed < warmUp) {
      warmed++;
      sentAt = -1;
      socket.write(request);
      return;
    }
    if (started === 0) {
      // Measuring starts with the first invocation after the warm-up (concurrency 1 with a warm-up).
      t0 = performance.now();
      cpuAtStart = serverCpuMs();
    }
    if (started >= total || performance.now() - t0 > maxMs) return finish();
    started++;
    sentAt = performance.now();
    socket.write(request);
  };
  const finish = (): void => {
    if (closed) return;
    closed = true;
    socket.destroy();
    if (--open === 0) report();
  };
  socket.on('connect', send);
  socket.on('data', (d: Buffer) => {
    buffered = buffered.length === 0 ? d : Buffer.concat([buffered, d]);
    const n = responseLength(buffered);
    if (n < 0) return;
    const status = buffered.subarray(9, 12).toString('latin1');
    buffered = buffered.subarray(n);
    if (status !== '200') fail(`HTTP ${status}`);
    if (sentAt >= 0) latencies.push(performance.now() - sentAt);
    send();
  });
  socket.on('error', (e) => fail(`${(e as NodeJS.ErrnoException).code ?? e.name}: ${e.message}`));
  socket.on('close', () => {
    if (!closed && started > latencies.length) fail('connection closed before the response');
    finish();
  });
}

let reported = false;
function report(): void {
  const cpuAtEnd = serverCpuMs();
  if (reported) return;
  reported = true;
  const sorted = sortedCopy(latencies);
  const out = {
    invocations: latencies.length,
    ms: performance.now() - t0,
    p50Ms: sorted.length > 0 ? nearestRank(sorted, 50) : null,
    p99Ms: sorted.length > 0 ? nearestRank(sorted, 99) : null,
    errors,
    ...(firstError !== undefined ? { firstError } : {}),
    ...(cpuAtStart !== undefined && cpuAtEnd !== undefined ? { serverCpuMs: cpuAtEnd - cpuAtStart } : {}),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

for (let i = 0; i < concurrency; i++) connection();
// Bounded even if the server stops answering: report what was measured.
setTimeout(() => {
  fail('no response before the time limit');
  report();
  process.exit(0);
}, maxMs + 5_000).unref();
