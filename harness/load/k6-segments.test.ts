/**
 * Sharded k6 runs, for real: N local instances with execution segments folded into one report. The fold must be
 * exact on counts and errors, and its latency quantiles within LATENCY_BUCKET_RELATIVE_ERROR of the exact quantiles
 * of every instance's raw samples put together (read from k6's own JSON output). Then `load --segments 2` against
 * an unsegmented run of the same schedule, `--export` manifests against the k6-operator CRD's fields, and `load fold`
 * on runner-pod-shaped logs. Skipped without k6 unless LAMBDASPEC_REQUIRE_ALL=1 (.ci/run builds it).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAll } from '../runtime-definition/build.ts';
import { foldK6Summaries } from './k6-fold.ts';
import { LATENCY_BUCKET_RELATIVE_ERROR } from './k6-latency-buckets.ts';
import { findK6, runK6, segmentArgs } from './k6-runner.ts';
import { generateK6Script, K6_SUMMARY_MARKER } from './k6-script.ts';
import type { LoadReport } from './load-model.ts';
import { resolveLoadOptions } from './load-options.ts';
import { cli } from '../testing/cli-run.ts';

const k6 = findK6();
const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-k6seg-'));
let server: Server;
let url: string;

/** Latency and errors keyed on the iteration, which is unique across segments: both runs meet the same plan. */
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    const iteration = Number(req.headers['x-lambdaspec-iteration'] ?? 0);
    setTimeout(
      () => {
        res.writeHead(iteration % 7 === 3 ? 500 : 200, { 'content-type': 'application/json' });
        res.end('{}');
      },
      (iteration % 5) * 8,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(scratch, { recursive: true, force: true });
});

const REQUESTS = 210;
const options = () => resolveLoadOptions({ concurrency: 4, requests: REQUESTS, durationMs: 60_000, localEnvironments: false });

/** Nearest-rank quantile of raw samples. */
const quantile = (sorted: number[], p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe.skipIf(!k6 && !requireAll())('k6 sharding (skips without k6)', () => {
  it(
    'folds two segments exactly: counts and errors add, quantiles within the bucket bound of the raw samples',
    { timeout: 90_000 },
    async () => {
      expect(k6, 'k6 is required (LAMBDASPEC_REQUIRE_ALL=1): go install go.k6.io/k6@v1.8.1').toBeDefined();
      const script = generateK6Script(options(), { url, invokeApi: false, iterationHeader: true });
      const raw = [0, 1].map((i) => join(scratch, `raw-${i}.jsonl`));
      const runs = await Promise.all(
        [0, 1].map((i) => runK6(k6!, script, 60_000, undefined, [...segmentArgs(i, 2), '--out', `json=${raw[i]}`])),
      );
      const fold = foldK6Summaries(
        runs.map((r, i) => ({ summary: r.summary, source: `segment ${i + 1}/2` })),
        'closed',
      );
      expect(fold.counts).toEqual({ sent: REQUESTS, completed: REQUESTS, ok: REQUESTS - 30 });
      expect(fold.errors).toEqual({ total: 30, http: { '500': 30 }, functionError: {}, transport: {} });
      expect(fold.segments!.map((s) => s.counts.sent).reduce((a, b) => a + b)).toBe(REQUESTS);
      // k6's JSON output holds every sample: the exact quantiles of both instances together.
      const samples = raw
        .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
        .filter((l) => l.includes('"metric":"http_req_duration"') && l.includes('"type":"Point"'))
        .map((l) => (JSON.parse(l) as { data: { value: number } }).data.value)
        .sort((a, b) => a - b);
      expect(samples).toHaveLength(REQUESTS);
      expect(fold.latency.count).toBe(REQUESTS);
      expect(fold.latency.min).toBeCloseTo(samples[0]!, 2);
      expect(fold.latency.max).toBeCloseTo(samples[samples.length - 1]!, 2);
      for (const [p, key] of [
        [50, 'p50'],
        [90, 'p90'],
        [99, 'p99'],
      ] as const) {
        const exact = quantile(samples, p);
        // Half a bucket, plus HDR's 3 significant digits and the 1 µs the script rounds to.
        expect(Math.abs(fold.latency[key] - exact), `p${p}: folded ${fold.latency[key]} vs exact ${exact}`).toBeLessThanOrEqual(
          exact * (LATENCY_BUCKET_RELATIVE_ERROR + 0.001) + 0.002,
        );
      }
    },
  );

  it('load --segments 2 gives the counts and errors of one unsegmented run of the same schedule', { timeout: 120_000 }, async () => {
    const run = async (extra: string[], out: string): Promise<LoadReport> => {
      const r = await cli([
        'load',
        '--url',
        url,
        '--engine',
        'k6',
        '--iteration-header',
        '--concurrency',
        '4',
        '--requests',
        String(REQUESTS),
        ...extra,
        '--out',
        out,
      ]);
      expect(r.err).not.toMatch(/\n\s+at /);
      expect(r.code).toBe(0);
      return JSON.parse(readFileSync(out, 'utf8')) as LoadReport;
    };
    const single = await run([], join(scratch, 'single.json'));
    const sharded = await run(['--segments', '2'], join(scratch, 'sharded.json'));
    expect(sharded.counts).toEqual(single.counts);
    expect(sharded.errors).toEqual(single.errors);
    expect(sharded.k6!.segments).toHaveLength(2);
    const sum = sharded.k6!.segments!.reduce(
      (a, s) => ({ sent: a.sent + s.counts.sent, ok: a.ok + s.counts.ok, errors: a.errors + s.errors }),
      { sent: 0, ok: 0, errors: 0 },
    );
    expect(sum).toEqual({ sent: sharded.counts.sent, ok: sharded.counts.ok, errors: sharded.errors.total });
    // Two runs are two samples of one plan (the server's delays, 0–32 ms, are keyed on the iteration): both must
    // show at least the planned delays (p50 16 ms, p99 32 ms) less the fold's bound, since a machine's noise only
    // adds. How far above is noise — on a shared 2-core machine the medians of two runs differ by up to 2× — so
    // the fold's own bound is proven by the test above, against the raw samples of the same run.
    for (const r of [single, sharded]) {
      expect(r.latency.uncorrected.p50).toBeGreaterThanOrEqual(16 * (1 - LATENCY_BUCKET_RELATIVE_ERROR));
      expect(r.latency.uncorrected.p99).toBeGreaterThanOrEqual(32 * (1 - LATENCY_BUCKET_RELATIVE_ERROR));
    }
  });

  it('load fold merges runner-pod logs of an exported test into the same counts', { timeout: 90_000 }, async () => {
    const dir = join(scratch, 'export');
    const exported = await cli([
      'load',
      '--url',
      url,
      '--engine',
      'k6',
      '--iteration-header',
      '--concurrency',
      '4',
      '--requests',
      String(REQUESTS),
      '--export',
      dir,
      '--parallelism',
      '2',
    ]);
    expect(exported.code).toBe(0);
    // Play the two runner pods: the exported script with the segments k6-operator would give them, stdout kept.
    // (Asynchronously: the endpoint they load lives in this process.)
    const pod = (i: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const child = spawn(k6!, ['run', '--quiet', '--no-color', '--no-usage-report', ...segmentArgs(i, 2), join(dir, 'load.js')], {
          stdio: ['ignore', 'pipe', 'ignore'],
        });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.once('error', reject);
        child.once('close', () => {
          clearTimeout(timer);
          resolve(
            out
              .split('\n')
              .map((l) => `[pod/lambdaspec-load-${i + 1}] ${l}`)
              .join('\n'),
          );
        });
      });
    const logs = await Promise.all([pod(0), pod(1)]);
    const log = join(scratch, 'runners.log');
    writeFileSync(log, logs.join('\n'));
    expect(readFileSync(log, 'utf8').split(K6_SUMMARY_MARKER)).toHaveLength(3);
    const out = join(scratch, 'folded.json');
    const folded = await cli(['load', 'fold', log, '--out', out]);
    expect(folded.err).toBe('');
    expect(folded.code).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as LoadReport;
    expect(report.counts).toEqual({ sent: REQUESTS, completed: REQUESTS, ok: REQUESTS - 30 });
    expect(report.k6!.segments).toHaveLength(2);
    expect(report.target.url).toBe(url);
  });
});

