/**
 * Hostile runtimes (harness/testing/fixtures/hostile/bootstrap): each abuse ends in a verdict, the environment
 * closes, and nothing the runtime started is left running.
 */
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli/io.ts';
import { main } from '../cli/main.ts';
import { serveCommand } from '../cli/serve-command.ts';
import { functionConfigFor, resolveRuntime } from '../runtime-definition/resolve-runtime.ts';
import { isRunning, openFdCount, PROCESS_MARK_VAR, processesWithEnv } from '../process/proc-scan.ts';
import { harnessRunId, launchProcess, liveProcessCount, type RunningProcess } from '../process/process-runner.ts';
import { MAX_CONNECTIONS } from '../fake-runtime-api/server.ts';
import { UserError } from '../lib/user-error.ts';
import { LocalEnvironment, type LocalEnvironmentOptions } from './local-environment.ts';
import type { FunctionOverrides } from '../runtime-definition/resolve-runtime.ts';
import type { InvocationResult } from '../model/invocation.ts';

const HOSTILE_DIR = fileURLToPath(new URL('../testing/fixtures/hostile', import.meta.url));
const runtime = resolveRuntime(HOSTILE_DIR);
const envs: LocalEnvironment[] = [];

/** Processes of this worker's launches that are still running (escaped ones included): must be none after close. */
function ourLiveProcesses(): number[] {
  return processesWithEnv(PROCESS_MARK_VAR, (v) => v.startsWith(`${harnessRunId()}:${process.pid}:`));
}

afterEach(async () => {
  for (const e of envs.splice(0)) await e.close();
  expect(liveProcessCount()).toBe(0);
  expect(ourLiveProcesses()).toEqual([]);
});

async function hostile(mode: string, over: FunctionOverrides = {}, options: LocalEnvironmentOptions = {}): Promise<LocalEnvironment> {
  const config = functionConfigFor(runtime, { ...over, environment: { HOSTILE_MODE: mode, ...over.environment } });
  const e = await LocalEnvironment.create(config, { hostPath: process.env['PATH'] ?? '', ...options });
  envs.push(e);
  return e;
}

const ev = (v: unknown = {}) => ({ payload: Buffer.from(JSON.stringify(v)) });
const json = (r: InvocationResult): Record<string, unknown> => JSON.parse(r.payload.toString()) as Record<string, unknown>;
const errorType = (r: InvocationResult): string | undefined =>
  r.outcome.kind === 'platform-error' ? r.outcome.error.errorType : undefined;

