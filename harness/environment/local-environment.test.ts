import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseReportLine } from './platform-log.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { LocalEnvironment } from './local-environment.ts';
import { testFunctionConfig } from '../testing/test-config.ts';
import type { FunctionConfig, InvocationResult } from '../model/invocation.ts';

const MINI = fileURLToPath(new URL('../testing/fixtures/mini-runtime.py', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-env-'));
const envs: LocalEnvironment[] = [];

afterEach(async () => {
  for (const e of envs.splice(0)) await e.close();
  expect(liveProcessCount()).toBe(0);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function config(over: Partial<FunctionConfig> = {}): FunctionConfig {
  return testFunctionConfig({ functionName: 'mini', taskRoot: scratch, bootstrap: MINI, ...over });
}

async function env(over: Partial<FunctionConfig> = {}): Promise<LocalEnvironment> {
  const e = await LocalEnvironment.create(config(over), { hostPath: process.env['PATH'] ?? '', initErrorExitGraceMs: 1000 });
  envs.push(e);
  return e;
}

const ev = (v: unknown) => ({ payload: Buffer.from(JSON.stringify(v)) });
const json = (r: InvocationResult): unknown => JSON.parse(r.payload.toString());
function script(name: string, text: string, mode = 0o755): string {
  const p = join(scratch, name);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

describe('LocalEnvironment lifecycle', () => {
  it('cold-starts once, then serves warm invocations from the same process, with START/END/REPORT logs', async () => {
    const e = await env();
    const first = await e.invoke(ev({ do: 'echo', value: 1 }));
    const second = await e.invoke(ev({ do: 'echo', value: 2 }));
    expect(json(first)).toMatchObject({ echo: 1 });
    expect(json(second)).toMatchObject({ echo: 2 });
    expect(first.coldStart).toBe(true);
    expect(second.coldStart).toBe(false);
    expect(second.pid).toBe(first.pid);
    expect(first.functionError).toBeUndefined();
    expect(first.report.initDurationMs).toBeGreaterThan(0);
    expect(second.report.initDurationMs).toBeUndefined();
    const texts = first.logs.map((l) => l.text);
    expect(texts[0]).toBe(`START RequestId: ${first.requestId} Version: $LATEST`);
    expect(texts.at(-2)).toBe(`END RequestId: ${first.requestId}`);
    const report = parseReportLine(texts.at(-1)!);
    expect(report).toMatchObject({ requestId: first.requestId, memorySizeMb: 128 });
    expect(report!.maxMemoryUsedMb).toBeGreaterThan(0);
    expect(first.timings.handedOut).toBeDefined();
  });

  it("writes JSON platform records when the function's log format is JSON, in any case", async () => {
    const e = await env({ environment: { AWS_LAMBDA_LOG_FORMAT: 'json' } });
    const r = await e.invoke(ev({ do: 'echo', value: 1 }));
    const platform = r.logs
      .filter((l) => l.stream === 'platform')
      .map((l) => JSON.parse(l.text) as { type: string; record: Record<string, unknown> });
    expect(platform.map((p) => p.type)).toEqual(['platform.start', 'platform.report']);
    expect(platform[0]!.record).toEqual({ requestId: r.requestId, version: '$LATEST' });
    expect(platform[1]!.record).toMatchObject({ requestId: r.requestId, status: 'success', metrics: { memorySizeMB: 128 } });
    const parsed = parseReportLine(r.logs.at(-1)!.text);
    expect(parsed?.requestId).toBe(r.requestId);
    expect(parsed?.initDurationMs).toBeCloseTo(r.report.initDurationMs!, 2);
    const warm = await e.invoke(ev({ do: 'echo', value: 2 }));
    expect(warm.logs[0]!.text).toContain(`"requestId":"${warm.requestId}"`);
    expect(warm.logs.some((l) => l.text.includes(r.requestId))).toBe(false);
  });

  it('writes a failed init as platform.initReport in JSON format', async () => {
    const e = await env({ environment: { MINI_INIT: 'error', AWS_LAMBDA_LOG_FORMAT: 'JSON' } });
    const r = await e.invoke(ev({ do: 'echo' }));
    const init = r.logs.map((l) => l.text).find((t) => t.includes('platform.initReport'));
    expect(JSON.parse(init!).record).toMatchObject({ phase: 'init', status: 'error', errorType: 'Mini.InitFailed' });
    expect(r.logs.some((l) => l.text.startsWith('INIT_REPORT') || l.text.startsWith('END '))).toBe(false);
  });

  it('reports a handler error as a function error and keeps the process', async () => {
    const e = await env();
    const r = await e.invoke(ev({ do: 'error' }));
    expect(r.functionError).toBe('Unhandled');
    expect(r.outcome).toEqual({ kind: 'function-error', errorTypeHeader: 'Mini.Error' });
    expect(json(r)).toMatchObject({ errorType: 'Mini.Error' });
    const next = await e.invoke(ev({ do: 'echo' }));
    expect(next.pid).toBe(r.pid);
  });

  it('kills a runtime that times out, reports Sandbox.Timedout, and re-inits on the next invocation with /tmp kept', async () => {
    const e = await env({ timeoutMs: 800 });
    await e.invoke(ev({ do: 'tmp', write: 'lambdaspec-env-test' }));
    const slow = await e.invoke(ev({ do: 'sleep', ms: 5000 }));
    expect(slow.functionError).toBe('Unhandled');
    expect(json(slow)).toEqual({
      errorMessage: `RequestId: ${slow.requestId} Error: Task timed out after 0.80 seconds`,
      errorType: 'Sandbox.Timedout',
    });
    expect(slow.report.status).toBe('timeout');
    const after = await e.invoke(ev({ do: 'tmp', read: 'lambdaspec-env-test' }));
    expect(after.coldStart).toBe(true);
    expect(after.pid).not.toBe(slow.pid);
    expect(json(after)).toEqual({ read: String(slow.pid) });
    rmSync('/tmp/lambdaspec-env-test', { force: true });
  });

  it('turns a crash mid-invocation into Runtime.ExitError with the exit status', async () => {
    const e = await env();
    const r = await e.invoke(ev({ do: 'exit', code: 42 }));
    expect(json(r)).toEqual({
      errorMessage: `RequestId: ${r.requestId} Error: Runtime exited with error: exit status 42`,
      errorType: 'Runtime.ExitError',
    });
    expect(r.report).toMatchObject({ status: 'error', errorType: 'Runtime.ExitError' });
    expect(e.processes()[0]!.exit).toMatchObject({ code: 42 });
    const again = await e.invoke(ev({ do: 'echo' }));
    expect(again.coldStart).toBe(true);
    expect(again.functionError).toBeUndefined();
  });

  it('serves an init error to the first invocation and re-inits after it', async () => {
    const e = await env({ environment: { MINI_INIT: 'error' } });
    const r = await e.invoke(ev({ do: 'echo' }));
    expect(r.functionError).toBe('Unhandled');
    expect(json(r)).toEqual({ errorType: 'Mini.InitFailed', errorMessage: 'init failed on purpose' });
    expect(r.logs.some((l) => /^INIT_REPORT Init Duration: .*\sPhase: init\sStatus: error\sError Type: Mini.InitFailed/.test(l.text))).toBe(
      true,
    );
    expect(e.logs().some((l) => l.text.includes('Status: error\tError Type: Mini.InitFailed'))).toBe(true);
    expect(e.processes()[0]!.exit?.code).toBe(3);
    await e.invoke(ev({ do: 'echo' }));
    expect(e.processes()).toHaveLength(2);
  });

  it('serves an init failure found by a proactive init() to the next invocation', async () => {
    const e = await env({ environment: { MINI_INIT: 'exit' } });
    const rec = await e.init();
    expect(rec.exit?.code).toBe(4);
    const r = await e.invoke(ev({ do: 'echo' }));
    expect(json(r)).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringContaining('Runtime exited with error: exit status 4'),
    });
    expect(e.processes()).toHaveLength(1);
  });

  it('kills a runtime that never calls /next at the init limit, then retries init inside the invoke (suppressed init)', async () => {
    const e = await env({ environment: { MINI_INIT: 'hang' }, initTimeoutMs: 300, timeoutMs: 500 });
    const r = await e.invoke(ev({ do: 'echo' }));
    expect(json(r)).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringContaining('Task timed out after 0.50 seconds'),
    });
    expect(e.processes()).toHaveLength(2);
    expect(
      e
        .logs()
        .filter((l) => l.text.startsWith('INIT_REPORT'))
        .map((l) => /\sPhase: (\w+)\sStatus: (\w+)/.exec(l.text)!.slice(1)),
    ).toEqual([
      ['init', 'timeout'],
      ['invoke', 'timeout'],
    ]);
  });

  it('drains a runtime that floods stdout without holding it all in memory', async () => {
    const e = await env({ timeoutMs: 20_000 });
    const r = await e.invoke(ev({ do: 'flood', mb: 40 }));
    expect(json(r)).toEqual({ flooded: 40 });
    const kept = e.logs().reduce((n, l) => n + l.text.length, 0);
    expect(kept).toBeLessThan(16 * 1024 * 1024);
    expect((await e.invoke(ev({ do: 'echo', value: 'after' }))).functionError).toBeUndefined();
  });

  it('attributes runtime output to the invocation that printed it', async () => {
    const e = await env();
    const r = await e.invoke(ev({ do: 'print', text: 'hello from the handler' }));
    expect(r.logs.map((l) => l.text)).toContain('hello from the handler');
  });
});

describe('LocalEnvironment spawn failures', () => {
  it('classifies a missing bootstrap as Runtime.InvalidEntrypoint', async () => {
    const e = await env({ bootstrap: join(scratch, 'nope') });
    const r = await e.invoke(ev({}));
    expect(json(r)).toMatchObject({
      errorType: 'Runtime.InvalidEntrypoint',
      errorMessage: expect.stringContaining("Couldn't find valid bootstrap(s)"),
    });
    expect(e.processes()[0]!.spawnFailure).toBeDefined();
  });

  it('classifies a bootstrap without the exec bit as permission denied', async () => {
    const e = await env({ bootstrap: script('noexec', '#!/bin/sh\n', 0o644) });
    expect(json(await e.invoke(ev({})))).toMatchObject({
      errorType: 'Runtime.InvalidEntrypoint',
      errorMessage: expect.stringContaining('permission denied'),
    });
  });

  it('classifies a missing interpreter and a CRLF shebang as no such file or directory', async () => {
    for (const text of ['#!/nonexistent/sh\n', '#!/bin/sh\r\necho hi\r\n']) {
      const e = await env({ bootstrap: script(`interp-${text.length}`, text) });
      expect(json(await e.invoke(ev({})))).toMatchObject({
        errorType: 'Runtime.InvalidEntrypoint',
        errorMessage: expect.stringContaining('no such file or directory'),
      });
    }
  });

  it('lets an env-style missing interpreter fail for real with exit status 127', async () => {
    const e = await env({ bootstrap: script('envmissing', '#!/usr/bin/env lambdaspec-no-such-interpreter\n') });
    expect(json(await e.invoke(ev({})))).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringContaining('exit status 127'),
    });
  });

  it('classifies an ELF for another architecture as exec format error', async () => {
    const header = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header);
    header.writeUInt16LE(2, 16);
    header.writeUInt16LE(process.arch === 'arm64' ? 62 : 183, 18);
    const p = join(scratch, 'foreign');
    writeFileSync(p, header);
    chmodSync(p, 0o755);
    const e = await env({ bootstrap: p });
    expect(json(await e.invoke(ev({})))).toMatchObject({
      errorType: 'Runtime.InvalidEntrypoint',
      errorMessage: expect.stringContaining('exec format error'),
    });
  });
});

