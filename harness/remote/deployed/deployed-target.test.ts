/**
 * The deployed target end to end with no AWS account: the SDK is pointed at lambdaspec's own Invoke front serving a
 * bundled runtime, so the deployed code path — Invoke with LogType Tail, InvokeWithResponseStream, REPORT parsing,
 * cold-start forcing through UpdateFunctionConfiguration, snapshot diffing and every fatal error — runs for real.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { memoryIo } from '../../cli/io.ts';
import { LocalEnvironment } from '../../environment/local-environment.ts';
import { InvokeFront, type FrontCall, type FrontRejection } from '../../invoke/front.ts';
import type { RunReport } from '../../model/report-model.ts';
import { functionConfigFor, resolveRuntime } from '../../runtime-definition/resolve-runtime.ts';
import type { Snapshot } from '../../snapshots/snapshot-model.ts';
import { COLD_START_VARIABLE } from './cold-start.ts';

const saved = { ...process.env };
let env: LocalEnvironment;
/** A function that is not the probe handler, for the preflight. */
let noProbe: LocalEnvironment;
let front: InvokeFront;
let url: string;
let dir: string;
/** What the front's admit hook does; each test sets it. */
let admit: (call: FrontCall) => FrontRejection | undefined = () => undefined;
const calls: FrontCall[] = [];

beforeAll(async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDLAMBDASPECTEST', AWS_SECRET_ACCESS_KEY: 'not-a-secret', AWS_REGION: 'us-east-1' });
  delete process.env['AWS_PROFILE'];
  const runtime = resolveRuntime('python-stdlib');
  env = await LocalEnvironment.create(functionConfigFor(runtime, { functionName: 'probe-fn' }), { hostPath: process.env['PATH'] ?? '' });
  const noProbeRuntime = resolveRuntime(fileURLToPath(new URL('../../testing/fixtures/no-probe', import.meta.url)));
  noProbe = await LocalEnvironment.create(functionConfigFor(noProbeRuntime, { functionName: 'no-probe-fn' }), {
    hostPath: process.env['PATH'] ?? '',
  });
  front = new InvokeFront({
    resolve: (name) => (name === 'probe-fn' ? env : name === 'no-probe-fn' ? noProbe : undefined),
    admit: (call) => {
      calls.push(call);
      return admit(call);
    },
  });
  url = (await front.start()).url;
  dir = mkdtempSync(join(tmpdir(), 'lambdaspec-deployed-test-'));
});

