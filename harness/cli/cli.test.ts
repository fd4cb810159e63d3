import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../model/report-model.ts';
import type { RecordingJson } from '../model/recording.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { REPO_ROOT } from '../runtime-definition/resolve-runtime.ts';
import { memoryIo } from './io.ts';
import { INVOKE_USAGE } from './invoke-command.ts';
import { serveCommand } from './serve-command.ts';
import { cli } from '../testing/cli-run.ts';

const dir = mkdtempSync(join(tmpdir(), 'lambdaspec-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  expect(liveProcessCount()).toBe(0);
});

describe('bad input: one clear line, exit 2, no stack trace', () => {
  it.each([
    [['frobnicate'], /^lambdaspec: unknown command "frobnicate"/],
    [['invoke', 'python-stdlib', '--bogus'], /^lambdaspec: invoke: Unknown option '--bogus'/],
    [['invoke', 'no-such-runtime'], /^lambdaspec: runtime "no-such-runtime" not found/],
    [['invoke', 'python-stdlib', '--event', '/nonexistent.json'], /^lambdaspec: --event: file \/nonexistent.json does not exist/],
    [['invoke', 'python-stdlib', '--timeout', 'soon'], /^lambdaspec: --timeout: "soon" is not a duration/],
    [['run', 'python-stdlib', '--filter', 'nothing.matches.*'], /^lambdaspec: --filter nothing\.matches\.\* matches no case/],
    [['serve', 'python-stdlib', '--host', '0.0.0.0'], /^lambdaspec: serve: refusing to bind 0\.0\.0\.0/],
  ])('%j', async (args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it('names a bootstrap that is not executable', async () => {
    const rt = join(dir, 'noexec');
    mkdirSync(rt);
    writeFileSync(join(rt, 'bootstrap'), '#!/bin/sh\n');
    chmodSync(join(rt, 'bootstrap'), 0o644);
    const r = await cli(['invoke', rt]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`lambdaspec: bootstrap ${join(rt, 'bootstrap')} is not executable (chmod +x it)\n`);
  });

  it('names file and line of a broken runtime.yaml', async () => {
    const rt = join(dir, 'badyaml');
    mkdirSync(rt);
    writeFileSync(join(rt, 'runtime.yaml'), 'name: bad\nlanguage: x\nhandler: h\nbootstrap: b\narchitecture: sparc\n');
    const r = await cli(['invoke', rt]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/runtime\.yaml:5: architecture must be one of "x86_64", "arm64"\n$/);
  });

  it('names file and line of a malformed suite', async () => {
    const suite = join(dir, 'broken.yaml');
    writeFileSync(
      suite,
      'area: demo\ncases:\n  - id: demo.x\n    title: t\n    level: must\n    requirement: r\n    source: https://x\n    needs: [teleport]\n    steps: [{ sleep: 1 }]\n',
    );
    const r = await cli(['run', 'python-stdlib', '--suite', suite]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/broken\.yaml:8: cases\[0\]\.needs\[0\] must be one of "streaming", "handler", "logging"\n$/);
  });
});

describe('lambdaspec invoke', () => {
  it('prints the response, the log tail, and saves the wire recording', async () => {
    const event = join(dir, 'event.json');
    writeFileSync(event, '{"probe":"echo","payload":{"greeting":"héllo"}}');
    const record = join(dir, 'wire.json');
    const r = await cli(['invoke', 'python-stdlib', '--event', event, '--record', record]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ greeting: 'héllo' });
    expect(r.err).toMatch(/^ok: response/);
    expect(r.err).toMatch(/REPORT RequestId: \S+\tDuration: /);
    const rec = JSON.parse(readFileSync(record, 'utf8')) as RecordingJson;
    expect(rec.format).toBe('lambdaspec.recording/v1');
    const kinds = rec.exchanges.map((x) => x.kind);
    expect(kinds.slice(0, 2)).toEqual(['next', 'response']);
    expect(rec.exchanges[1]!.request.body.utf8).toBe('{"greeting": "héllo"}');
  });

  it('exits 1 when the invocation fails, and reads the event from stdin', async () => {
    const r = await cli(
      ['invoke', 'python-stdlib', '--event', '-', '--quiet'],
      '{"probe":"error","errorType":"Probe.Boom","errorMessage":"boom"}',
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ errorType: 'Probe.Boom', errorMessage: 'boom' });
  });

  it('refuses what the Invoke API refuses (7 MB, not JSON) in one line, exit 2; --raw delivers it', async () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, `"${'a'.repeat(7_000_000)}"`);
    const tooLarge = await cli(['invoke', 'python-stdlib', '--event', big]);
    expect(tooLarge.code).toBe(2);
    expect(tooLarge.err).toBe(
      `lambdaspec: --event ${big}: Lambda would refuse it: 413 RequestEntityTooLargeException: Request must be smaller than 6291456 bytes for the InvokeFunction operation (--raw delivers it anyway)\n`,
    );
    const notJson = await cli(['invoke', 'python-stdlib', '--event', '-'], 'hello');
    expect(notJson.code).toBe(2);
    expect(notJson.err).toMatch(
      /^lambdaspec: --event - \(stdin\): Lambda would refuse it: 400 InvalidRequestContentException: Could not parse request body into json: .*\(--raw delivers it anyway\)\n$/,
    );
    expect(liveProcessCount()).toBe(0);

    const record = join(dir, 'raw-wire.json');
    const raw = await cli(['invoke', 'python-stdlib', '--event', '-', '--raw', '--record', record], 'hello');
    expect(raw.code).not.toBe(2);
    const rec = JSON.parse(readFileSync(record, 'utf8')) as RecordingJson;
    expect(rec.exchanges.find((x) => x.kind === 'next')!.response!.body.utf8).toBe('hello');
    expect(INVOKE_USAGE).toMatch(/--raw/);
    const context = await cli(['invoke', 'python-stdlib', '--client-context', '[1,2]']);
    expect(context.code).toBe(2);
    expect(context.err).toBe('lambdaspec: --client-context: Lambda accepts only a JSON object, got [1,2] (--raw delivers it anyway)\n');
  });

  it('an empty event reaches the runtime as {}, as from the Invoke API', async () => {
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '');
    const r = await cli(['invoke', 'python-stdlib', '--event', empty, '--quiet']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({});
  });

  it('a mid-stream error is a failure: no "ok", exit 1, the error type named', async () => {
    const r = await cli(
      ['invoke', 'python-stdlib', '--event', '-', '--stream'],
      '{"probe":"stream-error","chunks":["a","b"],"errorType":"Probe.Mid","errorMessage":"mid"}',
    );
    expect(r.code).toBe(1);
    expect(r.out).toBe('ab\n');
    expect(r.err).not.toMatch(/^ok/m);
    expect(r.err).toMatch(/^mid-stream error Probe\.Mid after 2 chunk\(s\)/);
  });

  it('streams chunks to stdout as they arrive', async () => {
    const r = await cli(['invoke', 'python-stdlib', '--event', '-', '--stream'], '{"probe":"stream","chunks":["a","b","c"]}');
    expect(r.code).toBe(0);
    expect(r.out).toBe('abc\n');
    expect(r.err).toMatch(/streamed response, 3 chunk\(s\)/);
  });
});