describe('LocalEnvironment streaming', () => {
  it('forwards streamed chunks as they arrive and reports error trailers as a stream error', async () => {
    const e = await env();
    const arrivals: string[] = [];
    const r = await e.invoke(ev({ do: 'stream', chunks: ['one ', 'two'], delayMs: 150, error: true }), {
      onChunk: (b) => arrivals.push(b.toString()),
    });
    expect(arrivals.join('')).toBe('one two');
    expect(r.payload.toString()).toBe('one two');
    expect(r.outcome).toMatchObject({
      kind: 'response',
      streamed: true,
      contentType: 'text/plain',
      streamError: { errorType: 'Mini.Mid', errorBody: '{"errorType": "Mini.Mid", "errorMessage": "mid"}' },
    });
    if (r.outcome.kind !== 'response') throw new Error('unreachable');
    expect(r.outcome.chunks.map((c) => c.size)).toEqual([4, 3]);
    expect(r.outcome.chunks[1]!.at - r.outcome.chunks[0]!.at).toBeGreaterThanOrEqual(100);
    expect(r.timings.firstByte).toBeLessThan(r.timings.done - 100);
  });
});

describe('LocalEnvironment response limits', () => {
  // 97 × 64 KiB = 6,356,992 bytes: over the 6,291,556 a buffered Invoke returns, far under the 200 MB streamed limit.
  const big = { do: 'stream', chunks: ['x'.repeat(65536)], repeat: 97 };

  it('fails a streamed answer over 6 MB to a buffered invoker with Function.ResponseSizeTooLarge', async () => {
    const e = await env({ memorySizeMb: 1024 });
    const r = await e.invoke(ev(big));
    expect(r.outcome).toEqual({
      kind: 'platform-error',
      error: {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
      },
    });
    expect(r.functionError).toBe('Unhandled');
    // The runtime was not at fault: the next invocation is served by the same process.
    const after = await e.invoke(ev({ do: 'echo', value: 'after' }));
    expect(json(after)).toMatchObject({ echo: 'after' });
    expect(after.pid).toBe(r.pid);
  });

  it('gives a streaming invoker the whole streamed answer', async () => {
    const e = await env({ memorySizeMb: 1024 });
    let received = 0;
    const r = await e.invoke(ev(big), { onChunk: (b) => (received += b.length) });
    expect(r.outcome.kind).toBe('response');
    expect(received).toBe(97 * 65536);
    expect(r.payload.length).toBe(97 * 65536);
  });
});

describe('LocalEnvironment between invocations', () => {
  it('re-initialises and delivers the event when the runtime died while idle, as Lambda would', async () => {
    const e = await env();
    const first = await e.invoke(ev({ do: 'respond-then-exit', ms: 150 }));
    expect(json(first)).toEqual({ bye: true });
    // Enqueued while the runtime is still alive but will never take it: its exit must not fail this invocation.
    const second = await e.invoke(ev({ do: 'echo', value: 2 }));
    expect(second.functionError).toBeUndefined();
    expect(json(second)).toMatchObject({ echo: 2 });
    expect(second.coldStart).toBe(true);
    expect(second.pid).not.toBe(first.pid);
    expect(e.processes()[0]!.exit).toMatchObject({ code: 5 });
  });
});