afterAll(async () => {
  await front.close();
  await env.close();
  await noProbe.close();
  rmSync(dir, { recursive: true, force: true });
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

afterEach(() => {
  admit = () => undefined;
  calls.length = 0;
});

const FILTERS = [
  '--filter',
  'context.*',
  '--filter',
  'error.*',
  '--filter',
  'streaming.error-body-base64-json',
  '--filter',
  'response.zero-bytes',
];

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIo();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

function report(sub: string): RunReport {
  return JSON.parse(readFileSync(join(dir, sub, 'report.json'), 'utf8')) as RunReport;
}

describe('lambdaspec run --target deployed', () => {
  it('runs the observable cases through Invoke and InvokeWithResponseStream and skips the rest with the reason', async () => {
    const r = await run([
      'run',
      'python-stdlib',
      '--target',
      'deployed',
      '--function',
      'probe-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'a'),
      ...FILTERS,
    ]);
    expect(r.err).not.toContain('NodeVersionSupportWarning');
    expect(r.code).toBe(0);
    const rep = report('a');
    expect(rep.target).toBe('deployed');
    expect(rep.summary.fail).toBe(0);
    expect(rep.summary.pass).toBeGreaterThanOrEqual(6);
    const skipped = rep.cases.filter((c) => c.verdict === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    for (const c of skipped) expect(c.reason).toMatch(/not observable on a deployed function/);
    // The streaming case went through InvokeWithResponseStream, the others through Invoke, all with log tails.
    expect(calls.some((c) => c.operation === 'InvokeWithResponseStream')).toBe(true);
    expect(calls.some((c) => c.operation === 'Invoke')).toBe(true);
    const streamed = rep.cases.find((c) => c.id === 'streaming.error-body-base64-json')!;
    expect(streamed.verdict).toBe('pass');
    // REPORT fields came from the log tail.
    const ok = rep.cases.find((c) => c.id === 'response.zero-bytes')!;
    expect(ok.evidence.results[0]!.reportFields).toEqual(
      expect.arrayContaining(['Duration', 'Billed Duration', 'Memory Size', 'Max Memory Used']),
    );
    expect(ok.evidence.logs.some((l) => l.text.startsWith('REPORT RequestId:'))).toBe(true);
  });

  it('forces cold starts with UpdateFunctionConfiguration and restores the configuration', async () => {
    const r = await run([
      'run',
      'python-stdlib',
      '--target',
      'deployed',
      '--function',
      'probe-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'b'),
      '--cold',
      '2',
      '--filter',
      'response.zero-bytes',
    ]);
    expect(r.code).toBe(0);
    const cold = report('b').coldStarts!;
    expect(cold.degraded).toBeUndefined();
    expect(cold.samples).toHaveLength(2);
    for (const s of cold.samples) expect(s.initDurationMs).toBeGreaterThan(0);
    expect(calls.filter((c) => c.operation === 'UpdateFunctionConfiguration')).toHaveLength(3);
    expect(env.config.environment[COLD_START_VARIABLE]).toBeUndefined();
    expect(readFileSync(join(dir, 'b', 'report.md'), 'utf8')).toContain('## Cold starts');
    expect(readFileSync(join(dir, 'b', 'report.html'), 'utf8')).toContain('<h2>Cold starts</h2>');
  });

  it('degrades to warm invocations, saying which permissions are missing, when the update is denied', async () => {
    admit = (c) =>
      c.operation === 'UpdateFunctionConfiguration'
        ? { status: 403, errorType: 'AccessDeniedException', message: 'not allowed' }
        : undefined;
    const r = await run([
      'run',
      'python-stdlib',
      '--target',
      'deployed',
      '--function',
      'probe-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'c'),
      '--cold',
      '2',
      '--filter',
      'response.zero-bytes',
    ]);
    expect(r.code).toBe(0);
    const cold = report('c').coldStarts!;
    expect(cold.degraded).toMatch(/lambda:UpdateFunctionConfiguration/);
    expect(cold.samples).toHaveLength(2);
    expect(r.err).toContain('measured warm invocations only');
  });

  it('stops on throttling with one message and exit 2, keeping the cases done so far', async () => {
    let invokes = 0;
    admit = (c) =>
      c.operation.startsWith('Invoke') && ++invokes > 3
        ? { status: 429, errorType: 'TooManyRequestsException', message: 'Rate Exceeded.' }
        : undefined;
    const r = await run([
      'run',
      'python-stdlib',
      '--target',
      'deployed',
      '--function',
      'probe-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'd'),
      ...FILTERS,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/throttled by .* \(429 TooManyRequestsException after 3 attempts\)/);
    expect(r.err).not.toMatch(/\n\s+at /);
    const rep = report('d');
    expect(rep.stopped).toMatch(/throttled/);
    expect(readFileSync(join(dir, 'd', 'report.html'), 'utf8')).toContain('The run stopped early: ');
    expect(rep.interrupted).toBe(true);
    expect(rep.cases.filter((c) => c.verdict === 'pass').length).toBeGreaterThanOrEqual(1);
    expect(rep.cases.every((c) => c.verdict !== 'fail')).toBe(true);
  });

  it('says so when the credentials are refused, the function does not exist, or the endpoint is unreachable', async () => {
    admit = (c) =>
      c.accessKeyId === 'AKIDLAMBDASPECTEST'
        ? { status: 403, errorType: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }
        : undefined;
    const creds = await run([
      'run',
      '--target',
      'deployed',
      '--function',
      'probe-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'e'),
      '--filter',
      'response.zero-bytes',
    ]);
    expect(creds.code).toBe(2);
    expect(creds.err).toMatch(/refused the credentials \(UnrecognizedClientException/);
    admit = () => undefined;

    const missing = await run([
      'run',
      '--target',
      'deployed',
      '--function',
      'no-such-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'f'),
      '--filter',
      'response.zero-bytes',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/function no-such-fn not found/);

    const net = await run([
      'run',
      '--target',
      'deployed',
      '--function',
      'probe-fn',
      '--endpoint',
      'http://127.0.0.1:9',
      '--report-dir',
      join(dir, 'g'),
      '--filter',
      'response.zero-bytes',
    ]);
    expect(net.code).toBe(2);
    expect(net.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\)/);
  });

  it('writes no credential-shaped string from the log tail or the payload into the reports', async () => {
    const key = 'AKIA' + 'IOSFODNN7EXAMPLE';
    const secret = 'aws_secret_access_key=' + 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const suite = join(dir, 'leaky.yaml');
    writeFileSync(
      suite,
      [
        'area: robustness',
        'cases:',
        '  - id: robustness.leaky-log',
        '    title: a runtime that prints credentials',
        '    level: must',
        '    requirement: reports carry no secrets',
        '    source: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html',
        '    steps:',
        '      - invoke:',
        `          event: { probe: log, lines: ["${key}", "${secret}"] }`,
        '          logTail: true',
        '        expect:',
        `          logs: { contains: ["${key}"] }`,
        '',
      ].join('\n'),
    );
    const r = await run([
      'run',
      'python-stdlib',
      '--target',
      'deployed',
      '--function',
      'probe-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'leak'),
      '--suite',
      suite,
    ]);
    expect(r.code).toBe(0);
    for (const f of ['report.json', 'report.md', 'junit.xml']) {
      const text = readFileSync(join(dir, 'leak', f), 'utf8');
      expect(text).not.toContain(key);
      expect(text).not.toContain('wJalrXUtnFEMI');
    }
    expect(readFileSync(join(dir, 'leak', 'report.json'), 'utf8')).toContain('[REDACTED:access-key-id]');
  });

  it('stops with one line and exit 2 when the function is not the probe handler, through the same Invoke path', async () => {
    const r = await run([
      'run',
      '--target',
      'deployed',
      '--function',
      'no-probe-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'np'),
      '--filter',
      'context.*',
      '--cold',
      '2',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'lambdaspec: no-probe-fn does not implement the probe handler: it answered "hello from bash" to {"probe":"echo","payload":"lambdaspec-preflight"} and "hello from bash" to {"probe":"context"}; see docs/probe-contract.md\n',
    );
    // The preflight's two invocations, and nothing else: no cold start is forced on a function that is not a probe.
    expect(calls.map((c) => c.operation)).toEqual(['Invoke', 'Invoke']);
    expect(report('np')).toMatchObject({
      stopped: expect.stringContaining('does not implement the probe handler'),
      cases: [],
      exitCode: 2,
    });
  });

  it('rejects deployed-only flags on local targets and a missing --function', async () => {
    expect((await run(['run', 'python-stdlib', '--function', 'x'])).err).toMatch(/--function is for --target deployed/);
    expect((await run(['run', '--target', 'deployed'])).err).toMatch(/needs --function/);
    expect((await run(['run', '--target', 'deployed', '--function', 'x', '--capabilities', 'teleport'])).err).toMatch(
      /unknown capability "teleport"/,
    );
    expect((await run(['run', '--target', 'deployed', '--function', 'x', '--endpoint', 'nope'])).err).toMatch(
      /--endpoint: "nope" is not a URL/,
    );
    expect((await run(['run', '--target', 'deployed', '--function', 'x', '--endpoint', 'ftp://h'])).err).toMatch(
      /--endpoint: "ftp:\/\/h" is not an http\(s\) URL/,
    );
    expect((await run(['load', '--url', 'ftp://h', '--requests', '1'])).err).toMatch(/--url: "ftp:\/\/h" is not an http\(s\) URL/);
    expect((await run(['invoke', '--url', 'file:///etc/passwd'])).err).toMatch(/--url: "file:\/\/\/etc\/passwd" is not an http\(s\) URL/);
  });
});

describe('snapshot parity', () => {
  it('records a snapshot on the deployed target; a local run matches it, a changed outcome is reported', { timeout: 90_000 }, async () => {
    const snap = join(dir, 'snap.json');
    const s = await run([
      'snapshot',
      'python-stdlib',
      '--target',
      'deployed',
      '--function',
      'probe-fn',
      '--endpoint',
      url,
      '--report-dir',
      join(dir, 'h'),
      '--out',
      snap,
      ...FILTERS,
    ]);
    expect(s.code).toBe(0);
    const snapshot = JSON.parse(readFileSync(snap, 'utf8')) as Snapshot;
    expect(snapshot.target).toBe('deployed');
    expect(snapshot.cases.some((c) => c.skipped === undefined && c.steps[0]?.payloadDigest)).toBe(true);

    // The same runtime locally: every compared outcome matches.
    const same = await run(['run', 'node-stdlib', '--report-dir', join(dir, 'i'), '--against', snap, ...FILTERS]);
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/\d+ cases compared, no differences/);

    // A recorded outcome that differs (here: edited) is named with both sides.
    const edited: Snapshot = JSON.parse(readFileSync(snap, 'utf8')) as Snapshot;
    const target =
      edited.cases.find((c) => c.id === 'error.unhandled-error-type' && c.skipped === undefined) ??
      edited.cases.find((c) => c.skipped === undefined && c.steps[0]?.errorType)!;
    target.steps[0]!.errorType = 'Deployed.SomethingElse';
    writeFileSync(snap, JSON.stringify(edited));
    const diff = await run(['run', 'python-stdlib', '--report-dir', join(dir, 'j'), '--against', snap, ...FILTERS]);
    expect(diff.code).toBe(1);
    expect(diff.out).toContain(`| \`${target.id}\` | 1 | \`errorType\` | \`Deployed.SomethingElse\` |`);
    expect(JSON.parse(readFileSync(join(dir, 'j', 'parity.json'), 'utf8')).differences).toHaveLength(1);
  });

  it('refuses a file that is not a snapshot', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"something"}');
    const r = await run(['run', 'python-stdlib', '--against', bad]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/not a lambdaspec snapshot/);
    const noOut = await run(['snapshot', 'python-stdlib']);
    expect(noOut.code).toBe(2);
    expect(noOut.err).toMatch(/--out <file> is required/);
    expect((await run(['snapshot', 'python-stdlib', '--out'])).err).toMatch(/'--out <value>' argument missing/);
  });
});
