import { randomUUID } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalEnvironment } from '../environment/local-environment.ts';
import { functionConfigFor, resolveRuntime, type FunctionOverrides, type ResolvedRuntime } from '../runtime-definition/resolve-runtime.ts';
import { hostArchitecture } from '../process/elf.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { answerPreview, isContextAnswer, isEchoAnswer, probePreflight, type PreflightResult } from './preflight.ts';

const NO_PROBE = fileURLToPath(new URL('../testing/fixtures/no-probe', import.meta.url));
const FLAWED = fileURLToPath(new URL('../testing/fixtures/flawed-runtime', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-preflight-'));
const markers: string[] = [];
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const m of markers) rmSync(`/tmp/lambdaspec-flawed-reinit-${m}`, { force: true });
  expect(liveProcessCount()).toBe(0);
});

/** The preflight with some of the function's configuration changed. */
function preflight(rt: ResolvedRuntime, o: FunctionOverrides = {}): Promise<PreflightResult> {
  return probePreflight(rt.spec.name, () => LocalEnvironment.create(functionConfigFor(rt, o), { hostPath: process.env['PATH'] ?? '' }));
}

/** A bare bootstrap in its own folder (the folder's name becomes the runtime's name). */
function bootstrap(name: string, content: string | Buffer): ResolvedRuntime {
  const folder = join(dir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, 'bootstrap'), content);
  chmodSync(join(folder, 'bootstrap'), 0o755);
  return resolveRuntime(folder);
}

describe('a runtime whose function is not the probe', () => {
  it('is stopped with one line naming what it answered and where the contract is', async () => {
    expect(await preflight(resolveRuntime(NO_PROBE))).toEqual({
      kind: 'not-probe',
      message:
        'no-probe does not implement the probe handler: it answered "hello from bash" to {"probe":"echo","payload":"lambdaspec-preflight"} and "hello from bash" to {"probe":"context"}; see docs/probe-contract.md',
    });
  });

  it('is stopped when it echoes every event back, as a hello-world function does', async () => {
    const r = await preflight(resolveRuntime(NO_PROBE), { environment: { NO_PROBE_ANSWER: 'echo' } });
    expect(r).toMatchObject({
      kind: 'not-probe',
      message: expect.stringContaining('it answered {"probe":"echo","payload":"lambdaspec-preflight"} to {"probe":"echo"'),
    });
  });

  it('is stopped on an empty answer, or text that is not JSON', async () => {
    const empty = await preflight(resolveRuntime(NO_PROBE), { environment: { NO_PROBE_ANSWER: '' } });
    expect(empty).toMatchObject({ kind: 'not-probe', message: expect.stringContaining('it answered an empty body to') });
    const text = await preflight(resolveRuntime(NO_PROBE), { environment: { NO_PROBE_ANSWER: 'OK\nbye' } });
    expect(text).toMatchObject({ kind: 'not-probe', message: expect.stringContaining('it answered the text "OK\\nbye" to') });
  });
});