async function untilLine(e: LocalEnvironment, re: RegExp, ms = 5000): Promise<RegExpExecArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    for (const l of e.logs()) {
      const m = re.exec(l.text);
      if (m) return m;
    }
    if (Date.now() > deadline) throw new Error(`no log line matching ${re} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('hostile runtimes', () => {
  it('holds hundreds of connections to the Runtime API: still served, and every socket is gone after close', async () => {
    const fdsBefore = openFdCount();
    const e = await hostile('connections', { environment: { HOSTILE_CONNECTIONS: '400' } });
    const r = await e.invoke(ev());
    expect(r.outcome.kind).toBe('response');
    expect(json(r)).toMatchObject({ mode: 'connections', held: 400 });
    await e.close();
    // The harness's own descriptors are back where they were: no accepted socket outlives the environment.
    expect(openFdCount()).toBeLessThanOrEqual(fdsBefore! + 2);
  });

  it('a runtime cannot exhaust the harness with connections: past the cap they are closed, and it gets a verdict', async () => {
    const fdsBefore = openFdCount();
    const e = await hostile('connections', { environment: { HOSTILE_CONNECTIONS: '1100' }, timeoutMs: 2000, initTimeoutMs: 2000 });
    let peakFds = 0;
    const sampler = setInterval(() => (peakFds = Math.max(peakFds, openFdCount() ?? 0)), 10);
    const r = await e.invoke(ev()).finally(() => clearInterval(sampler));
    console.info(`connections: 1100 opened, harness fds peaked at ${peakFds - fdsBefore!} above baseline, verdict ${errorType(r)}`);
    expect(peakFds - fdsBefore!).toBeLessThanOrEqual(MAX_CONNECTIONS + 16);
    // Its own poll is one connection too many: whatever it does then, the invocation has a verdict.
    expect(r.functionError).toBe('Unhandled');
    expect(['Runtime.ExitError', 'Sandbox.Timedout']).toContain(errorType(r));
    await e.close();
    expect(openFdCount()).toBeLessThanOrEqual(fdsBefore! + 2);
  });

  it('slowloris on the first /next: init never completes, the invocation times out', async () => {
    const e = await hostile('slowloris', { initTimeoutMs: 800, timeoutMs: 800, environment: { HOSTILE_BYTE_MS: '1000' } });
    const r = await e.invoke(ev());
    expect(errorType(r)).toBe('Sandbox.Timedout');
    expect(r.report.status).toBe('timeout');
    expect(e.processes().every((p) => p.exit?.killed)).toBe(true);
  });

  it('slowloris on /response: the function timeout still ends the invocation', async () => {
    const e = await hostile('slow-response', { timeoutMs: 1000, environment: { HOSTILE_BYTE_MS: '500' } });
    const r = await e.invoke(ev());
    expect(errorType(r)).toBe('Sandbox.Timedout');
    // The dribbled head never completed: the recording shows the request, and no response was accepted.
    expect(e.recording().exchanges.filter((x) => x.kind === 'response' && x.response?.status === 202)).toEqual([]);
  });

  it('never reads a 6 MB event it asked for: the invocation times out and the harness drops the write', async () => {
    const e = await hostile('never-read', { timeoutMs: 1000 });
    const r = await e.invoke({ payload: Buffer.alloc(6 * 1024 * 1024, 0x61) });
    expect(errorType(r)).toBe('Sandbox.Timedout');
    expect(r.timings.handedOut).toBeDefined();
  });

  it('pipelines requests and never reads the answers: the harness stops reading instead of queueing answers', async () => {
    const e = await hostile('pipeline', { initTimeoutMs: 4000, timeoutMs: 200 });
    let peakQueued = 0;
    const sampler = setInterval(() => (peakQueued = Math.max(peakQueued, e.api.pendingWriteBytes())), 20);
    const r = await e.invoke(ev()).finally(() => clearInterval(sampler));
    expect(errorType(r)).toBe('Sandbox.Timedout');
    const sent = Math.max(
      0,
      ...e
        .logs()
        .flatMap((l) => /^SENT (\d+)$/.exec(l.text)?.[1] ?? [])
        .map(Number),
    );
    const answered = e.recording().connections.reduce((n, c) => n + c.bytesOut, 0);
    console.info(
      `pipeline: runtime sent ${sent} bytes of requests, harness answered ${answered} bytes, at most ${peakQueued} bytes queued in the harness`,
    );
    // The kernel's socket buffers (up to 4 MiB here) fill first; past them, without backpressure, the queue grows
    // for as long as the runtime sends. With it, at most the 1 MiB backlog plus the answers to one read chunk.
    expect(peakQueued).toBeLessThan(2 * 1024 * 1024);
  });

  it('a daemonised (setsid, double-forked) grandchild that ignores SIGTERM dies with the environment', async () => {
    const e = await hostile('daemonize');
    const r = await e.invoke(ev());
    expect(r.outcome.kind).toBe('response');
    const daemon = Number((await untilLine(e, /^DAEMON (\d+)$/))[1]);
    expect(isRunning(daemon)).toBe(true);
    await e.close();
    expect(isRunning(daemon)).toBe(false);
  });

  it('through `lambdaspec invoke`: the daemon is gone when the command returns', async () => {
    const io = memoryIo();
    expect(await main(['invoke', HOSTILE_DIR, '--env', 'HOSTILE_MODE=daemonize'], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ mode: 'daemonize' });
    const daemon = Number(/DAEMON (\d+)/.exec(io.stderr())![1]);
    expect(isRunning(daemon)).toBe(false);
  });

  it('a daemon forked by a bootstrap that then crashes is killed with it: Runtime.ExitError', async () => {
    const e = await hostile('daemonize', { environment: { HOSTILE_EXIT_AFTER_FORK: '1' } });
    const r = await e.invoke(ev());
    expect(json(r)).toMatchObject({ errorType: 'Runtime.ExitError' });
    const daemon = Number((await untilLine(e, /^DAEMON (\d+)$/))[1]);
    expect(isRunning(daemon)).toBe(false);
  });

  it('writes to stdout without end: killed at the timeout, output drained but only a bounded tail kept', async () => {
    const launched: RunningProcess[] = [];
    const retainCap = 1024 * 1024;
    const rssBefore = process.memoryUsage().rss;
    const e = await hostile(
      'flood',
      { timeoutMs: 2000 },
      {
        launch: (spec) => {
          const p = launchProcess({ ...spec, capture: { maxRetainedBytes: retainCap } });
          launched.push(p);
          return p;
        },
      },
    );
    const r = await e.invoke(ev());
    expect(errorType(r)).toBe('Sandbox.Timedout');
    const stats = launched[0]!.output.stats();
    const kept = launched[0]!.output.lines().reduce((n, l) => n + l.text.length, 0);
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    console.info(
      `flood: drained ${stats.bytes} bytes in ${stats.lines} lines, kept ${kept} bytes, harness RSS +${Math.round(rssGrowth / 1048576)} MiB`,
    );
    expect(stats.bytes).toBeGreaterThan(8 * retainCap);
    expect(kept).toBeLessThanOrEqual(retainCap);
    expect(stats.droppedBytes).toBeGreaterThan(stats.bytes - 2 * retainCap - stats.lines);
    // The invocation's log carries at most what was kept, plus START/END/REPORT.
    expect(r.logs.reduce((n, l) => n + l.text.length, 0)).toBeLessThanOrEqual(retainCap + 4096);
  });

  it('ignores SIGTERM, and so does its child: the timeout kill and the teardown still complete', async () => {
    const e = await hostile('ignore-term', { timeoutMs: 800 });
    const r = await e.invoke(ev());
    expect(errorType(r)).toBe('Sandbox.Timedout');
    expect(e.processes()[0]!.exit).toMatchObject({ signal: 'SIGKILL', killed: true });
    const again = await e.invoke(ev());
    expect(again.coldStart).toBe(true);
    await e.close();
  });

  it('binds a port first: serve told to use it fails with a clear UserError; the default port 0 is unaffected', async () => {
    const e = await hostile('bind-port');
    const r = await e.invoke(ev());
    const port = Number(json(r)['port']);
    expect(port).toBeGreaterThan(0);
    const args = [HOSTILE_DIR, '--env', 'HOSTILE_MODE=bind-port', '--no-prewarm'];
    const err = await serveCommand([...args, '--port', String(port)], memoryIo(), Promise.resolve()).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(`serve: port ${port} on 127.0.0.1 is already in use (try --port 0)`);
    const io = memoryIo();
    expect(await serveCommand([...args, '--port', '0'], io, Promise.resolve())).toBe(0);
    expect(io.stdout()).toMatch(/^Serving hostile /);
  });
});