describe('k6 export', () => {
  const dir = join(scratch, 'export-only');

  it('writes a TestRun and ConfigMap that the k6-operator CRD fields accept', async () => {
    const r = await cli([
      'load',
      '--url',
      'https://abc.lambda-url.eu-west-1.on.aws/',
      '--engine',
      'k6',
      '--concurrency',
      '50',
      '--requests',
      '1000',
      '--export',
      dir,
      '--parallelism',
      '4',
    ]);
    expect(r.code).toBe(0);
    const testRun = parse(readFileSync(join(dir, 'testrun.yaml'), 'utf8')) as Record<string, unknown>;
    const configMap = parse(readFileSync(join(dir, 'configmap.yaml'), 'utf8')) as {
      data: Record<string, string>;
      metadata: { name: string };
    };
    const schema = JSON.parse(
      readFileSync(new URL('../testing/fixtures/k6-operator/testrun-fields.schema.json', import.meta.url), 'utf8'),
    ) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(testRun), JSON.stringify(validate.errors)).toBe(true);
    expect(testRun).toMatchObject({
      apiVersion: 'k6.io/v1alpha1',
      kind: 'TestRun',
      spec: { parallelism: 4, script: { configMap: { name: configMap.metadata.name, file: 'load.js' } } },
    });
    expect(configMap.data['load.js']).toBe(readFileSync(join(dir, 'load.js'), 'utf8'));
    expect(configMap.data['load.js']).toContain('export function handleSummary');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(`kubectl logs -l k6_cr=${configMap.metadata.name},runner=true`);
  });

  it.each([
    [['--engine', 'k6', '--export', '/tmp/x', 'node-stdlib'], /--export needs --url/],
    [['--url', 'http://127.0.0.1:1/', '--export', '/tmp/x'], /--export writes a k6 test: it needs --engine k6/],
    [['--url', 'http://127.0.0.1:1/', '--segments', '2'], /--segments splits a k6 test/],
    [['--url', 'http://127.0.0.1:1/', '--engine', 'k6', '--segments', '40'], /--segments: 40 is out of range/],
    [['--url', 'http://127.0.0.1:1/', '--engine', 'k6', '--parallelism', '3'], /--parallelism is for --export/],
  ])('refuses %j with one line, exit 2', async (args, message) => {
    const r = await cli(['load', ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('load fold refuses a file that holds no summary, naming it', async () => {
    const f = join(scratch, 'nothing.log');
    writeFileSync(f, 'just a log\n');
    const r = await cli(['load', 'fold', f]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/nothing\.log: neither a k6 summary JSON nor a log with LAMBDASPEC_K6_SUMMARY lines/);
  });
});