describe('a runtime that fails some other way is left to the suite', () => {
  it('a bootstrap that crashes at init', async () => {
    expect(await preflight(bootstrap('crashes', '#!/bin/sh\necho "Python 3.11 not found in layer" >&2\nexit 3\n'))).toMatchObject({
      kind: 'inconclusive',
    });
  });

  it('a bootstrap built for the other architecture', async () => {
    const elf = Buffer.alloc(64);
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(elf);
    elf.writeUInt16LE(hostArchitecture() === 'x86_64' ? 183 : 62, 18);
    expect(await preflight(bootstrap('foreign', elf))).toMatchObject({ kind: 'inconclusive' });
  });

  it('an init error, and a handler that is not found', async () => {
    const python = resolveRuntime('python-stdlib');
    expect(await preflight(python, { environment: { PROBE_INIT_FAIL: '1' } })).toMatchObject({ kind: 'inconclusive' });
    expect(await preflight(python, { handler: 'nope.handler' })).toMatchObject({ kind: 'inconclusive' });
  });

  it('a function that fails every invocation', async () => {
    const failing = bootstrap(
      'fails',
      [
        '#!/bin/bash',
        'API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"',
        'while true; do',
        '  id=$(curl -sS -D - -o /dev/null "$API/invocation/next" | grep -i "^Lambda-Runtime-Aws-Request-Id:" | cut -d: -f2- | tr -d " \\r") || exit 1',
        '  curl -sS -o /dev/null -X POST "$API/invocation/$id/error" --data-binary \'{"errorType":"Oops","errorMessage":"no"}\'',
        'done',
        '',
      ].join('\n'),
    );
    expect(await preflight(failing)).toMatchObject({ kind: 'inconclusive', reason: expect.stringContaining('echo invocation failed') });
  });

  // Every flaw of the flawed fixture is a runtime bug the suite reports; none may pass for a missing probe.
  it.concurrent.each([
    '',
    'wrong-request-id',
    'exit-after-each',
    'latin1-response',
    'double-response',
    'fails-on-reinit',
    'crash-without-trace',
    'stale-trace',
    'raw-event-to-handler',
    'leak-client-context',
  ])('the flawed runtime with FLAW=%j', async (flaw) => {
    const marker = randomUUID();
    markers.push(marker);
    const r = await preflight(resolveRuntime(FLAWED), { environment: { FLAW: flaw, FLAW_MARKER: marker } });
    expect(r.kind).not.toBe('not-probe');
  });
});

describe('an interrupted preflight', () => {
  it('closes its environment and concludes nothing', async () => {
    const controller = new AbortController();
    const rt = resolveRuntime('python-stdlib');
    const running = probePreflight(
      rt.spec.name,
      () =>
        LocalEnvironment.create(functionConfigFor(rt, { environment: { PROBE_INIT_SLEEP_MS: '5000' } }), {
          hostPath: process.env['PATH'] ?? '',
        }),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 200);
    // Left alone, the probe answers after its 5 s init: a 'probe' here would mean the abort was ignored.
    expect((await running).kind).toBe('inconclusive');
  });
});

describe('recognising a probe answer', () => {
  it('takes the echo only when it is the payload, as JSON', () => {
    expect(isEchoAnswer(Buffer.from('"lambdaspec-preflight"'))).toBe(true);
    expect(isEchoAnswer(Buffer.from('{"probe":"echo","payload":"lambdaspec-preflight"}'))).toBe(false);
    expect(isEchoAnswer(Buffer.from('lambdaspec-preflight'))).toBe(false);
  });

  it('takes any context document, however incomplete (a serialiser that drops nulls), or anything carrying the request id', () => {
    expect(isContextAnswer(Buffer.from('{"requestId":"r-1","pid":7}'), 'r-1')).toBe(true);
    expect(isContextAnswer(Buffer.from('{"invocation":1}'), 'r-1')).toBe(true);
    expect(isContextAnswer(Buffer.from('{"body":"{\\"requestId\\":\\"r-1\\"}"}'), 'r-1')).toBe(true);
    expect(isContextAnswer(Buffer.from('{"probe":"context"}'), 'r-1')).toBe(false);
    expect(isContextAnswer(Buffer.from('["requestId"]'), 'r-1')).toBe(false);
    expect(isContextAnswer(Buffer.from('null'), 'r-1')).toBe(false);
  });

  it('shows an answer short, on one line, without credentials', () => {
    expect(answerPreview(Buffer.from(`"${'x'.repeat(100)}"`))).toBe(`"${'x'.repeat(59)}…`);
    expect(answerPreview(Buffer.from('{"a":\n1}'))).toBe('{"a":\\n1}');
    expect(answerPreview(Buffer.from('key AKIAIOSFODNN7EXAMPLE'))).toBe('the text "key [REDACTED:access-key-id]"');
  });
});
