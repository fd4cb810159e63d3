/**
 * Load runs for real, small: node-stdlib behind the Invoke front with N environments (N processes), a plain
 * node:http endpoint for --url, and the k6 engine end to end (skipped without k6 unless LAMBDASPEC_REQUIRE_ALL=1).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli/io.ts';
import { main } from '../cli/main.ts';
import { requireAll } from '../runtime-definition/build.ts';
import { functionConfigFor, resolveRuntime } from '../runtime-definition/resolve-runtime.ts';
import { liveProcessCount } from '../process/process-runner.ts';
import { findK6 } from './k6-runner.ts';
import { decodeHistogram } from './latency-histogram.ts';
import type { LoadReport } from './load-model.ts';
import { resolveLoadOptions } from './load-options.ts';
import { runLoad, type LoadTarget } from './run-load.ts';

const scratch = mkdtempSync(join(tmpdir(), 'lambdaspec-load-'));
const runtime = resolveRuntime('node-stdlib');
const target: LoadTarget = { kind: 'runtime', runtime: 'node-stdlib', config: functionConfigFor(runtime, { functionName: 'node-stdlib' }) };
const ERROR_EVENT = { probe: 'error', errorType: 'Probe.Boom', errorMessage: 'load test' };

let endpoint: Server;
let endpointUrl: string;
let endpointHits = 0;

beforeAll(async () => {
  // Every 5th request answers 503: the --url generator must count them by status.
  endpoint = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      endpointHits++;
      const status = endpointHits % 5 === 0 ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  endpointUrl = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/fn`;
});

afterAll(async () => {
  endpoint.closeAllConnections();
  await new Promise((resolve) => endpoint.close(resolve));
  rmSync(scratch, { recursive: true, force: true });
  expect(liveProcessCount()).toBe(0);
});

describe('lambdaspec load, built-in generator', () => {
  it('honours the request count with N environments, N processes and N cold starts, and writes a valid report', async () => {
    const out = join(scratch, 'node-stdlib.json');
    const cap = memoryIo();
    const code = await main(['load', 'node-stdlib', '--concurrency', '3', '--requests', '60', '--out', out], cap);
    expect(code, cap.stderr()).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as LoadReport;
    expect(report).toMatchObject({
      format: 'lambdaspec.load/v1',
      engine: 'builtin',
      runtime: 'node-stdlib',
      target: { kind: 'invoke-api', functionName: 'node-stdlib' },
      options: { model: 'closed', concurrency: 3, requests: 60 },
      counts: { sent: 60, completed: 60, ok: 60 },
      errors: { total: 0 },
      coldStarts: { fromLogTail: 3, fromEnvironments: 3, environmentsCreated: 3, processesStarted: 3 },
    });
    expect(report.target.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/2015-03-31\/functions\/node-stdlib\/invocations$/);
    expect(report.throughput.requestsPerSecond).toBeGreaterThan(0);
    const l = report.latency.uncorrected;
    expect(l.count).toBe(60);
    expect(l.min).toBeLessThanOrEqual(l.p50);
    expect(l.p50).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.max);
    expect(decodeHistogram(l.hdrBase64!).totalCount).toBe(60);
    expect(report.latency.corrected).toBeUndefined();
    expect(cap.stdout()).toContain('## Load: node-stdlib (builtin)');
    expect(cap.stdout()).toContain('Cold starts: 3');
    expect(liveProcessCount()).toBe(0);
  });

  it('counts function errors by the errorType in the payload', async () => {
    const options = resolveLoadOptions({ concurrency: 2, requests: 20, event: ERROR_EVENT, localEnvironments: true });
    const report = await runLoad({ target, options, engine: 'builtin' });
    expect(report.counts).toMatchObject({ sent: 20, completed: 20, ok: 0 });
    expect(report.errors).toEqual({ total: 20, transport: {}, http: {}, functionError: { 'Probe.Boom': 20 } });
    expect(report.coldStarts.environmentsCreated).toBe(2);
  });

  it('open model: every due slot is sent or counted missed, and latency is also corrected', async () => {
    const options = resolveLoadOptions({ concurrency: 2, rate: 40, durationMs: 500, localEnvironments: true });
    const report = await runLoad({ target, options, engine: 'builtin' });
    expect(report.counts.sent + report.counts.missedSchedule!).toBe(20);
    expect(report.latency.corrected!.count).toBe(report.counts.completed);
    expect(report.latency.corrected!.max).toBeGreaterThanOrEqual(report.latency.uncorrected.max);
  });

  it('--url: POSTs the event to any endpoint and counts statuses; a closed port counts as transport errors', async () => {
    endpointHits = 0;
    const options = resolveLoadOptions({ concurrency: 4, requests: 50, localEnvironments: false });
    const report = await runLoad({ target: { kind: 'url', url: endpointUrl }, options, engine: 'builtin' });
    expect(endpointHits).toBe(50);
    expect(report).toMatchObject({
      runtime: null,
      target: { kind: 'url', url: endpointUrl },
      counts: { sent: 50, completed: 50, ok: 40 },
      errors: { total: 10, http: { '503': 10 } },
      coldStarts: { fromLogTail: null, fromEnvironments: null, environmentsCreated: null },
    });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const refused = await runLoad({
      target: { kind: 'url', url: `http://127.0.0.1:${port}/` },
      options: resolveLoadOptions({ concurrency: 1, requests: 3, localEnvironments: false }),
      engine: 'builtin',
    });
    expect(refused.errors).toMatchObject({ total: 3, transport: { ECONNREFUSED: 3 } });
  });

  it('refuses bad input with one line (exit 2)', async () => {
    const cap = memoryIo();
    expect(await main(['load', 'node-stdlib', '--requests', '5'], cap)).toBe(2);
    expect(cap.stderr()).toMatch(/^lambdaspec: load: --concurrency <n> is required/);
    const cap2 = memoryIo();
    expect(await main(['load', 'node-stdlib', '--concurrency', '1', '--requests', '5', '--engine', 'wrk'], cap2)).toBe(2);
    expect(cap2.stderr()).toContain('--engine must be builtin or k6');
  });
});

const k6 = findK6();

describe('lambdaspec load --engine k6', () => {
  it.skipIf(!k6 && !requireAll())(
    'runs k6 against the front and folds its summary into the report (skips without k6)',
    async () => {
      expect(k6, 'k6 is required (LAMBDASPEC_REQUIRE_ALL=1): go install go.k6.io/k6@v1.8.1').toBeDefined();
      const options = resolveLoadOptions({ concurrency: 2, requests: 300, localEnvironments: true });
      const report = await runLoad({ target, options, engine: 'k6' });
      expect(report).toMatchObject({
        engine: 'k6',
        counts: { sent: 300, completed: 300, ok: 300 },
        errors: { total: 0 },
        coldStarts: { fromEnvironments: 2, environmentsCreated: 2, processesStarted: 2, fromLogTail: null },
      });
      expect(report.k6!.version).toMatch(/^v\d+\.\d+\.\d+/);
      expect(report.k6!.script).toContain('executor": "shared-iterations"');
      expect(report.latency.uncorrected.count).toBe(300);
      expect(report.latency.uncorrected.p99).toBeGreaterThan(0);
      expect(report.throughput.requestsPerSecond).toBeGreaterThan(0);

      // Function errors: counted by k6, typed by the front.
      const errors = await runLoad({
        target,
        options: resolveLoadOptions({ concurrency: 2, requests: 40, event: ERROR_EVENT, localEnvironments: true }),
        engine: 'k6',
      });
      expect(errors.counts).toMatchObject({ sent: 40, ok: 0 });
      expect(errors.errors).toEqual({ total: 40, transport: {}, http: {}, functionError: { 'Probe.Boom': 40 } });
      expect(liveProcessCount()).toBe(0);
    },
    90_000,
  );
});