describe('lambdaspec run', () => {
  it('writes report.json, report.md and junit.xml and exits 0 when no MUST fails', async () => {
    const out = join(dir, 'reports-py');
    const junit = join(dir, 'py-junit.xml');
    const r = await cli([
      'run',
      'python-stdlib',
      '--filter',
      'error.*',
      '--filter',
      'streaming.chunked-framing',
      '--report-dir',
      out,
      '--junit',
      junit,
    ]);
    expect(r.code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(report.cases.map((c) => c.id)).toContain('streaming.chunked-framing');
    expect(report.cases.every((c) => c.id.startsWith('error.') || c.id === 'streaming.chunked-framing')).toBe(true);
    expect(report.summary.fail).toBe(0);
    expect(report.runtime).toMatchObject({ name: 'python-stdlib', capabilities: { streaming: true } });
    expect(existsSync(join(out, 'report.md'))).toBe(true);
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toContain('<details class="case" id="streaming.chunked-framing"');
    expect(readFileSync(junit, 'utf8')).toMatch(/^<\?xml/);
    expect(r.err).toMatch(/^PASS python-stdlib error\.handler-error-posted \(\d+ ms\)$/m);
    expect(r.out).toMatch(/python-stdlib: \d+ pass, 0 fail/);
  });

  it('exits 1 under --strict when a SHOULD breaks, 0 without', async () => {
    const args = ['run', 'bash-curl', '--filter', 'events.invalid-json-not-passed', '--report-dir', join(dir, 'reports-bash')];
    expect((await cli(args)).code).toBe(0);
    const strict = await cli([...args, '--strict']);
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(/^WARN bash-curl events\.invalid-json-not-passed/m);
  });
});

describe('the probe preflight', () => {
  const noProbe = fileURLToPath(new URL('../testing/fixtures/no-probe', import.meta.url));
  const line = (name: string): string =>
    `lambdaspec: ${name} does not implement the probe handler: it answered "hello from bash" to {"probe":"echo","payload":"lambdaspec-preflight"} and "hello from bash" to {"probe":"context"}; see docs/probe-contract.md\n`;

  it('stops run on a runtime without the probe: one line, exit 2, a report that says so', async () => {
    const out = join(dir, 'reports-no-probe');
    const r = await cli(['run', 'python-stdlib', noProbe, '--report-dir', out]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(line('no-probe'));
    const report = JSON.parse(readFileSync(join(out, 'no-probe', 'report.json'), 'utf8')) as RunReport;
    expect(report).toMatchObject({ stopped: line('no-probe').slice('lambdaspec: '.length, -1), cases: [], exitCode: 2 });
    expect(readFileSync(join(out, 'no-probe', 'report.md'), 'utf8')).toContain('does not implement the probe handler');
    // Every runtime is preflighted before any suite runs: the one named first never ran its suite.
    expect(existsSync(join(out, 'python-stdlib'))).toBe(false);
  });

  it('stops matrix the same way', async () => {
    // A bare bootstrap of a unique name: matrix writes each runtime's report under the repository's reports/.
    const name = `no-probe-${randomUUID().slice(0, 8)}`;
    mkdirSync(join(dir, name));
    copyFileSync(join(noProbe, 'bootstrap'), join(dir, name, 'bootstrap'));
    try {
      const r = await cli(['matrix', join(dir, name), '--out', join(dir, 'matrix-no-probe')]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(line(name));
      expect(existsSync(join(dir, 'matrix-no-probe'))).toBe(false);
    } finally {
      rmSync(join(REPO_ROOT, 'reports', name), { recursive: true, force: true });
    }
  });
});

describe('lambdaspec serve', () => {
  it('when the runtime dies during pre-warm, the one-line warning shows what it printed last', async () => {
    const rt = join(dir, 'dies-in-init');
    mkdirSync(rt);
    writeFileSync(join(rt, 'bootstrap'), '#!/bin/sh\necho "looking for python" \necho "Python 3.11 not found in layer" >&2\nexit 4\n', {
      mode: 0o755,
    });
    const io = memoryIo();
    const running = serveCommand([rt, '--port', '0'], io, Promise.resolve());
    expect(await running).toBe(0);
    const warning = io
      .stderr()
      .split('\n')
      .find((l) => l.startsWith('warning: the runtime exited during init'));
    expect(warning).toBe(
      'warning: the runtime exited during init (exit status 4); its last output: "looking for python" / "Python 3.11 not found in layer"; invocations will report it',
    );
  });

  it('serves the runtime behind the Invoke API and prints a curl to paste', async () => {
    const io = memoryIo();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const running = serveCommand(['python-stdlib', '--port', '0'], io, stopped);
    let url: string | undefined;
    for (let i = 0; i < 200 && !url; i++) {
      url = /Serving python-stdlib \(.*\) at (http:\/\/127\.0\.0\.1:\d+)/.exec(io.stdout())?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 25));
    }
    expect(url).toBeDefined();
    expect(io.stdout()).toContain(`curl -sS -X POST '${url}/2015-03-31/functions/python-stdlib/invocations'`);
    const res = await fetch(`${url}/2015-03-31/functions/function/invocations`, {
      method: 'POST',
      body: '{"probe":"echo","payload":7}',
      headers: { 'X-Amz-Log-Type': 'Tail' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toBe(7);
    expect(Buffer.from(res.headers.get('x-amz-log-result')!, 'base64').toString()).toContain('REPORT RequestId:');
    stop();
    expect(await running).toBe(0);
  });
});

describe('interrupting a run', () => {
  it('on Ctrl-C writes the partial report with the cases done so far and exits 130', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bin = fileURLToPath(new URL('../../bin/lambdaspec.mjs', import.meta.url));
    const out = join(dir, 'interrupted');
    const child = spawn(process.execPath, [bin, 'run', 'python-stdlib', '--report-dir', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    for (let i = 0; i < 600 && (err.match(/^PASS /gm) ?? []).length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as RunReport;
    expect(report.interrupted).toBe(true);
    expect(report.cases.length).toBeGreaterThanOrEqual(3);
    expect(report.cases.length).toBeLessThan(71);
    expect(report.summary.total).toBe(report.cases.length);
    // Not green: the real exit status, and every case not reached named, in report.json and as JUnit errors.
    expect(report.exitCode).toBe(130);
    expect(report.notRun?.length).toBeGreaterThan(0);
    const ran = new Set(report.cases.map((c) => c.id));
    expect(report.notRun!.filter((c) => ran.has(c.id))).toEqual([]);
    const junit = readFileSync(join(out, 'junit.xml'), 'utf8');
    expect(junit).toMatch(new RegExp(`<testsuites [^>]*errors="${report.notRun!.length}"`));
    expect(junit.split('type="not-run"').length - 1).toBe(report.notRun!.length);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md.split('\n').slice(0, 4).join('\n')).toMatch(
      /\*\*Interrupted: incomplete run\.\*\* \d+ cases ran, \d+ did not; exit code 130/,
    );
    expect(readFileSync(join(out, 'report.html'), 'utf8')).toMatch(/role="alert">Interrupted:[^<]*\d+ cases did not run; exit code 130/);
  });
});

describe('secrets in reports', () => {
  it('keeps credential-shaped strings a runtime printed or returned out of every report format', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const keyId = 'AKIAIOSFODNN7EXAMPLE';
    const suite = join(dir, 'leaky.yaml');
    writeFileSync(
      suite,
      `area: leak
cases:
  - id: leak.printed-and-returned
    title: A runtime that prints and returns credentials
    level: must
    requirement: r
    source: https://example.com/
    steps:
      - invoke: { event: { probe: log, lines: ["AWS_SECRET_ACCESS_KEY=${secret}"] } }
      - invoke: { event: { probe: echo, payload: "${keyId}" } }
        expect: { result: { payload: "something else" } }
`,
    );
    const out = join(dir, 'leaky-report');
    const r = await cli(['run', 'python-stdlib', '--suite', suite, '--report-dir', out]);
    expect(r.code).toBe(1);
    for (const file of ['report.json', 'report.md', 'report.html', 'junit.xml']) {
      const text = readFileSync(join(out, file), 'utf8');
      expect(text, file).not.toContain(secret);
      expect(text, file).not.toContain(keyId);
    }
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toContain('[REDACTED:access-key-id]');
  });
});
